#!/usr/bin/env python3
"""Benchmark (not a test): the whole-network table, every shipped model x core x kernel library.

Runs the real tool, `edgejoule infer --json`, for every model in models/ on one part per
emulated core (M0+ RP2040, M4F STM32L4R5, M7 STM32H743, M33 nRF5340, RV32IMC ESP32-C3), with
the reference and the optimized kernels, on the emu backend at 0 flash wait states (a copy of
the part file with `flash_wait_states` 0), at the part's own wait states where it has any, and
on the analytic backend (at 0 WS). Prints Markdown: cycles/MAC, latency at the part's clock,
the analytic error, and beside each MLPerf Tiny row the published figure for the same class of
kernels on the same core (MLPerf Tiny v1.0, closed division, OctoML microTVM + CMSIS-NN).

    tests/bench/infer/networks.py [--edgejoule build/release/edgejoule] [--out results.json]
                                  [--models a,b] [--emu-samples N]

Results are kept in --out (JSON, one entry per run) and reused when the same run is asked for
again, so a stopped run resumes. Standard library only.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

PARTS = [  # (core label, part file)
    ("M0+", "hw/mcu/rp2040.yaml"),
    ("M4F", "hw/mcu/stm32l4r5.yaml"),
    ("M7", "hw/mcu/stm32h743.yaml"),
    ("M33", "hw/mcu/nrf5340.yaml"),
    ("RV32IMC", "hw/mcu/esp32c3.yaml"),
]

MLPERF = ["ds-cnn-kws", "mobilenet-v1-025-vww", "resnet8-cifar10", "fc-autoencoder-toyadmos"]

# MLPerf Tiny v1.0, closed division, OctoML "microtvm_cmsis_nn" (microTVM + CMSIS-NN),
# mlcommons/tiny_results_v1.0, closed/OctoML/results/microtvm_cmsis_nn/<board>/<task>/
# performance/results.txt, "Median throughput" (inferences/s). Clocks: NUCLEO-L4R5ZI 120 MHz,
# nRF5340-DK application core 128 MHz. cycles/MAC = clock / throughput / the model's MACs.
PUBLISHED = {
    ("ds-cnn-kws", "M4F"): (10.019, 120e6, "NUCLEO_L4R5ZI/kws"),
    ("mobilenet-v1-025-vww", "M4F"): (3.320, 120e6, "NUCLEO_L4R5ZI/vww"),
    ("resnet8-cifar10", "M4F"): (2.567, 120e6, "NUCLEO_L4R5ZI/ic"),
    ("fc-autoencoder-toyadmos", "M4F"): (116.212, 120e6, "NUCLEO_L4R5ZI/ad"),
    ("ds-cnn-kws", "M33"): (13.143, 128e6, "NRF5340-DK/kws"),
    ("mobilenet-v1-025-vww", "M33"): (4.310, 128e6, "NRF5340-DK/vww"),
    ("resnet8-cifar10", "M33"): (3.163, 128e6, "NRF5340-DK/ic"),
    ("fc-autoencoder-toyadmos", "M33"): (159.579, 128e6, "NRF5340-DK/ad"),
}


def zero_ws_part(part, tmp):
    """A copy of PART with flash_wait_states 0 (the cycles of the core alone)."""
    out = os.path.join(tmp, os.path.basename(part))
    with open(os.path.join(ROOT, part)) as f:
        lines = f.readlines()
    with open(out, "w") as f:
        for line in lines:
            if line.startswith("flash_wait_states:"):
                line = 'flash_wait_states: {value: 0, source: "benchmark: the core alone"}\n'
            f.write(line)
    return out


def wait_states(part):
    with open(os.path.join(ROOT, part)) as f:
        for line in f:
            if line.startswith("flash_wait_states:"):
                return int(line.split("value:")[1].split(",")[0])
    return 0


def infer(exe, model, part, kernels, backend, emu_samples):
    cmd = [exe, "infer", "--model", model, "--mcu", part, "--kernels", kernels, "--backend",
           backend, "--samples", "0", "--emu-samples", str(emu_samples), "--json"]
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if r.returncode not in (0, 3):  # 3: does not fit (still profiled)
        sys.exit(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr.strip()}")
    j = json.loads(r.stdout)
    return {"cycles": j["total"]["cycles"], "macs": j["total"]["macs"],
            "latency_s": j["total"]["latency_s"], "fits": j.get("fits"),
            "seconds": time.monotonic() - t0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edgejoule", default=os.path.join(ROOT, "build/release/edgejoule"))
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "ej-networks.json"))
    ap.add_argument("--models", default="")
    ap.add_argument("--emu-samples", type=int, default=1)
    a = ap.parse_args()
    models = sorted(m[:-5] for m in os.listdir(os.path.join(ROOT, "models")) if m.endswith(".onnx"))
    if a.models:
        models = a.models.split(",")
    done = {}
    if os.path.exists(a.out):
        with open(a.out) as f:
            done = json.load(f)
    tmp = tempfile.mkdtemp(prefix="ej-networks-")

    def get(model, label, part, kernels, backend, ws0):
        key = f"{model}|{label}|{kernels}|{backend}|{'ws0' if ws0 else 'ws'}"
        if key not in done:
            p = zero_ws_part(part, tmp) if ws0 else os.path.join(ROOT, part)
            done[key] = infer(a.edgejoule, f"models/{model}.onnx", p, kernels, backend,
                              a.emu_samples)
            with open(a.out + ".tmp", "w") as f:
                json.dump(done, f, indent=1)
            os.replace(a.out + ".tmp", a.out)
            print(f"  {key}: {done[key]['cycles']:.0f} cycles ({done[key]['seconds']:.1f} s)",
                  file=sys.stderr)
        return done[key]

    rows = []
    for model in models:
        for label, part in PARTS:
            ws = wait_states(part)
            for kernels in ("reference", "optimized"):
                emu = get(model, label, part, kernels, "emu", True)
                emu_ws = get(model, label, part, kernels, "emu", False) if ws else emu
                ana = get(model, label, part, kernels, "analytic", True)
                rows.append((model, label, part, ws, kernels, emu, emu_ws, ana))

    print("| network | core (part, clock) | kernels | cycles (0 WS) | cycles/MAC | latency "
          "(part's WS) | analytic vs emu | published cycles/MAC (ratio ours/published) |")
    print("|---|---|---|---|---|---|---|---|")
    for model, label, part, ws, kernels, emu, emu_ws, ana in rows:
        cpm = emu["cycles"] / emu["macs"]
        pub = ""
        if kernels == "optimized" and (model, label) in PUBLISHED:
            thr, clock, where = PUBLISHED[(model, label)]
            p = clock / thr / emu["macs"]
            pub = f"{p:.2f} ({cpm / p:.2f}; with {ws} WS {emu_ws['cycles'] / emu['macs'] / p:.2f})" \
                if ws else f"{p:.2f} ({cpm / p:.2f})"
        lat = emu_ws["latency_s"] * 1e3
        err = 100.0 * (ana["cycles"] - emu["cycles"]) / emu["cycles"]
        print(f"| {model} | {label} ({os.path.basename(part)[:-5]}) | {kernels} | "
              f"{emu['cycles']:,.0f} | {cpm:.2f} | {lat:,.2f} ms ({ws} WS) | {err:+.2f} % | {pub} |")
    # The compact matrix: a row per network and kernel library, a column per core.
    print("\n| network | kernels | " + " | ".join(
        f"{label} ({os.path.basename(part)[:-5]})" for label, part in PARTS) + " |")
    print("|---|---|" + "---|" * len(PARTS))
    cells = {}
    for model, label, part, ws, kernels, emu, emu_ws, ana in rows:
        cpm = emu["cycles"] / emu["macs"]
        cell = f"{cpm:.2f} ({emu_ws['latency_s'] * 1e3:,.1f} ms)"
        if kernels == "optimized" and (model, label) in PUBLISHED:
            thr, clock, _ = PUBLISHED[(model, label)]
            cell += f"; published {clock / thr / emu['macs']:.2f}"
        cells[(model, kernels, label)] = cell
    for model in models:
        for kernels in ("reference", "optimized"):
            print(f"| {model} | {kernels} | " +
                  " | ".join(cells[(model, kernels, label)] for label, _ in PARTS) + " |")
    worst = max(abs(100.0 * (r[7]["cycles"] - r[5]["cycles"]) / r[5]["cycles"]) for r in rows)
    print(f"\nworst |analytic - emu| / emu: {worst:.2f} % over {len(rows)} rows")


if __name__ == "__main__":
    main()
