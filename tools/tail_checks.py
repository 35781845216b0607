#!/usr/bin/env python3
"""Tail checks of a chokepoint run (docs/calibration.md, "Tail checks").

Usage: tools/tail_checks.py SCENARIO.json PATHS [CHOKEPOINT]

Runs SCENARIO with PATHS paths (seed 1) through a scenario that extends it with one threshold
per year, P(produced_units >= 1) and P(deployed_units >= 1), then prints, from summary.json:
2035 p99 of power.capacity and revenue, the largest yearly share of paths that produce or
deploy nothing, and each year's inventory p99 against its median production. Exit 1 when a
check fails. Uses only the standard library.
"""
import json
import os
import subprocess
import sys
import tempfile

LIMITS = {"power_p99_2035_mw": 1.2e6, "revenue_p99_2035_usd": 5e12, "share_with_nothing": 0.01}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    scenario, paths = os.path.abspath(sys.argv[1]), sys.argv[2]
    binary = sys.argv[3] if len(sys.argv) > 3 else "build/chokepoint"
    with open(scenario) as f:
        text = f.read()
    start = int(text.split('"start_year":')[1].split(",")[0])
    years = int(text.split('"years":')[1].split(",")[0])
    thresholds = {}
    for year in range(start, start + years):
        for variable in ("produced_units", "deployed_units"):
            thresholds[f"tail_{variable}_{year}"] = {"variable": variable, "year": year, "at_least": 1}
    with tempfile.TemporaryDirectory() as work:
        probe = os.path.join(os.path.dirname(scenario), ".tail_checks_probe.json")
        # The probe's thresholds take the parent's form (named, or an array that is appended).
        added = list(thresholds.values()) if '"thresholds": [' in text else thresholds
        with open(probe, "w") as f:
            json.dump({"extends": os.path.basename(scenario), "name": "tail-checks",
                       "report": {"thresholds": added}}, f)
        try:
            subprocess.run([binary, "run", probe, "--paths", paths, "--seed", "1", "--out", work, "--quiet"],
                           check=True)
        finally:
            os.remove(probe)
        with open(os.path.join(work, "summary.json")) as f:
            summary = json.load(f)
    variables = summary["variables"]

    def year_stats(name, year):
        return next(y for y in variables[name]["years"] if y["year"] == year)

    last = start + years - 1
    power = year_stats("power.capacity", last)["quantiles"]["0.99"]
    revenue = year_stats("revenue", last)["quantiles"]["0.99"]
    nothing = {}
    for t in summary["thresholds"]:
        key = (t["variable"], t["year"])
        if t["at_least"] == 1:
            nothing[key] = 1.0 - t["p"]
    worst = {v: max((p, y) for (name, y), p in nothing.items() if name == v) for v in ("produced_units", "deployed_units")}
    ok = power <= LIMITS["power_p99_2035_mw"] and revenue <= LIMITS["revenue_p99_2035_usd"]
    print(f"{summary['paths']} paths, seed 1")
    print(f"{last} power.capacity p99: {power / 1e6:.3f} TW (limit 1.2)")
    print(f"{last} revenue p99: ${revenue / 1e12:.2f} T (limit 5)")
    for v, (p, y) in worst.items():
        ok = ok and p <= LIMITS["share_with_nothing"]
        print(f"largest share of paths with {v} = 0: {100 * p:.2f} % ({y}) (limit 1 %)")
    print("year  inventory p99  median production  ratio")
    for year in range(start, start + years):
        inventory = year_stats("inventory_units", year)["quantiles"]["0.99"]
        production = year_stats("produced_units", year)["quantiles"]["0.5"]
        ok = ok and inventory <= production
        print(f"{year}  {inventory / 1e6:10.2f} M  {production / 1e6:14.2f} M  {inventory / production:6.2f}")
    print("all tail checks pass" if ok else "a tail check FAILS")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
