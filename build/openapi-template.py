#!/usr/bin/env python3
"""Turns the served (API-key) OpenAPI document into the template's docs/openapi.json with //#if (ApiKeyAuth) variants."""
import json, sys
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
text = json.dumps(doc, indent=2, ensure_ascii=False).replace("+", "\\u002B")
lines = text.split("\n")
out = []
i = 0
def block(start_prefix, indent):
    return None
while i < len(lines):
    line = lines[i]
    stripped = line.lstrip()
    ind = len(line) - len(stripped)
    if stripped in ('"security": [', '"401": {', '"securitySchemes": {'):
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
    i += 1
open(path, "w").write("\n".join(out) + "\n")
