#!/usr/bin/env bash
# Regenerates every model in models/ (see models/README.md). Deterministic for a given build:
# fixed split, fixed seeds, single-threaded Eigen. Takes about 10 minutes on 2 shared cores.
# Usage: models/regenerate.sh [path/to/edgejoule]   (default: build/release/edgejoule)
set -euo pipefail
cd "$(dirname "$0")/.."
ej=${1:-build/release/edgejoule}
log=${TMPDIR:-/tmp}/ej-regenerate.log
: > "$log"

run() {
  echo "+ $*" | tee -a "$log" >&2
  "$@" --json 2>>"$log" | tee -a "$log"
}
params_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["params"])' "$1"; }

run "$ej" train --out models/lenet5-dense.onnx --epochs 40 --seed 1 > /tmp/ej-dense.json
run "$ej" prune --method s --target-params 3500 --from models/lenet5-dense.onnx \
  --out models/lenet5-s-13x.onnx --seed 1 --shift 0 > /tmp/ej-s13.json
# 88x: iterative, from each method's 13x model (one step from the dense model collapses to
# conv 4-3, dense 1-3-10 at 40 %; see models/README.md). Random shifts keep L_task away from zero,
# which the S-method's gate term is proportional to.
run "$ej" prune --method s --target-params 505 --from models/lenet5-s-13x.onnx \
  --out models/lenet5-s-88x.onnx --seed 1 > /tmp/ej-s88.json
# The magnitude baseline at exactly the S-method's parameter counts.
run "$ej" prune --method magnitude --target-params "$(params_of /tmp/ej-s13.json)" \
  --from models/lenet5-dense.onnx --out models/lenet5-magnitude-13x.onnx --seed 1 --shift 0 > /tmp/ej-m13.json
run "$ej" prune --method magnitude --target-params "$(params_of /tmp/ej-s88.json)" \
  --from models/lenet5-magnitude-13x.onnx --out models/lenet5-magnitude-88x.onnx --seed 1 --shift 0 > /tmp/ej-m88.json

# The table of models/README.md, from the JSON each run printed.
python3 - /tmp/ej-dense.json /tmp/ej-s13.json /tmp/ej-m13.json /tmp/ej-s88.json /tmp/ej-m88.json <<'PY' | tee -a "$log"
import json, os, sys
print("| model | method | architecture | parameters (nonzero) | float32 .onnx bytes | int8 .onnx bytes | test acc. float32 | test acc. int8 | training time |")
print("|---|---|---|---|---|---|---|---|---|")
for f in sys.argv[1:]:
    j = json.load(open(f))
    name = os.path.basename(j["float_onnx"])
    print(f"| `{name}` | {j['method']} | {j['architecture']} | {j['params']:,} ({j['nonzero_params']:,}) "
          f"| {j['float_onnx_bytes']:,} | {j['int8_onnx_bytes']:,} | {100*j['test_accuracy']:.2f} % "
          f"| {100*j['int8_test_accuracy']:.2f} % | {j['train_seconds']:.0f} s |")
for f in sys.argv[1:]:
    j = json.load(open(f))
    print(f"- `{os.path.basename(j['float_onnx'])}`: `{j['command']}`")
PY
