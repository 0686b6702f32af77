// Brown-out on the loaded voltage (OCV(SOC) - I R below a threshold) and capacity against
// temperature, against hand calculations and an independent Runge-Kutta integration.
#include <gtest/gtest.h>

#include "sim/power/battery/battery_params.h"
#include "sim/power/battery/kibam_battery.h"
#include "sim/power/battery/peukert_battery.h"
#include "tests/power/battery/hand_cell.h"

namespace ej::battery {
namespace {

TEST(OcvCurveTest, SocAtInvertsTheCurve) {
  const OcvCurve ocv({{0.0, volts(2.75)}, {0.5, volts(3.63)}, {1.0, volts(4.2)}});
  // 3.19 V is halfway between 2.75 and 3.63: soc 0.25. 3.915 V halfway up the upper piece.
  EXPECT_NEAR(*ocv.socAt(volts(3.19)), 0.25, 1e-12);
  EXPECT_NEAR(*ocv.socAt(volts(3.915)), 0.75, 1e-12);
  EXPECT_DOUBLE_EQ(*ocv.socAt(volts(2.0)), 0.0);  // at or below the first point
  EXPECT_DOUBLE_EQ(*ocv.socAt(volts(4.2)), 1.0);
  EXPECT_FALSE(ocv.socAt(volts(4.3)).has_value());  // above the full cell
  // A flat plateau: the lowest state of charge at which it is reached.
  const OcvCurve flat({{0.0, volts(2.5)}, {0.1, volts(3.2)}, {0.9, volts(3.2)}, {1, volts(3.6)}});
  EXPECT_NEAR(*flat.socAt(volts(3.2)), 0.1, 1e-12);
}

using test::handCell;  // tests/power/battery/hand_cell.h

using test::rk4Step;

TEST(BrownOutVoltageTest, KibamFindsTheWellLevelWhereTheLoadedVoltageHitsTheThreshold) {
  // At 1 A the terminal voltage is OCV(h) - 0.1 V; it falls below 3.4 V when OCV(h) < 3.5 V,
  // i.e. h < 0.5 / 1.2 = 0.416667: the available well at 0.416667 * 0.5 * 3600 = 750 C.
  KibamBattery b(handCell());
  const auto t = b.timeToVoltage(volts(3.4), amperes(1));
  ASSERT_TRUE(t.has_value());
  // Independent: RK4 from full (1800 C in each well) in 0.01 s steps until y1 <= 750 C.
  double y1 = 1800, y2 = 1800, time = 0;
  while (y1 > 750) {
    rk4Step(0.5, 1e-3, 1.0, 0.01, y1, y2);
    time += 0.01;
  }
  // One RK4 step of 0.01 s at ~1 A moves y1 by ~0.01 C: the crossing is known to 0.01 s.
  EXPECT_NEAR(in_s(*t), time, 0.01);
  b.advance(amperes(1), *t);
  EXPECT_NEAR(in_V(b.terminalVoltage(amperes(1))), 3.4, 1e-9);
  // It is the cutoff that matters, not the empty well: far earlier than timeToEmpty().
  EXPECT_LT(in_s(*t), in_s(*KibamBattery(handCell()).timeToEmpty(amperes(1))));
}

TEST(BrownOutVoltageTest, KibamThresholdMovesWithTheCurrent) {
  KibamBattery b(handCell());
  // Above the full cell's OCV less I R: browned out at once (4.2 - 0.1 * 2 = 4.0 < 4.1).
  EXPECT_EQ(in_s(*b.timeToVoltage(volts(4.1), amperes(2))), 0.0);
  // At the cutoff itself (OCV at soc 0) only the empty well browns out: no earlier instant.
  EXPECT_FALSE(b.timeToVoltage(volts(3.0), amperes(0)).has_value());
  // At rest from full the well never sinks: never.
  EXPECT_FALSE(b.timeToVoltage(volts(3.4), amperes(0)).has_value());
  // No threshold, no brown-out on voltage.
  EXPECT_FALSE(b.timeToVoltage(volts(0), amperes(1)).has_value());
}

TEST(BrownOutVoltageTest, PeukertReachesTheThresholdLinearly) {
  // 1000 mAh, n = 1, OCV 3.0-4.0 V, R = 0.5 Ohm, 200 mA: OCV must stay above
  // 3.0 + 0.1 = 3.1 V, soc 0.1, 100 mAh; from full 900 mAh / 200 mA = 4.5 h.
  BatteryParams p;
  p.model = BatteryParams::Model::Peukert;
  p.capacity = milliampereHours(1000);
  p.voltage = volts(3.5);
  p.ocv = OcvCurve({{0.0, volts(3.0)}, {1.0, volts(4.0)}});
  p.internalResistance = Resistance::from_value(0.5);
  PeukertBattery b(p);
  EXPECT_NEAR(in_h(*b.timeToVoltage(volts(3.0), milliamperes(200))), 4.5, 1e-12);
}

TEST(CapacityTemperatureTest, DeratesLinearlyBetweenTheCurvesPoints) {
  const auto cfg = core::Config::parse(
      "model: kibam\ncapacity: 1000 mAh\nvoltage: 3.7 V\nkibam_c: 0.5\nkibam_k: 1e-3 /s\n"
      "capacity_vs_temperature:\n"
      "  - {temperature: -20 degC, capacity: 0.6}\n"
      "  - {temperature: 25 degC, capacity: 1.0}\n"
      "  - {temperature: 0 degC, capacity: 0.8}\n"
      "temperature: -10 degC\n",
      "inline.yaml");
  const auto p = BatteryParams::fromConfig(cfg);
  // -10 degC is halfway between -20 (0.6) and 0 degC (0.8): 0.7, 700 mAh.
  EXPECT_NEAR(p.capacityDerating.value(), 0.7, 1e-12);
  EXPECT_NEAR(in_mAh(p.capacity), 700.0, 1e-9);
  EXPECT_NEAR(
      p.capacityRatioAt(273.15 * boost::units::si::kelvin + 12.5 * boost::units::si::kelvin), 0.9,
      1e-12);
  EXPECT_NEAR(p.capacityRatioAt(233.15 * boost::units::si::kelvin), 0.6, 1e-12);  // flat below
}

TEST(CapacityTemperatureTest, ATemperatureWithoutACurveIsAnError) {
  const auto cfg = core::Config::parse(
      "model: kibam\ncapacity: 1000 mAh\nvoltage: 3.7 V\nkibam_c: 0.5\nkibam_k: 1e-3 /s\n"
      "temperature: 0 degC\n",
      "inline.yaml");
  try {
    BatteryParams::fromConfig(cfg);
    FAIL() << "expected a ConfigError";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("inline.yaml:6"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("temperature"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ej::battery
