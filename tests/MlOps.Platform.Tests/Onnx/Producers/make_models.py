#!/usr/bin/python3
"""Writes the ONNX import cases: real models, trained on real public datasets, with their producers' own predictions.

Each case is a folder <out_dir>/<case>/ holding
- model.onnx     the model as its producer writes it;
- eval.csv       the evaluation rows: one snake_case column per feature, then the label column;
- expected.csv   the producer's predictions for those rows, same order (classifiers: label, p_<class>...;
                 regression: value). Absent for the cases the importer must refuse;
- case.json      task, label column, producer and its version, opset, input layout, output description.

Cases:
- torch_binary               PyTorch MLP on breast cancer, raw logits out, standardization inside the graph.
- torch_regression           PyTorch MLP on diabetes, one value out.
- sklearn_multiclass_zipmap  multinomial LogisticRegression on iris, graph written the way skl2onnx writes it
                             (LinearClassifier -> Normalizer -> ZipMap, string class labels).
- sklearn_binary_columns     binary LogisticRegression on 5 breast cancer columns, one input tensor per column
                             (Concat -> LinearClassifier -> ZipMap, int64 class labels).
- sklearn_regression         LinearRegression on diabetes as an ai.onnx.ml LinearRegressor.
- unsupported_operator       a graph with an operator no runtime knows (NoSuchOperator).
- unbindable_input           a rank-3 input [N, ?, 3] that no table row can be bound to.

The datasets ship inside Debian's python3-sklearn (no download). There is no skl2onnx nor onnxruntime for
Debian, so the scikit-learn graphs are built with onnx.helper and every graph is re-run by a small numpy
interpreter (run_graph) to check it reproduces the producer's predictions.

Run: /usr/bin/python3 make_models.py <out_dir>
"""
import io
import json
import os
import re
import sys
import time
from dataclasses import dataclass, replace

import numpy as np
import onnx
import sklearn
import torch
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split

OPSET = 13  # default domain, every case
ML_OPSET = 1  # ai.onnx.ml: LinearClassifier, LinearRegressor, Normalizer and ZipMap are all version 1
SEED = 20240611
TEST_SIZE = 0.3
TOLERANCE = 1e-5

torch.manual_seed(SEED)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)


# ---------------------------------------------------------------- datasets


def snake_case(name):
    """'mean radius' -> mean_radius, 'sepal length (cm)' -> sepal_length_cm."""
    name = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return name if re.match(r"[a-z]", name) else "f_" + name


@dataclass
class Data:
    """A dataset split: float32 features, the training targets, and what eval.csv holds."""

    x_train: np.ndarray
    y_train: np.ndarray  # target codes (classifiers) or values
    x_eval: np.ndarray
    names: list  # snake_case feature columns
    label: str  # the label column
    labels: list  # eval.csv's label column: class names, codes or values
    classes: list = None  # code -> label value, classifiers only

    def columns(self, count):
        """The first `count` feature columns."""
        return replace(self, x_train=self.x_train[:, :count], x_eval=self.x_eval[:, :count], names=self.names[:count])


def split(bunch, label, feature_names=None, classes=None):
    """The train and held-out rows of a sklearn dataset, restricted to `feature_names` when given.

    Features are cast to float32 once, here, so the values written to eval.csv, the values the producer
    predicts on and the values a float32 runtime reads are the same numbers. `classes` maps target codes
    to the label values written to eval.csv; regressions write the target itself.
    """
    all_names = list(bunch.feature_names)
    columns = [all_names.index(n) for n in feature_names] if feature_names else range(len(all_names))
    x = bunch.data[:, columns].astype(np.float32)
    x_train, x_eval, y_train, y_eval = train_test_split(
        x, bunch.target, test_size=TEST_SIZE, random_state=SEED, stratify=bunch.target if classes else None)
    names = [snake_case(all_names[c]) for c in columns]
    assert len(set(names)) == len(names), names
    labels = [classes[v] for v in y_eval] if classes else list(y_eval)
    return Data(x_train, y_train, x_eval, names, label, labels, classes)


def breast_cancer(feature_names=None):
    # sklearn codes malignant 0, benign 1; the label column keeps the codes.
    return split(load_breast_cancer(), "diagnosis", feature_names, classes=[0, 1])


def diabetes():
    # Raw units (age in years, bmi, blood pressure...), not sklearn's pre-scaled copy: a model trained
    # anywhere sees raw columns.
    return split(load_diabetes(scaled=False), "progression")


