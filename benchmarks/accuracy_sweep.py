#!/usr/bin/env python3
"""Runs the demo over methods, densities and seeds, and prints test accuracy as a markdown table.

    accuracy_sweep.py [--demo build/release/examples/fashion_mnist] [--epochs 20] [--seeds 1,2,3]
                      [--configs dense,rigl-erk-0.1,...] [--jsonl runs.jsonl]

Each configuration is a name for a set of demo flags (see CONFIGS); every run uses the demo's
default hyper-parameters otherwise. Runs are sequential, one thread each.
"""
import argparse
import json
import statistics
import subprocess
import sys

CONFIGS = {
    "dense": ["--model", "dense"],
    "static-erk-0.1": ["--model", "sparse", "--method", "static", "--density", "0.1"],
    "set-erk-0.1": ["--model", "sparse", "--method", "set", "--density", "0.1"],
    "rigl-erk-0.1": ["--model", "sparse", "--method", "rigl", "--density", "0.1"],
    "rigl-uniform-0.1": ["--model", "sparse", "--method", "rigl", "--density", "0.1",
                         "--distribution", "uniform"],
    "static-erk-0.02": ["--model", "sparse", "--method", "static", "--density", "0.02"],
    "set-erk-0.02": ["--model", "sparse", "--method", "set", "--density", "0.02"],
    "rigl-erk-0.02": ["--model", "sparse", "--method", "rigl", "--density", "0.02"],
}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demo", default="build/release/examples/fashion_mnist")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--configs", default=",".join(CONFIGS))
    p.add_argument("--jsonl", default=None, help="also append every run's JSON line to this file")
    a = p.parse_args()

    seeds = [int(s) for s in a.seeds.split(",")]
    rows = []
    for name in a.configs.split(","):
        results = []
        for seed in seeds:
            cmd = [a.demo, *CONFIGS[name], "--epochs", str(a.epochs), "--seed", str(seed), "--json"]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr}")
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results.append(result)
            if a.jsonl:
                with open(a.jsonl, "a") as f:
                    f.write(json.dumps({"config": name, **result}) + "\n")
            print(f"{name} seed {seed}: {result['test_accuracy']:.4f} "
                  f"({result['seconds_per_epoch']:.3f} s/epoch)", file=sys.stderr, flush=True)
        acc = [r["test_accuracy"] for r in results]
        spread = statistics.stdev(acc) if len(acc) > 1 else 0.0
        rows.append((name, results[0], statistics.mean(acc), spread,
                     statistics.median(r["seconds_per_epoch"] for r in results)))

    print(f"| configuration | density | live connections | test accuracy after {a.epochs} epochs "
          f"(mean ± std, seeds {a.seeds}) | s/epoch |")
    print("|---|---|---|---|---|")
    for name, first, mean, spread, seconds in rows:
        print(f"| {name} | {first['density']:.4g} | {first['live_connections']} | "
              f"{mean:.4f} ± {spread:.4f} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
