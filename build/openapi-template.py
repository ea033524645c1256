#!/usr/bin/env python3
"""Turns the served (API-key, prediction log) OpenAPI document into the template's docs/openapi.json with //#if (ApiKeyAuth)
variants, the prediction log's route, schemas and ids header inside //#if (PredictionLog), and each sample model's paths
and schemas inside //#if (<Name>Model) (the symbols that keep one model per --task)."""
import json, re, sys
from collections import OrderedDict
path = sys.argv[1]
doc = json.loads(open(path).read(), object_pairs_hook=OrderedDict)

def first(d, keys):
    out = OrderedDict()
    for k in keys:
        if k in d: out[k] = d[k]
    for k, v in d.items():
        if k not in out: out[k] = v
    return out

for p, item in doc["paths"].items():
    for m, op in list(item.items()):
        keys = [k for k in op.keys() if k != "security"]
        i = keys.index("responses")
        order = keys[:i] + (["security"] if "security" in op else []) + keys[i:]
        op2 = first(op, order)
        op2["responses"] = first(op["responses"], ["401"])
        item[m] = op2
doc["components"] = first(doc["components"], ["securitySchemes"])
# The feedback route first: the last path could not be left out without leaving a trailing comma.
doc["paths"] = first(doc["paths"], [p for p in doc["paths"] if p.endswith("/feedback")])
LOG_SCHEMAS = {"FeedbackReceipt", "FeedbackRequest", "JsonElement"}
text = json.dumps(doc, indent=2, ensure_ascii=False).replace("+", "\\u002B")
lines = text.split("\n")

# One model's entries: its two paths (indent 4) and its four schemas (indent 6). Each must be followed by an entry
# that is always there (a comma after it), so that leaving the model out keeps the JSON valid.
models = sorted({m.group(1) for m in (re.fullmatch(r"/v1/models/([a-z][a-z0-9]*):predict", p) for p in doc["paths"]) if m})
prefixes = {m[0].upper() + m[1:]: m for m in models}
model_start, model_end = {}, set()
for n, line in enumerate(lines):
    indent = len(line) - len(line.lstrip())
    key = re.fullmatch(r'"([^"]+)": \{', line.strip())
    if empty := re.fullmatch(r'"([^"]+)": \{\},', line.strip()):
        # An empty schema (JsonElement: any JSON) is one line; the comma says an entry follows.
        if indent == 6 and empty.group(1) in LOG_SCHEMAS:
            model_start[n] = "PredictionLog"
            model_end.add(n)
        continue
    if not key:
        continue
    name = key.group(1)
    symbol = None
    if indent == 4 and (m := re.fullmatch(r"/v1/models/([a-z][a-z0-9]*)(:predict)?", name)) and m.group(1) in models:
        symbol = m.group(1)[0].upper() + m.group(1)[1:] + "Model"
    elif indent == 6 and (m := re.fullmatch(r"([A-Z][a-z0-9]*)(Instance|PredictRequest|PredictResponse|Prediction)", name)) and m.group(1) in prefixes:
        symbol = m.group(1) + "Model"
    if indent == 4 and name.endswith("/feedback") or indent == 6 and name in LOG_SCHEMAS:
        symbol = "PredictionLog"
    if symbol is None:
        continue
    end = next(k for k in range(n + 1, len(lines)) if len(lines[k]) - len(lines[k].lstrip()) == indent)
    if lines[end].strip() != "},":
        sys.exit(f"{name} is the last entry of its object: excluding it would leave a trailing comma")
    model_start[n] = symbol
    model_end.add(end)

out = []
i = 0
def block(start_prefix, indent):
    return None
while i < len(lines):
    line = lines[i]
    stripped = line.lstrip()
    if i in model_start:
        out.append(f"//#if ({model_start[i]})")
    ind = len(line) - len(stripped)
    if stripped == '"headers": {' and '"X-Prediction-Ids": {' in lines[i + 1]:
        out.append("//#if (PredictionLog)")
        while True:
            out.append(lines[i])
            if len(lines[i]) - len(lines[i].lstrip()) == ind and lines[i].strip() == "},":
                break
            i += 1
        out.append("//#endif")
        i += 1
        continue
    if stripped in ('"security": [', '"401": {', '"429": {', '"securitySchemes": {'):
        out.append("//#if (ApiKeyAuth)")
        # copy until the closing line at the same indentation
        while True:
            out.append(lines[i])
            if i > 0 and len(lines[i]) - len(lines[i].lstrip()) == ind and lines[i].strip() in ("],", "},"):
                break
            i += 1
        out.append("//#endif")
        i += 1
        continue
    out.append(line)
    if i in model_end:
        out.append("//#endif")
    i += 1
open(path, "w").write("\n".join(out) + "\n")
