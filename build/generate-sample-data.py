#!/usr/bin/env python3
"""Regenerates the sample datasets of templates/mlservice/data/: small, deterministic, one per sample model.

- churn.csv (binary): churn odds rise with support calls, month-to-month contracts, electronic checks
  and high charges, and fall with tenure.
- plan.csv (multiclass): the plan a customer picks (basic, standard, premium) rises with data usage and
  household size, devices and regions shift it, older customers lean to simpler plans.
- demand.csv (regression): units a store sells of a product in a day, higher in larger stores, on
  promotion, at weekends and in warm weather, lower at higher prices.

Each dataset has its own seeded RNG, so adding a dataset never changes another; label noise keeps any
model from being perfect.
Run: python3 build/generate-sample-data.py            (writes all three files)
     python3 build/generate-sample-data.py plan       (prints one dataset)
"""
import math
import os
import random
import sys


def churn():
    rows = 1000
    contracts = {"month-to-month": 1.1, "one-year": -0.2, "two-year": -1.2}
    payments = {"electronic-check": 0.6, "credit-card": -0.2, "bank-transfer": -0.3}
    rng = random.Random(20261123)
    yield "tenure_months,monthly_charges,support_calls,contract,payment_method,churned"
    for _ in range(rows):
        contract = rng.choices(list(contracts), weights=[5, 3, 2])[0]
        payment = rng.choice(list(payments))
        tenure = rng.randint(0, 72)
        charges = round(rng.uniform(18.0, 120.0), 2)
        calls = min(10, int(rng.expovariate(0.6)))
        logit = (-1.0 + contracts[contract] + payments[payment] - 0.045 * tenure
                 + 0.018 * (charges - 70.0) + 0.45 * calls)
        churned = rng.random() < 1.0 / (1.0 + math.exp(-logit))
        yield f"{tenure},{charges:.2f},{calls},{contract},{payment},{'true' if churned else 'false'}"


def plan():
    rows = 1200
    plans = ["basic", "standard", "premium"]
    # Shift of the (standard, premium) logits against basic.
    regions = {"north": (0.6, 0.9), "south": (-0.3, -0.9), "east": (0.0, 0.3), "west": (0.3, 1.2)}
    devices = {"mobile": (-0.6, -1.8), "desktop": (0.9, 2.1), "tablet": (0.3, 0.0)}
    rng = random.Random(20261124)
    yield "age,monthly_usage_gb,household_size,region,device,plan"
    for _ in range(rows):
        age = rng.randint(18, 90)
        household = min(8, 1 + int(rng.expovariate(0.55)))
        usage = round(min(500.0, rng.lognormvariate(3.6, 0.7) * (1 + 0.15 * (household - 1))), 2)
        region = rng.choice(list(regions))
        device = rng.choices(list(devices), weights=[5, 3, 2])[0]
        standard = (-3.0 + 0.090 * usage + 1.05 * (household - 2) - 0.036 * (age - 45)
                    + regions[region][0] + devices[device][0])
        premium = (-9.9 + 0.165 * usage + 2.10 * (household - 2) - 0.075 * (age - 45)
                   + regions[region][1] + devices[device][1])
        weights = [1.0, math.exp(standard), math.exp(premium)]
        chosen = rng.choices(plans, weights=weights)[0]
        yield f"{age},{usage:.2f},{household},{region},{device},{chosen}"


def demand():
    rows = 1000
    stores = {"small": 30.0, "medium": 60.0, "large": 100.0}
    promotions = {"none": 0.0, "discount": 18.0, "bundle": 10.0}
    days = {"mon": -6.0, "tue": -8.0, "wed": -5.0, "thu": -2.0, "fri": 6.0, "sat": 14.0, "sun": 10.0}
    rng = random.Random(20261125)
    yield "price,promotion,day_of_week,temperature_c,store_size,units_sold"
    for _ in range(rows):
        store = rng.choices(list(stores), weights=[4, 4, 2])[0]
        promotion = rng.choices(list(promotions), weights=[6, 2, 2])[0]
        day = rng.choice(list(days))
        price = round(rng.uniform(2.0, 30.0), 2)
        temperature = round(rng.gauss(14.0, 8.0), 2)
        units = (stores[store] + promotions[promotion] + days[day] + 0.8 * temperature
                 - 2.2 * (price - 10.0) + rng.gauss(0.0, 10.0))
        yield f"{price:.2f},{promotion},{day},{temperature:.2f},{store},{max(0, round(units))}"


DATASETS = {"churn": churn, "plan": plan, "demand": demand}


def main(args):
    if args:
        for name in args:
            if name not in DATASETS:
                sys.exit(f"unknown dataset '{name}'; choose from {', '.join(DATASETS)}")
            for line in DATASETS[name]():
                print(line)
        return
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "templates", "mlservice", "data")
    for name, generate in DATASETS.items():
        path = os.path.normpath(os.path.join(folder, f"{name}.csv"))
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            for line in generate():
                out.write(line + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
