#!/usr/bin/env python3
"""Compares two summary.json files of the same scenario, paths and seed (a CUDA run and a CPU run).

    compare_summaries.py GPU_SUMMARY CPU_SUMMARY [--relative 1e-5] [--count-share 1e-3]

Means, sds, ses and quantiles are compared relative to the CPU's value (floor: 1e-9 of the
column's mean + sd, for values that cancel to ~0). Binding shares, binding_any and threshold
probabilities are counts: they differ only by paths whose binding stage flips at a near tie, so
they are reported as differing paths and allowed up to --count-share of the paths. The value
distributions (bucket counts) are compared the same way: a value a rounding apart on the two
backends can land in the next bucket, so the paths in other buckets are counted and allowed up to
--count-share; one summary having them and the other not is a failure.
Exit status 1 when a difference exceeds these bounds (scripts/gpu-check.sh prints the report).
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("gpu")
    parser.add_argument("cpu")
    parser.add_argument("--relative", type=float, default=1e-5)
    parser.add_argument("--count-share", type=float, default=1e-3)
    args = parser.parse_args()
    with open(args.gpu) as f:
        gpu = json.load(f)
    with open(args.cpu) as f:
        cpu = json.load(f)
    same = ("paths", "seed", "scenario", "precision")
    if [gpu.get(k) for k in same] != [cpu.get(k) for k in same]:
        print("not the same run: paths, seed, scenario or precision differ")
        return 1
    paths = cpu["paths"]
    print(f"seconds: {gpu.get('backend')} on {gpu.get('device')} {gpu.get('seconds')}, "
          f"{cpu.get('backend')} with {cpu.get('threads')} threads {cpu.get('seconds')}")

    differences = []  # (relative difference, where)
    bad = 0
    for name, variable in cpu["variables"].items():
        for c, g in zip(variable["years"], gpu["variables"][name]["years"]):
            floor = 1e-9 * (abs(c["mean"]) + c["sd"])
            pairs = [(k, g[k], c[k]) for k in ("mean", "sd", "se")]
            pairs += [(f"q{q}", g["quantiles"][q], v) for q, v in c["quantiles"].items()]
            for what, a, b in pairs:
                relative = abs(a - b) / max(abs(b), floor, 1e-300)
                differences.append((relative, f"{name} {c['year']} {what}: gpu {a!r} cpu {b!r}"))
                bad += abs(a - b) > args.relative * abs(b) + floor
    differences.sort()
    print(f"compared {len(differences)} moments and quantiles: {bad} beyond {args.relative:g} relative")
    for relative, where in differences[-3:]:
        print(f"largest relative difference {relative:.3g}: {where}")

    # Counts, as paths: binding steps per (stage, year), paths binding at least once, threshold hits.
    worst_paths = 0
    counts_differing = 0
    for name, stage in cpu["stages"].items():
        for c, g in zip(stage["years"], gpu["stages"][name]["years"]):
            for key in ("binding_share", "binding_any"):
                if g[key] != c[key]:
                    counts_differing += 1
                    worst_paths = max(worst_paths, round(abs(g[key] - c[key]) * paths))
    for c, g in zip(cpu["thresholds"], gpu["thresholds"]):
        if g["p"] != c["p"]:
            counts_differing += 1
            worst_paths = max(worst_paths, round(abs(g["p"] - c["p"]) * paths))
    print(f"counts that differ: {counts_differing}; the largest difference is {worst_paths} path(s) "
          f"(binding shares as path-years; near-tie flips, allowed up to {args.count_share:g} of {paths})")
    bad += worst_paths > args.count_share * paths

    # Value distributions: paths counted in another bucket, per variable-year.
    gpu_histograms, cpu_histograms = histograms(gpu), histograms(cpu)
    if gpu_histograms.keys() != cpu_histograms.keys():
        print(f"value distributions: the GPU summary has {len(gpu_histograms)} variable-years, the CPU's "
              f"{len(cpu_histograms)}")
        return 1
    moved = {}
    for where, counts in cpu_histograms.items():
        other = gpu_histograms[where]
        moved[where] = sum(abs(other.get(b, 0) - counts.get(b, 0)) for b in set(counts) | set(other)) // 2
    worst = max(moved.items(), key=lambda item: item[1], default=("-", 0))
    print(f"value distributions: {sum(1 for n in moved.values() if n)} of {len(moved)} variable-years differ; "
          f"at most {worst[1]} path(s) in another bucket{f' ({worst[0]})' if worst[1] else ''} "
          f"(allowed up to {args.count_share:g} of {paths})")
    bad += worst[1] > args.count_share * paths
    return 1 if bad else 0


def histograms(summary):
    """{"variable year": {bucket: count}} from summary.json's "distributions" (docs/report.md)."""
    out = {}
    for name, years in summary.get("distributions", {}).get("variables", {}).items():
        for year, runs in years.items():
            counts = {}
            for run in runs:
                for offset, count in enumerate(run[1:]):
                    counts[run[0] + offset] = count
            out[f"{name} {year}"] = counts
    return out


if __name__ == "__main__":
    sys.exit(main())
