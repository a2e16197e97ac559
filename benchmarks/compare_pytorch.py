#!/usr/bin/env python3
"""Times a demo epoch against PyTorch's, side by side in the same run.

Runs `fashion_mnist` (this project's demo) and a PyTorch script that trains the same network the
same way (LeNet-300-100, batch 128, SGD with momentum), in alternation, `--rounds` times each, on
one thread, and prints the median seconds per epoch of each, and their ratio. PyTorch is timed
with every OpenBLAS kernel this CPU can run (its default choice, Haswell, Zen, and SkylakeX where
AVX-512 exists), and compared at its fastest.

    compare_pytorch.py --demo build/release/examples/fashion_mnist --pytorch PATH/pytorch_lenet.py

The PyTorch script must accept --threads, --epochs and --json and print one JSON line with
"seconds_per_epoch" last, as ../shared/bench/pytorch_lenet.py of the neuroplastic team does.
Needs Debian's python3-torch (run with /usr/bin/python3) and dataset-fashion-mnist.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def last_json(output):
    for line in reversed(output.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("no JSON line in:\n" + output)


def run(command, env=None):
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return None
    return last_json(done.stdout)


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--demo", default="build/release/examples/fashion_mnist")
    p.add_argument("--pytorch", required=True, help="path of the PyTorch training script")
    p.add_argument("--python", default="/usr/bin/python3")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=3)
    a = p.parse_args()

    flags = cpu_flags()
    kernels = ["(default)", "Haswell", "Zen"]
    if "avx512f" in flags:
        kernels.append("SkylakeX")

    ours, torch = [], {k: [] for k in kernels}
    ours_json = None
    for r in range(a.rounds):
        result = run([a.demo, "--epochs", str(a.epochs), "--threads", "1", "--json"])
        if result is None:
            sys.exit("the demo failed")
        ours.append(result["seconds_per_epoch"])
        ours_json = result
        for k in kernels:
            env = dict(os.environ)
            if k != "(default)":
                env["OPENBLAS_CORETYPE"] = k
            result = run([a.python, a.pytorch, "--threads", "1", "--epochs", str(a.epochs), "--json"], env)
            if result is not None:
                torch[k].append(result["seconds_per_epoch"])
        print(f"round {r + 1}: neuroplastic {ours[-1]:.3f} s/epoch; PyTorch "
              + ", ".join(f"{k} {v[-1]:.3f}" for k, v in torch.items() if v), flush=True)

    ours_median = statistics.median(ours)
    torch_medians = {k: statistics.median(v) for k, v in torch.items() if v}
    best = min(torch_medians, key=torch_medians.get)
    print(f"\nmedian seconds per epoch over {a.rounds} rounds of {a.epochs} epochs, one thread:")
    print(f"  neuroplastic ({ours_json['simd']}): {ours_median:.3f}")
    for k, v in torch_medians.items():
        print(f"  PyTorch, OpenBLAS kernel {k}: {v:.3f}")
    print(f"  ratio neuroplastic / fastest PyTorch ({best}): {ours_median / torch_medians[best]:.3f}")
    print(json.dumps({"neuroplastic_seconds_per_epoch": round(ours_median, 4),
                      "pytorch_seconds_per_epoch": {k: round(v, 4) for k, v in torch_medians.items()},
                      "pytorch_fastest_kernel": best,
                      "ratio": round(ours_median / torch_medians[best], 4),
                      "rounds": a.rounds, "epochs": a.epochs}))


if __name__ == "__main__":
    main()