def iris():
    bunch = load_iris()
    return split(bunch, "species", classes=[str(n) for n in bunch.target_names])


# ---------------------------------------------------------------- writing a case


def number(value):
    """A CSV cell. float32 values (features, torch outputs): the shortest %g that parses back to the same float32
    (13.8, not 13.8000002; 9 digits always suffice). float64 values (scikit-learn outputs, targets): %.9g.
    Integral values print as integers (151.0 -> 151)."""
    if isinstance(value, (str, np.str_, int, np.integer)):
        return str(value)
    if isinstance(value, np.float32):
        return next(text for text in ("%.*g" % (digits, value) for digits in range(1, 10))
                    if np.float32(text) == value)
    return "%.9g" % value


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(number(v) for v in row) + "\n")


def write_case(out_dir, case, model, data, expected, meta):
    """Writes model.onnx, eval.csv, expected.csv (when `expected` is a (header, rows) pair) and case.json."""
    folder = os.path.join(out_dir, case)
    os.makedirs(folder, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    write_csv(os.path.join(folder, "eval.csv"), data.names + [data.label],
              (list(features) + [y] for features, y in zip(data.x_eval, data.labels)))
    if expected is not None:
        header, rows = expected
        assert len(rows) == len(data.x_eval)
        write_csv(os.path.join(folder, "expected.csv"), header, rows)
    with open(os.path.join(folder, "case.json"), "w", encoding="utf-8") as f:
        json.dump({"task": meta.pop("task"), "label": data.label, **meta}, f, indent=2)
        f.write("\n")
    return len(data.x_eval)


def classifier_expected(classes, predicted, probabilities):
    """label = predicted[i] (the producer's own predicted label), p_<class> = probabilities[i] in class order."""
    header = ["label"] + ["p_%s" % c for c in classes]
    return header, [[label] + list(p) for label, p in zip(predicted, probabilities)]


def regression_expected(values):
    return ["value"], [[v] for v in np.asarray(values).reshape(-1)]


# ---------------------------------------------------------------- a numpy interpreter, to check the graphs


def _attributes(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _post_transform(scores, kind):
    if kind == b"SOFTMAX":
        e = np.exp(scores - scores.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if kind == b"LOGISTIC":
        return 1 / (1 + np.exp(-scores))
    assert kind == b"NONE", kind
    return scores


def _linear(x, a, rows):
    coefficients = np.asarray(a["coefficients"], np.float32).reshape(rows, -1)
    intercepts = np.asarray(a.get("intercepts", [0.0] * rows), np.float32)
    return _post_transform(x @ coefficients.T + intercepts, a.get("post_transform", b"NONE"))


def _linear_classifier(x, a):
    labels = [s.decode() for s in a["classlabels_strings"]] if "classlabels_strings" in a else a["classlabels_ints"]
    scores = _linear(x, a, len(labels))
    return np.array([labels[i] for i in scores.argmax(axis=1)]), scores


def _reduce_sum(x, axes, a):
    return x.sum(axis=tuple(int(i) for i in axes), keepdims=bool(a.get("keepdims", 1)))


_OPS = {
    ("", "Add"): lambda i, a: i[0] + i[1],
    ("", "Sub"): lambda i, a: i[0] - i[1],
    ("", "Mul"): lambda i, a: i[0] * i[1],
    ("", "Div"): lambda i, a: i[0] / i[1],
    ("", "Relu"): lambda i, a: np.maximum(i[0], 0),
    ("", "Tanh"): lambda i, a: np.tanh(i[0]),
    ("", "MatMul"): lambda i, a: i[0] @ i[1],
    ("", "Gemm"): lambda i, a: (a.get("alpha", 1.0) * ((i[0].T if a.get("transA") else i[0])
                                                        @ (i[1].T if a.get("transB") else i[1]))
                                + (a.get("beta", 1.0) * i[2] if len(i) > 2 else 0)),
    ("", "Identity"): lambda i, a: i[0],
    ("", "Cast"): lambda i, a: i[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]]),
    ("", "Concat"): lambda i, a: np.concatenate(i, axis=a["axis"]),
    ("", "Constant"): lambda i, a: numpy_helper.to_array(a["value"]),
    ("", "ReduceSum"): lambda i, a: _reduce_sum(i[0], i[1], a),  # opset 13: axes is an input
    ("ai.onnx.ml", "LinearClassifier"): lambda i, a: _linear_classifier(i[0], a),
    ("ai.onnx.ml", "LinearRegressor"): lambda i, a: _linear(i[0], a, a.get("targets", 1)),
    ("ai.onnx.ml", "Normalizer"): lambda i, a: i[0] / np.abs(i[0]).sum(axis=1, keepdims=True),
    ("ai.onnx.ml", "ZipMap"): lambda i, a: [
        dict(zip([s.decode() for s in a["classlabels_strings"]] if "classlabels_strings" in a
                 else a["classlabels_int64s"], row.tolist())) for row in i[0]],
}


def run_graph(model, feeds):
    """Runs `model` on float32 `feeds` ({input name: array}), in float32 like a runtime; returns the graph outputs.

    Covers only the operators these cases use (raises KeyError on any other).
    """
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update(feeds)
    for node in model.graph.node:
        if node.op_type == "Normalizer":
            assert _attributes(node)["norm"] == b"L1"
        result = _OPS[(node.domain, node.op_type)]([values[n] for n in node.input], _attributes(node))
        outputs = result if len(node.output) > 1 else (result,)
        values.update(zip(node.output, outputs))
    return [values[o.name] for o in model.graph.output]


def max_difference(actual, expected, relative=False):
    """Max |actual - expected|; relative: divided by max(1, |expected|), for regression values in the hundreds
    whose float32 spacing alone exceeds TOLERANCE."""
    actual, expected = np.asarray(actual, np.float64).reshape(-1), np.asarray(expected, np.float64).reshape(-1)
    scale = np.maximum(1.0, np.abs(expected)) if relative else 1.0
    return float(np.max(np.abs(actual - expected) / scale))


def differences(actual, expected, regression):
    """The check printed per case: max abs difference, plus the relative one for regressions."""
    text = "max abs %.2g" % max_difference(actual, expected)
    return text + (" (relative %.2g)" % max_difference(actual, expected, relative=True) if regression else "")


# ---------------------------------------------------------------- PyTorch cases


class Standardize(torch.nn.Module):
    """(x - mean) / std with the training split's statistics as buffers: the exported graph takes raw features."""

    def __init__(self, x):
        super().__init__()
        self.register_buffer("mean", torch.tensor(x.mean(axis=0)))
        self.register_buffer("std", torch.tensor(x.std(axis=0)))

    def forward(self, x):
        return (x - self.mean) / self.std


class Rescale(Standardize):
    """The inverse of standardizing the target: the network learns z-scores, the graph outputs raw values."""

    def forward(self, z):
        return z * self.std + self.mean


def mlp(x_train, outputs, hidden):
    return torch.nn.Sequential(Standardize(x_train), torch.nn.Linear(x_train.shape[1], hidden),
                               torch.nn.ReLU(), torch.nn.Linear(hidden, outputs))


def train(network, x, target, loss, steps, lr=0.01):
    """Full-batch Adam: `steps` deterministic updates on the training split."""
    optimizer = torch.optim.Adam(network.parameters(), lr=lr, weight_decay=1e-4)
    network.train()
    for _ in range(steps):
        optimizer.zero_grad()
        loss(network(x), target).backward()
        optimizer.step()
    network.eval()
    return network


def export_torch(network, features, output_name):
    """torch.onnx.export with one float input `input` [batch, features], the batch axis dynamic."""
    buffer = io.BytesIO()
    torch.onnx.export(network, torch.zeros(1, features), buffer, input_names=["input"], output_names=[output_name],
                      dynamic_axes={"input": {0: "batch"}, output_name: {0: "batch"}}, opset_version=OPSET,
                      do_constant_folding=True)
    model = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(model)
    return model


def torch_case(out_dir, case, data, network, output_name, output):
    """Exports a trained network, writes its eager predictions, and checks the exported graph reproduces them.

    Classifiers: expected.csv holds softmax(logits) computed in float32 by torch (the graph outputs logits).
    """
    model = export_torch(network, data.x_eval.shape[1], output_name)
    with torch.no_grad():
        eager = network(torch.from_numpy(data.x_eval))
    (graph_out,) = run_graph(model, {"input": data.x_eval})
    if data.classes:
        eager_values = torch.softmax(eager, dim=1).numpy()
        graph_values = torch.softmax(torch.from_numpy(graph_out), dim=1).numpy()
        predicted = [data.classes[i] for i in eager_values.argmax(axis=1)]
        expected = classifier_expected(data.classes, predicted, eager_values)
    else:
        eager_values, graph_values = eager.numpy(), graph_out
        expected = regression_expected(eager_values)
    rows = write_case(out_dir, case, model, data, expected, {
        "task": task_of(data), "producer": "pytorch (torch.onnx.export)", "producer_version": torch.__version__,
        "opset": OPSET, "inputs": "tensor", "output": output})

    # Read back what was written: parsed as float32, the cells must give back torch's float32 values exactly.
    written = np.loadtxt(os.path.join(out_dir, case, "expected.csv"), delimiter=",", skiprows=1, ndmin=2,
                         dtype=np.float32)
    written = written[:, 1:] if data.classes else written
    written_vs_eager = max_difference(written, eager_values)
    graph_vs_eager = max_difference(graph_values, eager_values, relative=not data.classes)
    assert written_vs_eager == 0 and graph_vs_eager < TOLERANCE, (written_vs_eager, graph_vs_eager)
    report(case, rows, "written vs torch eager %.2g, numpy graph vs torch eager %s"
           % (written_vs_eager, differences(graph_values, eager_values, not data.classes)))


def task_of(data):
    return "regression" if not data.classes else "binary" if len(data.classes) == 2 else "multiclass"


def torch_binary(out_dir):
    data = breast_cancer()
    network = train(mlp(data.x_train, 2, hidden=16), torch.from_numpy(data.x_train),
                    torch.from_numpy(data.y_train).long(), torch.nn.CrossEntropyLoss(), steps=300)
    torch_case(out_dir, "torch_binary", data, network, "logits",
               "logits float [batch, 2], raw scores (no softmax): index 1 is diagnosis 1 (benign), "
               "index 0 diagnosis 0 (malignant)")


def torch_regression(out_dir):
    data = diabetes()
    y_train = data.y_train.astype(np.float32).reshape(-1, 1)
    rescale = Rescale(y_train)

    def standardized_mse(prediction, target):
        # MSE on z-scores: the same minimum as on raw values, with gradients Adam's step size suits.
        return torch.nn.functional.mse_loss((prediction - rescale.mean) / rescale.std,
                                            (target - rescale.mean) / rescale.std)

    network = train(torch.nn.Sequential(mlp(data.x_train, 1, hidden=8), rescale), torch.from_numpy(data.x_train),
                    torch.from_numpy(y_train), standardized_mse, steps=100)
    torch_case(out_dir, "torch_regression", data, network, "value", "value float [batch, 1], the predicted progression")


# ---------------------------------------------------------------- scikit-learn cases, graphs written like skl2onnx


def float32_parameters(estimator):
    """Rounds coef_ and intercept_ to float32: ONNX float attributes hold float32, so the graph and the
    estimator then hold the same numbers and differ only by arithmetic precision."""
    estimator.coef_ = estimator.coef_.astype(np.float32).astype(np.float64)
    estimator.intercept_ = np.asarray(estimator.intercept_, np.float32).astype(np.float64)
    return estimator


def float_tensor(name, *shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def helper_model(nodes, inputs, outputs, name, initializers=(), ml=True, check=True):
    """A model built with onnx.helper: default domain at OPSET, plus ai.onnx.ml at ML_OPSET when `ml`."""
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    domains = [("", OPSET)] + ([("ai.onnx.ml", ML_OPSET)] if ml else [])
    model = helper.make_model(graph, producer_name="make_models.py", producer_version=onnx.__version__,
                              opset_imports=[helper.make_opsetid(d, v) for d, v in domains])
    model.doc_string = "Built with onnx.helper by tests/MlOps.Platform.Tests/Onnx/Producers/make_models.py"
    if check:
        onnx.checker.check_model(model)
    return model


def classifier_nodes(estimator, classes, feature_input):
    """LogisticRegression's nodes as skl2onnx converts it (operator_converters/linear_classifier.py, zip_map.py).

    Multiclass (multinomial): LinearClassifier(multi_class=1, SOFTMAX) -> Normalizer(L1) -> probabilities.
    Binary: coefficients [-w, w], intercepts [-b, b], LOGISTIC, probabilities straight out of LinearClassifier
    (sigmoid(-z) + sigmoid(z) = 1: they already sum to 1 and equal predict_proba).
    Then skl2onnx's ZipMap step: label -> output_label (Identity for string labels, Cast to int64 for ints) and
    probabilities -> ZipMap -> output_probability.
    """
    strings = isinstance(classes[0], str)
    coefficients, intercepts = estimator.coef_, estimator.intercept_
    binary = len(classes) == 2
    if binary:
        coefficients, intercepts = np.vstack([-coefficients, coefficients]), np.concatenate([-intercepts, intercepts])
    nodes = [helper.make_node(
        "LinearClassifier", [feature_input], ["label", "probabilities" if binary else "probability_tensor"],
        name="LinearClassifier", domain="ai.onnx.ml", coefficients=coefficients.reshape(-1).tolist(),
        intercepts=intercepts.tolist(), multi_class=0 if binary else 1,
        post_transform="LOGISTIC" if binary else "SOFTMAX",
        **{"classlabels_strings" if strings else "classlabels_ints": classes})]
    if not binary:
        nodes.append(helper.make_node("Normalizer", ["probability_tensor"], ["probabilities"], name="Normalizer",
                                      domain="ai.onnx.ml", norm="L1"))
    if strings:
        nodes.append(helper.make_node("Identity", ["label"], ["output_label"], name="Identity"))
    else:
        nodes.append(helper.make_node("Cast", ["label"], ["output_label"], name="Cast", to=TensorProto.INT64))
    nodes.append(helper.make_node("ZipMap", ["probabilities"], ["output_probability"], name="ZipMap",
                                  domain="ai.onnx.ml",
                                  **{"classlabels_strings" if strings else "classlabels_int64s": classes}))
    key = TensorProto.STRING if strings else TensorProto.INT64
    # seq(map(key, float)); onnx 1.12's helper has no make_map_type_proto, so the type is filled in by hand.
    probability_type = onnx.TypeProto()
    probability_type.sequence_type.elem_type.map_type.key_type = key
    probability_type.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    outputs = [helper.make_tensor_value_info("output_label", key, [None]),
               helper.make_value_info("output_probability", probability_type)]
    return nodes, outputs


def sklearn_classifier_case(out_dir, case, data, estimator, inputs_layout, output):
    """Fits `estimator`, writes it as skl2onnx would, checks the graph against predict and predict_proba.

    inputs_layout "tensor": one input float_input [None, F]. "columns": one input per column, named after it,
    float [None, 1], concatenated into the feature vector, as skl2onnx does given one initial type per column.
    """
    float32_parameters(estimator.fit(data.x_train, data.y_train))
    if inputs_layout == "columns":
        inputs = [float_tensor(n, None, 1) for n in data.names]
        feeds = {n: data.x_eval[:, [i]] for i, n in enumerate(data.names)}
        feature_input = "merged_columns"
        nodes = [helper.make_node("Concat", data.names, [feature_input], name="Concat", axis=1)]
    else:
        inputs = [float_tensor("float_input", None, data.x_train.shape[1])]
        feeds = {"float_input": data.x_eval}
        feature_input, nodes = "float_input", []
    classifier, outputs = classifier_nodes(estimator, data.classes, feature_input)
    model = helper_model(nodes + classifier, inputs, outputs, case)

    predicted = [data.classes[i] for i in estimator.predict(data.x_eval)]  # estimator.classes_ are the codes
    probabilities = estimator.predict_proba(data.x_eval)
    graph_labels, graph_maps = run_graph(model, feeds)
    difference = max_difference([[m[c] for c in data.classes] for m in graph_maps], probabilities)
    mismatched = sum(a != b for a, b in zip(graph_labels.tolist(), predicted))
    assert difference < TOLERANCE and mismatched == 0, (difference, mismatched)
    rows = write_case(out_dir, case, model, data, classifier_expected(data.classes, predicted, probabilities), {
        "task": task_of(data), "producer": "scikit-learn (graph written like skl2onnx)",
        "producer_version": sklearn.__version__, "opset": OPSET, "inputs": inputs_layout, "output": output})
    report(case, rows, "numpy graph vs sklearn predict_proba max abs %.2g, labels mismatched %d"
           % (difference, mismatched))


def sklearn_multiclass_zipmap(out_dir):
    sklearn_classifier_case(out_dir, "sklearn_multiclass_zipmap", iris(),
                            LogisticRegression(multi_class="multinomial", max_iter=5000), "tensor",
                            "output_label string [N]; output_probability seq(map(string, float)) keyed setosa, "
                            "versicolor, virginica")


def sklearn_binary_columns(out_dir):
    data = breast_cancer(["mean radius", "mean texture", "mean smoothness", "mean compactness",
                          "mean concave points"])
    sklearn_classifier_case(out_dir, "sklearn_binary_columns", data, LogisticRegression(max_iter=5000), "columns",
                            "output_label int64 [N]; output_probability seq(map(int64, float)) keyed 0 (malignant), "
                            "1 (benign)")


def sklearn_regression(out_dir):
    data = diabetes()
    estimator = float32_parameters(LinearRegression().fit(data.x_train, data.y_train))
    node = helper.make_node("LinearRegressor", ["float_input"], ["variable"], name="LinearRegressor",
                            domain="ai.onnx.ml", coefficients=estimator.coef_.tolist(),
                            intercepts=[float(estimator.intercept_)], targets=1)
    model = helper_model([node], [float_tensor("float_input", None, data.x_train.shape[1])],
                         [float_tensor("variable", None, 1)], "sklearn_regression")
    predicted = estimator.predict(data.x_eval)
    (graph_out,) = run_graph(model, {"float_input": data.x_eval})
    difference = max_difference(graph_out, predicted, relative=True)
    assert difference < TOLERANCE, difference
    rows = write_case(out_dir, "sklearn_regression", model, data, regression_expected(predicted), {
        "task": "regression", "producer": "scikit-learn (graph written like skl2onnx)",
        "producer_version": sklearn.__version__, "opset": OPSET, "inputs": "tensor",
        "output": "variable float [N, 1], the predicted progression"})
    report("sklearn_regression", rows, "numpy graph vs sklearn predict " + differences(graph_out, predicted, True))


# ---------------------------------------------------------------- cases the importer must refuse (no expected.csv)


def refused_case(out_dir, case, data, model, output, check):
    rows = write_case(out_dir, case, model, data, None, {
        "task": "regression", "producer": "onnx.helper", "producer_version": onnx.__version__, "opset": OPSET,
        "inputs": "tensor", "output": output})
    report(case, rows, "no expected.csv; " + check)


def unsupported_operator(out_dir):
    node = helper.make_node("NoSuchOperator", ["input"], ["value"], name="custom_scorer", scale=1.0)
    # The checker rejects the unknown operator, which is the point of the case: not checked.
    model = helper_model([node], [float_tensor("input", None, 3)], [float_tensor("value", None, 1)],
                         "unsupported_operator", ml=False, check=False)
    try:
        run_graph(model, {"input": np.zeros((1, 3), np.float32)})
        raise AssertionError("NoSuchOperator ran")
    except KeyError as error:
        assert "NoSuchOperator" in str(error), error
    refused_case(out_dir, "unsupported_operator", diabetes().columns(3), model,
                 "value float [N, 1] from node custom_scorer (NoSuchOperator)", "the numpy interpreter refuses it too")


def unbindable_input(out_dir):
    data = diabetes().columns(3)
    weights = LinearRegression(fit_intercept=False).fit(data.x_train, data.y_train).coef_
    nodes = [helper.make_node("ReduceSum", ["sequence", "axes"], ["summed"], name="ReduceSum", keepdims=0),
             helper.make_node("MatMul", ["summed", "weights"], ["value"], name="MatMul")]
    model = helper_model(nodes, [float_tensor("sequence", None, None, 3)], [float_tensor("value", None, 1)],
                         "unbindable_input", ml=False,
                         initializers=[numpy_helper.from_array(np.array([1], np.int64), "axes"),
                                       numpy_helper.from_array(weights.astype(np.float32).reshape(3, 1), "weights")])
    # A valid graph that runs on a [N, 1, 3] tensor: only a table row cannot be bound to its rank-3 input.
    (out,) = run_graph(model, {"sequence": data.x_eval[:, None, :]})
    assert out.shape == (len(data.x_eval), 1)
    refused_case(out_dir, "unbindable_input", data, model, "value float [N, 1] = ReduceSum(sequence, axis 1) x weights",
                 "input sequence float [N, ?, 3] is rank 3; the graph runs on [N, 1, 3] in the numpy interpreter")


# ----------------------------------------------------------------


def report(case, rows, check):
    print("%-26s rows %4d  %s" % (case, rows, check), flush=True)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 make_models.py <out_dir>")
    out_dir = sys.argv[1]
    started = time.monotonic()
    for make in (torch_binary, torch_regression, sklearn_multiclass_zipmap, sklearn_binary_columns,
                 sklearn_regression, unsupported_operator, unbindable_input):
        make(out_dir)
    print("wrote %s in %.1f s" % (out_dir, time.monotonic() - started))


if __name__ == "__main__":
    main()
