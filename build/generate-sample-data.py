#!/usr/bin/env python3
"""Regenerates templates/mlservice/data/churn.csv: a small, deterministic churn dataset.

Churn odds rise with support calls, month-to-month contracts, electronic checks and high
charges, and fall with tenure; a seeded RNG adds label noise so no model is perfect.
Run: python3 build/generate-sample-data.py > templates/mlservice/data/churn.csv
"""
import math
import random

ROWS = 1000
CONTRACTS = {"month-to-month": 1.1, "one-year": -0.2, "two-year": -1.2}
PAYMENTS = {"electronic-check": 0.6, "credit-card": -0.2, "bank-transfer": -0.3}

rng = random.Random(20261123)
print("tenure_months,monthly_charges,support_calls,contract,payment_method,churned")
for _ in range(ROWS):
    contract = rng.choices(list(CONTRACTS), weights=[5, 3, 2])[0]
    payment = rng.choice(list(PAYMENTS))
    tenure = rng.randint(0, 72)
    charges = round(rng.uniform(18.0, 120.0), 2)
    calls = min(10, int(rng.expovariate(0.6)))
    logit = (-1.0 + CONTRACTS[contract] + PAYMENTS[payment] - 0.045 * tenure
             + 0.018 * (charges - 70.0) + 0.45 * calls)
    churned = rng.random() < 1.0 / (1.0 + math.exp(-logit))
    print(f"{tenure},{charges:.2f},{calls},{contract},{payment},{'true' if churned else 'false'}")
