#!/usr/bin/env python3
"""The accuracy / parameters / cycles / battery-life trade-off of models/README.md.

Usage: models/tradeoff.py [-e build/release/edgejoule] [-o DIR] MODEL.onnx [MODEL.onnx ...]

For every model (the int8 QDQ files of models/split-7000/):
  - `edgejoule infer --json` on the nRF52840 (Cortex-M4F) and the ESP32-C3 (RV32IMC), emu
    backend, optimized kernels: cycles, latency, energy, flash, and the int8 test accuracy on
    the 2,000 test digits with its Wilson interval (sim/nn's integer arithmetic);
  - the reference node (scenarios/reference-node.yaml) without its solar harvester (with it,
    every model is energy neutral and no battery life exists), with the model in its classify
    job, at its 20 detections a day and at 2,000 a day: `edgejoule sweep ... --pareto
    'accuracy:max,projected_life_days:max'` (the sweep's own Pareto marking).
Prints one markdown table per architecture (lenet5, ds-cnn, resnet: from the file name),
leaves the sweep (with its own figures, `--plot`) in DIR (default $TMPDIR/ej-tradeoff), and
draws DIR/tradeoff.png and .svg with gnuplot: int8 test accuracy (with its 95 % interval)
against parameters, against cycles on each core, and against battery life at 2,000
detections a day, one series per architecture (dense to pruned).
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

CORES = [("nRF52840 M4F", "hw/mcu/nrf52840.yaml"), ("ESP32-C3 RV32IMC", "hw/mcu/esp32c3.yaml")]
RATES = ["20 /d", "2000 /d"]


def no_harvest_scenario(out_dir):
    """scenarios/reference-node.yaml without its harvester block (the battery alone)."""
    with open("scenarios/reference-node.yaml") as f:
        text = f.read()
    a = text.index("  harvester:")
    b = text.index("  battery:")
    text = text[:a] + text[b:]
    text = text.replace("name: reference-node", "name: reference-node-no-harvest", 1)
    path = os.path.join(out_dir, "reference-node-no-harvest.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def family(path):
    base = os.path.basename(path)
    for fam in ("ds-cnn", "resnet", "lenet5"):
        if base.startswith(fam):
            return fam
    return "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-e", default="build/release/edgejoule")
    ap.add_argument("-o", default=os.path.join(tempfile.gettempdir(), "ej-tradeoff"))
    ap.add_argument("models", nargs="+")
    args = ap.parse_args()
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    os.makedirs(args.o, exist_ok=True)

    infer = {}
    for m in args.models:
        for name, mcu in CORES:
            out = subprocess.run(["nice", "-n", "10", args.e, "infer", "--model", m, "--mcu", mcu,
                                  "--json"], check=True, capture_output=True, text=True).stdout
            infer[(m, name)] = json.loads(out)

    scenario = no_harvest_scenario(args.o)
    sweep = os.path.join(args.o, "sweep")
    subprocess.run(["nice", "-n", "10", args.e, "sweep", scenario, "--set",
                    "node.jobs.0.steps.1.infer=" + ",".join(args.models), "--set",
                    "node.pir.motion.poisson.rate=" + ",".join(RATES), "-j", "2", "--out", sweep,
                    "--force", "--pareto", "accuracy:max,projected_life_days:max", "--plot"], check=True,
                   stdout=sys.stderr)
    life = {}
    with open(os.path.join(sweep, "sweep.csv")) as f:
        for row in csv.DictReader(f):
            life[(row["node.jobs.0.steps.1.infer"], row["node.pir.motion.poisson.rate"])] = row

    # Non-dominated (accuracy max, projected life max) among the points of one rate; the
    # sweep's own `pareto` column is over all points, where every 2,000 /d point is dominated by
    # the same model at 20 /d.
    front = {}
    for r in RATES:
        pts = [(float(life[(m, r)]["accuracy"]), float(life[(m, r)]["projected_life_days"]), m)
               for m in args.models]
        for a, d, m in pts:
            front[(m, r)] = not any((a2 >= a and d2 >= d) and (a2 > a or d2 > d)
                                    for a2, d2, _ in pts)

    for fam in ("lenet5", "ds-cnn", "resnet"):
        ms = [m for m in args.models if family(m) == fam]
        if not ms:
            continue
        print(f"\n{fam}:\n")
        print("| model | parameters | MACs | int8 test acc. [95 % CI] (sim/nn) "
              + "".join(f"| {n}: cycles, latency, energy " for n, _ in CORES)
              + "| flash (M4) | battery life at 20 detections/d | at 2,000/d |")
        print("|---" * (5 + len(CORES) + 2) + "|")
        for m in ms:
            j = infer[(m, CORES[0][0])]
            acc = j["accuracy"]
            lo, hi = acc["top1_int8_ci95"]
            cells = []
            for n, _ in CORES:
                t = infer[(m, n)]["total"]
                cells.append(f"{t['cycles']:,.0f}, {1e3 * t['latency_s']:.2f} ms, "
                             f"{1e6 * t['energy_J']:.1f} uJ")
            lives = []
            for r in RATES:
                row = life[(m, r)]
                marks = [w for w, on in (("sweep front", row["pareto"] == "true"),
                                         ("front at this rate", front[(m, r)])) if on]
                lives.append(f"{float(row['projected_life_days']):.1f} d"
                             + (f" ({', '.join(marks)})" if marks else ""))
            print(f"| `{os.path.basename(m)}` | {j['parameters']['total']:,} "
                  f"| {j['total']['macs']:,} "
                  f"| {100 * acc['top1_int8']:.2f} % [{100 * lo:.2f}, {100 * hi:.2f}] | "
                  + " | ".join(cells)
                  + f" | {j['flash_bytes_used']:,} B | " + " | ".join(lives) + " |")

    plot(args, infer, life)


def plot(args, infer, life):
    """DIR/tradeoff.{png,svg}: accuracy against parameters, cycles per core and battery life."""
    fams = [f for f in ("lenet5", "ds-cnn", "resnet") if any(family(m) == f for m in args.models)]
    data = os.path.join(args.o, "tradeoff.dat")
    with open(data, "w") as f:
        for fam in fams:  # one gnuplot data block per architecture, models by parameters
            ms = sorted((m for m in args.models if family(m) == fam),
                        key=lambda m: -infer[(m, CORES[0][0])]["parameters"]["total"])
            f.write(f"# {fam}\n")
            for m in ms:
                j = infer[(m, CORES[0][0])]
                lo, hi = j["accuracy"]["top1_int8_ci95"]
                cyc = [infer[(m, n)]["total"]["cycles"] for n, _ in CORES]
                f.write(f"{j['parameters']['total']} {100 * j['accuracy']['top1_int8']:.4f} "
                        f"{100 * lo:.4f} {100 * hi:.4f} {cyc[0]:.0f} {cyc[1]:.0f} "
                        f"{float(life[(m, RATES[1])]['projected_life_days']):.4f}\n")
            f.write("\n\n")
    panels = [("parameters (weights and biases)", 1, "set logscale x"),
              (f"cycles per inference, {CORES[0][0]}", 5, "set logscale x"),
              (f"cycles per inference, {CORES[1][0]}", 6, "set logscale x"),
              ("battery life at 2,000 detections/d, reference node without its panel (days)",
               7, "unset logscale x")]
    script = []
    for ext, term in (("png", "pngcairo size 1400,1000 font 'sans,10'"),
                      ("svg", "svg size 1400,1000 font 'sans,10'")):
        script += [f"set terminal {term}", f"set output '{os.path.join(args.o, 'tradeoff.' + ext)}'",
                   "set multiplot layout 2,2 title 'Accuracy against cost (int8, 2,000 test "
                   "digits, 95 % Wilson intervals)'",
                   "set grid", "set ylabel 'int8 test accuracy (%)'", "set key bottom right"]
        for label, col, log in panels:
            script += [log, f"set xlabel '{label}'",
                       "plot " + ", ".join(
                           f"'{data}' index {i} using {col}:2:3:4 with yerrorlines "
                           f"pt {7 + 2 * i} lw 1.5 title '{fam}'" for i, fam in enumerate(fams))]
        script += ["unset multiplot", "unset output"]
    subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True, check=True)


if __name__ == "__main__":
    main()
