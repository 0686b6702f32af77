// The hand-calculation cell of the battery tests: C = 3600 C (1 Ah), c = 0.5, k = 1e-3 /s,
// OCV 3.0 V (empty) to 4.2 V (full), R = 0.1 Ohm, cutoff 3.0 V: round numbers.
#pragma once

#include "sim/power/battery/battery_params.h"

namespace ej::battery::test {

inline BatteryPartParams handCell() {
  BatteryPartParams p;
  p.model = "kibam";
  p.capacity = coulombs(3600);
  p.voltage = volts(3.7);
  p.cutoffVoltage = volts(3.0);
  p.kibamC = ratio(0.5);
  p.kibamK = hertz(1e-3);
  p.ocv = OcvCurve({{0.0, volts(3.0)}, {1.0, volts(4.2)}});
  p.internalResistance = Resistance::from_value(0.1);
  return p;
}

}  // namespace ej::battery::test
