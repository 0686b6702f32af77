#!/usr/bin/env python3
"""Writes a SYNTHETIC typical year for Trieste (not weather) in three files, to compare the
weather readers' time conventions (sim/harvest/solar/README.md, Weather files side by side).

Usage: tests/harvest/solar/synthetic_tmy.py OUT_DIR

Haurwitz clear sky x 0.6 (Haurwitz 1945, as in Reno et al., SAND2012-2389), split by Erbs et
al. (1982), a smooth air-temperature cycle; the sun by Spencer's (1971) Fourier series for
declination and equation of time. The files:
  tmy.json    PVGIS `tmy` JSON, the values AT the UTC stamp HH:00
  proper.epw  EPW at UTC+1 by EPW's rule: hour k = mean of 6 samples over local (k-1):00..k:00
  pvgis.epw   EPW written as PVGIS writes it (pvlib/data/tmy_45.000_8.000_2005_2016.epw):
              LOCATION time zone 1, hour k holding the JSON's value at UTC (k-1):00
"""
import datetime as dt
import json
import math
import os
import sys

if len(sys.argv) != 2:
    sys.exit("usage: synthetic_tmy.py OUT_DIR")
os.makedirs(sys.argv[1], exist_ok=True)
os.chdir(sys.argv[1])

LAT, LON = math.radians(45.65), 13.78
def ghi_at(t):  # t: UTC datetime
    n = t.timetuple().tm_yday; g = 2*math.pi/365*(n-1+(t.hour+t.minute/60-12)/24)
    dec = 0.006918-0.399912*math.cos(g)+0.070257*math.sin(g)-0.006758*math.cos(2*g)+0.000907*math.sin(2*g)-0.002697*math.cos(3*g)+0.00148*math.sin(3*g)
    eot = 229.18*(0.000075+0.001868*math.cos(g)-0.032077*math.sin(g)-0.014615*math.cos(2*g)-0.040849*math.sin(2*g))
    tst = t.hour*60+t.minute+eot+4*LON
    ha = math.radians(tst/4-180)
    cz = math.sin(LAT)*math.sin(dec)+math.cos(LAT)*math.cos(dec)*math.cos(ha)
    if cz <= 0.01: return 0.0, 0.0, 0.0, 0.0
    ghi = 0.6*1098*cz*math.exp(-0.057/cz)
    e0 = 1361*(1+0.033*math.cos(2*math.pi*n/365))
    kt = min(ghi/(e0*cz), 1.0)
    kd = 1-0.09*kt if kt <= 0.22 else (0.9511-0.1604*kt+4.388*kt**2-16.638*kt**3+12.336*kt**4 if kt <= 0.8 else 0.165)
    dhi = kd*ghi; dni = (ghi-dhi)/cz
    return ghi, dni, dhi, cz
def temp_at(t):
    n = t.timetuple().tm_yday; h = t.hour+t.minute/60
    return 14.5-9*math.cos(2*math.pi*(n-20)/365)+3*math.sin(2*math.pi*(h-9)/24)
t0 = dt.datetime(2013,1,1)
rows = []
for i in range(8760):
    t = t0+dt.timedelta(hours=i); g, b, d, _ = ghi_at(t)
    rows.append({"time(UTC)": t.strftime("%Y%m%d:%H%M"), "T2m": round(temp_at(t),2), "RH": 70.0, "G(h)": round(g,2), "Gb(n)": round(b,2), "Gd(h)": round(d,2), "IR(h)": 300.0, "WS10m": 2.0, "WD10m": 0.0, "SP": 101300.0})
json.dump({"inputs": {"location": {"latitude": 45.65, "longitude": 13.78, "elevation": 2}}, "outputs": {"months_selected": [{"month": m, "year": 2013} for m in range(1,13)], "tmy_hourly": rows}}, open("tmy.json","w"))
HEAD = "DESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\nGROUND TEMPERATURES,0\nHOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\nCOMMENTS 1,SYNTHETIC: not weather\nCOMMENTS 2,\nDATA PERIODS,1,1,Data,Tuesday, 1/ 1,12/31\n"
def epwline(t_local_end, T, g, b, d):
    y, m, dd, h = t_local_end
    return f"2013,{m},{dd},{h},0,?9?9?9?9E0?9?9?9?9*9?9?9?9?9?9?9?9?9?9*_*9*9*9?9?9,{T:.2f},5.0,70,101300,9999,9999,300,{g:.2f},{b:.2f},{d:.2f},999999,999999,999999,9999,0,2.0,99,99,9999,99999,9,999999999,999,0.999,999,99,999,999,99\n"
with open("proper.epw","w") as f:
    f.write("LOCATION,Trieste,FVG,ITA,SYNTHETIC,161100,45.65,13.78,1.0,2\n"+HEAD)
    L0 = dt.datetime(2013,1,1)  # local standard time UTC+1
    for i in range(8760):
        start_local = L0+dt.timedelta(hours=i); start_utc = start_local-dt.timedelta(hours=1)
        s = [ghi_at(start_utc+dt.timedelta(minutes=5+10*k)) for k in range(6)]
        T = temp_at(start_utc+dt.timedelta(minutes=30))
        g = sum(x[0] for x in s)/6; d = sum(x[2] for x in s)/6
        cz = sum(x[3] for x in s)/6
        b = (g-d)/cz if cz > 0.01 and g > 0 else 0.0
        b = min(b, 1400.0)
        f.write(epwline((2013, start_local.month, start_local.day, start_local.hour+1), T, g, b, d))
with open("pvgis.epw","w") as f:
    f.write("LOCATION,unknown,-,unknown,ECMWF/ERA,unknown,45.650000,13.780000,1,2\n"+HEAD)
    for i, r in enumerate(rows):
        t = t0+dt.timedelta(hours=i)
        f.write(epwline((2013, t.month, t.day, t.hour+1), r["T2m"], r["G(h)"], r["Gb(n)"], r["Gd(h)"]))
