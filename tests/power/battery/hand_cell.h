// The hand-calculation cell of the battery tests: C = 3600 C (1 Ah), c = 0.5, k = 1e-3 /s,
// OCV 3.0 V (empty) to 4.2 V (full), R = 0.1 Ohm, cutoff 3.0 V: round numbers.
#pragma once

#include "sim/power/battery/battery_params.h"

namespace ej::battery::test {

inline BatteryParams handCell() {
  BatteryParams p;
  p.model = BatteryParams::Model::Kibam;
  p.capacity = coulombs(3600);
  p.voltage = volts(3.7);
  p.cutoffVoltage = volts(3.0);
  p.kibamC = ratio(0.5);
  p.kibamK = hertz(1e-3);
  p.ocv = OcvCurve({{0.0, volts(3.0)}, {1.0, volts(4.2)}});
  p.internalResistance = Resistance::from_value(0.1);
  return p;
}

// Independent reference for KiBaM: one RK4 step of H on dy1/dt = -I + k (c y2 - (1-c) y1),
// dy2/dt = -k (c y2 - (1-c) y1) (Manwell & McGowan's eq. 4-5 written with k' = k / (c (1-c))
// of the heights), for the available (Y1) and bound (Y2) charge at constant current I.
inline void rk4Step(double c, double k, double i, double h, double& y1, double& y2) {
  auto f = [&](double a, double b, double& da, double& db) {
    const double flow = k * (c * b - (1 - c) * a);
    da = -i + flow;
    db = -flow;
  };
  double a1, b1, a2, b2, a3, b3, a4, b4;
  f(y1, y2, a1, b1);
  f(y1 + h / 2 * a1, y2 + h / 2 * b1, a2, b2);
  f(y1 + h / 2 * a2, y2 + h / 2 * b2, a3, b3);
  f(y1 + h * a3, y2 + h * b3, a4, b4);
  y1 += h / 6 * (a1 + 2 * a2 + 2 * a3 + a4);
  y2 += h / 6 * (b1 + 2 * b2 + 2 * b3 + b4);
}

}  // namespace ej::battery::test
