#!/usr/bin/env python3
"""Times a sparse demo epoch against a dense one, side by side in the same run.

Runs `fashion_mnist --model dense` and `fashion_mnist --model sparse --method M --density D` in
alternation, `--rounds` times each, on one thread, and prints the median seconds per epoch of
each and their ratio.

    compare_sparse.py [--demo build/release/examples/fashion_mnist] [--method rigl]
                      [--density 0.1] [--rounds 3] [--epochs 3]
"""
import argparse
import json
import statistics
import subprocess
import sys


def run(command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demo", default="build/release/examples/fashion_mnist")
    p.add_argument("--method", default="rigl")
    p.add_argument("--density", default="0.1")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=3)
    a = p.parse_args()

    common = ["--epochs", str(a.epochs), "--threads", "1", "--json"]
    dense, sparse = [], []
    for r in range(a.rounds):
        dense.append(run([a.demo, "--model", "dense", *common])["seconds_per_epoch"])
        result = run([a.demo, "--model", "sparse", "--method", a.method, "--density", a.density, *common])
        sparse.append(result["seconds_per_epoch"])
        print(f"round {r + 1}: dense {dense[-1]:.3f} s/epoch, sparse {sparse[-1]:.3f} s/epoch "
              f"({result['live_connections']} live connections)", flush=True)
    d, s = statistics.median(dense), statistics.median(sparse)
    print(f"median over {a.rounds} rounds of {a.epochs} epochs: dense {d:.3f}, "
          f"{a.method} at density {a.density} {s:.3f}, ratio {s / d:.3f}")
    print(json.dumps({"dense_seconds_per_epoch": round(d, 4), "sparse_seconds_per_epoch": round(s, 4),
                      "method": a.method, "density": float(a.density), "ratio": round(s / d, 4),
                      "rounds": a.rounds, "epochs": a.epochs}))


if __name__ == "__main__":
    main()
