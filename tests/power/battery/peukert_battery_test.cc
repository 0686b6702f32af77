// Peukert's law against hand calculation.
#include "sim/power/battery/peukert_battery.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ej::battery {
namespace {

BatteryParams peukertCell(double n) {
  BatteryParams p;
  p.model = BatteryParams::Model::Peukert;
  p.capacity = milliampereHours(2600);
  p.voltage = volts(3.63);
  p.cutoffVoltage = volts(2.75);
  p.peukertExponent = n;
  p.peukertRatedTime = hours(5);
  p.ocv = OcvCurve({{0.0, volts(2.75)}, {1.0, volts(4.2)}});
  return p;
}

TEST(PeukertBatteryTest, LifetimeMatchesHandCalculation) {
  PeukertBattery b(peukertCell(1.2));
  // 1C = 2.6 A: t = H (C/(I H))^n = 5 h * 0.2^1.2 = 0.724780 h.
  EXPECT_NEAR(in_h(*b.timeToEmpty(amperes(2.6))), 0.7247797, 1e-6);
  // At the rated current 0.52 A the rated 5 h.
  EXPECT_NEAR(in_h(*b.timeToEmpty(amperes(0.52))), 5.0, 1e-9);
  // Below it the capacity is capped at its rating: 2600 mAh / 52 mA = 50 h.
  EXPECT_NEAR(in_h(*b.timeToEmpty(amperes(0.052))), 50.0, 1e-9);
}

TEST(PeukertBatteryTest, AdvanceStopsAtEmptyAndChargesWithEfficiency) {
  auto p = peukertCell(1.2);
  p.chargeEfficiency = ratio(0.9);
  PeukertBattery b(p);
  const Time t = *b.timeToEmpty(amperes(2.6));
  const auto step = b.advance(amperes(2.6), t * 2.0);
  EXPECT_NEAR(in_C(step.drawn), 2.6 * in_s(t), 1e-6);
  EXPECT_TRUE(b.empty());
  // Charge 0.5 A for 1 h: 0.45 Ah stored, 0.05 Ah wasted.
  const auto c = b.advance(amperes(-0.5), hours(1));
  EXPECT_NEAR(in_mAh(c.accepted), 450.0, 1e-6);
  EXPECT_NEAR(in_mAh(c.wasted), 50.0, 1e-6);
  EXPECT_NEAR(in_mAh(b.remaining()), 450.0, 1e-6);
  // Overfill: 10 A for 1 h can add only 2150 mAh more; the rest is wasted.
  const auto full = b.advance(amperes(-10), hours(1));
  EXPECT_NEAR(in_mAh(full.accepted), 2150.0, 1e-6);
  EXPECT_NEAR(in_mAh(full.wasted), 10000.0 - 2150.0, 1e-6);
}

}  // namespace
}  // namespace ej::battery
