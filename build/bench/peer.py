"""The Python peer of the benchmark: the service a team would write instead of the generated one.

FastAPI + uvicorn, a scikit-learn Pipeline (one-hot encoding of the categorical features, then
HistGradientBoostingClassifier) trained on the generated repo's data/churn.csv, and the same KServe V1
request and response shape (typed, validated instances; predictions with label, probability, score).

    python3 peer.py train <churn.csv> <model.joblib>     # once, before starting the workers
    PEER_MODEL=<model.joblib> python3 -m uvicorn peer:app --workers <cores> --no-access-log ...
"""

import math
import os
import sys
from typing import List, Literal

import joblib
import pandas as pd
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field, conint, confloat

NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]
CATEGORICAL = ["contract", "payment_method"]


class Instance(BaseModel):
    tenure_months: conint(ge=0, le=600)
    monthly_charges: confloat(ge=0, le=10_000)
    support_calls: conint(ge=0, le=1_000)
    contract: Literal["month-to-month", "one-year", "two-year"]
    payment_method: Literal["electronic-check", "credit-card", "bank-transfer"]

    class Config:
        extra = "forbid"


class PredictRequest(BaseModel):
    instances: List[Instance] = Field(..., min_items=1, max_items=100)


class Prediction(BaseModel):
    label: bool
    probability: float
    score: float


class PredictResponse(BaseModel):
    predictions: List[Prediction]


def train(csv_path, model_path):
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    data = pd.read_csv(csv_path)
    features = ColumnTransformer(
        [("categories", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL)],
        remainder="passthrough",
    )
    pipeline = Pipeline([("features", features), ("model", HistGradientBoostingClassifier(random_state=42))])
    pipeline.fit(data[NUMERIC + CATEGORICAL], data["churned"].astype(str).str.lower() == "true")
    joblib.dump(pipeline, model_path)


app = FastAPI()
_model = joblib.load(os.environ["PEER_MODEL"]) if "PEER_MODEL" in os.environ else None


@app.post("/v1/models/{name}:predict", response_model=PredictResponse)
def predict(name: str, request: PredictRequest):
    if name != "churn":
        raise HTTPException(status_code=404, detail=f"No model named '{name}'.")
    frame = pd.DataFrame([instance.dict() for instance in request.instances], columns=NUMERIC + CATEGORICAL)
    probabilities = _model.predict_proba(frame)[:, 1]
    predictions = []
    for p in probabilities:
        p = float(p)
        clipped = min(max(p, 1e-12), 1 - 1e-12)
        predictions.append(Prediction(label=p >= 0.5, probability=p, score=math.log(clipped / (1 - clipped))))
    return PredictResponse(predictions=predictions)


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "train":
    train(sys.argv[2], sys.argv[3])
