#!/usr/bin/env python3
"""Writes issue 15's malformed weather traces and one scenario for each (sim/harvest/solar/
README.md, Malformed traces): hourly CSVs for Trieste from 2026-12-01, made-up values (not
weather), a small node reading them with `model: trace`.

Usage: tests/harvest/solar/malformed_traces.py OUT_DIR
then, from the repository: for f in OUT_DIR/*.yaml; do build/release/edgejoule check $f; done
"""
import datetime as dt
import math
import os
import sys

if len(sys.argv) != 2:
    sys.exit("usage: malformed_traces.py OUT_DIR")
os.makedirs(sys.argv[1], exist_ok=True)
os.chdir(sys.argv[1])

HEADER = "time,ghi,dni,dhi,temp_air\n"


def rows(start, hours, fmt=lambda t: t.strftime("%Y-%m-%dT%H:%MZ")):
    out = []
    for i in range(hours):
        t = start + dt.timedelta(hours=i)
        h = t.hour + t.minute / 60
        g = max(0.0, 300 * math.sin(math.pi * (h - 7) / 9)) if 7 < h < 16 else 0.0
        out.append(f"{fmt(t)},{g:.0f},0,{g:.0f},{3 + 2 * math.sin(math.pi * (h - 9) / 12):.1f}")
    return out


def write(name, lines, header=HEADER):
    with open(name, "w") as f:
        f.write(header + "\n".join(lines) + "\n")


START = dt.datetime(2026, 12, 1)
ok = rows(START, 49)  # 1 Dec 00:00 .. 3 Dec 00:00
write("ok.csv", ok)
write("ok3.csv", rows(START, 73))
a = list(ok); a[18] = "2026-12-01 18:00;0;0;0;3"; write("semicolon.csv", a)
b = list(ok); b[18] = "2026-12-01 18:00,0,0,0,3"; write("nozone.csv", b)
write("end2300.csv", rows(START, 48))  # ends 2 Dec 23:00
c = list(ok); c[10], c[11] = c[11], c[10]; write("unsorted.csv", c)
d = list(ok); d[12] = d[12].split(",")[0] + ",-5,0,0,4"; write("negative.csv", d)
e = list(ok); e[12] = e[12].split(",")[0] + ",5000,0,5000,4"; write("ghi5000.csv", e)
f = list(ok); f[12] = ",".join(f[12].split(",")[:4]); write("missingcol.csv", f)
write("offset.csv",
      rows(START, 49, lambda t: (t + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M+01:00")))
# PVGIS seriescalc CSV, HH:10 stamps, 1 Dec 00:10 .. 2 Dec 23:10
p = ["Latitude (decimal degrees):\t45.650", "Longitude (decimal degrees):\t13.780",
     "Elevation (m):\t10", "Radiation database:\tPVGIS-SARAH2", "",
     "time,G(h),Gb(n),Gd(h),T2m,WS10m,Int"]
for r in rows(START + dt.timedelta(minutes=10), 48, lambda t: t.strftime("%Y%m%d:%H%M")):
    t, g, _, dhi, temp = r.split(",")
    p.append(f"{t},{g},0,{dhi},{temp},2.0,0")
p += ["", "G(h): Global irradiance on the horizontal plane (W/m2)"]
with open("pvgis10.csv", "w") as out:
    out.write("\n".join(p) + "\n")

SCENARIO = """name: case-{name}
start: 2026-12-01T00:00:00Z
horizon: {horizon}
node:
  mcu:
    part: hw/mcu/stm32h743.yaml
  jobs:
    - name: work
      every: 2 h
      steps:
        - {{state: active, for: 50 ms}}
  harvester:
    model: solar
    step: 10 min
    site: {{latitude: 45.65 deg, longitude: 13.78 deg}}
    weather:
      model: trace
      file: {file}
      typical_year: {typical}
    panel: {{part: hw/solar/seeed_panel_2w5_116x160.yaml}}
    charger: {{model: mppt, efficiency: 85 %, current_limit: 500 mA}}
  regulator:
    part: hw/regulator/tps63802.yaml
  battery:
    part: hw/battery/lifepo4_26650_3300.yaml
    model: peukert
"""
for name, file, horizon, typical in [
        ("ok", "ok.csv", "2 d", "false"), ("semicolon", "semicolon.csv", "2 d", "false"),
        ("nozone", "nozone.csv", "2 d", "false"), ("end2300-2d", "end2300.csv", "2 d", "false"),
        ("end2300", "end2300.csv", "3 d", "false"), ("pvgis10", "pvgis10.csv", "2 d", "false"),
        ("typical3", "ok3.csv", "31 d", "true"), ("unsorted", "unsorted.csv", "2 d", "false"),
        ("negative", "negative.csv", "2 d", "false"), ("ghi5000", "ghi5000.csv", "2 d", "false"),
        ("missingcol", "missingcol.csv", "2 d", "false"), ("offset", "offset.csv", "2 d", "false")]:
    with open(f"{name}.yaml", "w") as out:
        out.write(SCENARIO.format(name=name, file=file, horizon=horizon, typical=typical))
