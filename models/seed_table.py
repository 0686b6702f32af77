#!/usr/bin/env python3
"""The tables of models/README.md from the --json results that models/regenerate.sh keeps.

Usage: models/seed_table.py DIR [DIR ...]
  Each DIR holds one seed's results (NAME.json, as written by regenerate.sh). The first DIR is
  the shipped seed: its table lists parameters, sizes, compression and the test accuracy with
  its 95 % Wilson interval (computed by edgejoule train/prune). With several DIRs, a second
  table gives the mean and the sample standard deviation of the test accuracy over the seeds.
"""
import json
import os
import statistics
import sys

ORDER = ["dense", "s13", "s13-kd", "m13", "m13-kd", "s88", "s88-kd", "s88-ft", "s88-ft-kd", "m88",
         "m88-kd", "ds", "ds-s", "rn", "rn-s"]
# The dense model each run's compression is stated against: LeNet-5 (44,426 parameters), the
# DS-CNN 16-32-64-64 (8,746) and the ResNet 8-8-16-16 (5,050) of sim/train/convnet.h.
DENSE_PARAMS = {"ds": 8746, "rn": 5050}


def dense_params(name):
    return DENSE_PARAMS.get(name.split("-")[0], 44426)


def load(d):
    out = {}
    for name in ORDER:
        f = os.path.join(d, name + ".json")
        if os.path.exists(f):
            with open(f) as fh:
                out[name] = json.load(fh)
    return out


def pct(x):
    return f"{100 * x:.2f}"


def main(dirs):
    runs = [load(d) for d in dirs]
    first = runs[0]
    print("| model | method | distilled | architecture | parameters (nonzero) | compression "
          "| float32 / int8 .onnx bytes | test acc. float32 [95 % CI] | test acc. int8 [95 % CI] "
          "| validation acc. | training time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in ORDER:
        if name not in first:
            continue
        j = first[name]
        lo, hi = j["test_accuracy_ci95"]
        qlo, qhi = j["int8_test_accuracy_ci95"]
        kept = j["nonzero_params"]
        print(f"| `{os.path.basename(j['float_onnx'])}` | {j['method']} "
              f"| {'yes' if name.endswith('-kd') else 'no'} | {j['architecture']} "
              f"| {j['params']:,} ({kept:,}) | {dense_params(name) / kept:.1f}x "
              f"| {j['float_onnx_bytes']:,} / {j['int8_onnx_bytes']:,} "
              f"| {pct(j['test_accuracy'])} % [{pct(lo)}, {pct(hi)}] "
              f"| {pct(j['int8_test_accuracy'])} % [{pct(qlo)}, {pct(qhi)}] "
              f"| {pct(j['validation_accuracy'])} % | {j['train_seconds']:.0f} s |")
    if len(runs) > 1:
        print()
        print(f"Over {len(runs)} seeds ({', '.join(dirs)}):")
        print()
        print("| model | seeds | parameters (nonzero) per seed | test acc. float32 mean +- sd "
              "| min - max | test acc. int8 mean +- sd | training time per seed |")
        print("|---|---|---|---|---|---|---|")
        for name in ORDER:
            js = [r[name] for r in runs if name in r]
            if not js:
                continue
            acc = [j["test_accuracy"] for j in js]
            acc8 = [j["int8_test_accuracy"] for j in js]
            sd = statistics.stdev(acc) if len(acc) > 1 else float("nan")
            sd8 = statistics.stdev(acc8) if len(acc8) > 1 else float("nan")
            sizes = " / ".join(f"{j['params']:,} ({j['nonzero_params']:,})" for j in js)
            times = " / ".join(f"{j['train_seconds']:.0f}" for j in js)
            print(f"| {name} | {len(js)} | {sizes} | {pct(statistics.mean(acc))} +- {pct(sd)} % "
                  f"| {pct(min(acc))} - {pct(max(acc))} % "
                  f"| {pct(statistics.mean(acc8))} +- {pct(sd8)} % | {times} s |")
    for name in ORDER:
        if name in first:
            print(f"- `{os.path.basename(first[name]['float_onnx'])}`: `{first[name]['command']}`")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
