#include "sim/power/ideal_battery.h"

#include <gtest/gtest.h>

namespace ej::power {
namespace {

// All expected values are products of a few decimal figures: 1e-9 mAh is far above the
// rounding of doubles and far below any figure that matters.
constexpr double kTol_mAh = 1e-9;

TEST(IdealBatteryTest, DischargesAtTheLoadCurrent) {
  IdealBattery b(milliampereHours(2000), volts(3.7), ratio(1), ratio(1));
  const auto step = b.advance(milliamperes(120), hours(10));
  EXPECT_NEAR(in_mAh(step.drawn), 1200.0, kTol_mAh);
  EXPECT_NEAR(in_mAh(b.remaining()), 800.0, kTol_mAh);
  EXPECT_NEAR(b.stateOfCharge().value(), 0.4, 1e-12);
  // 2000 mAh at 120 mA from full: 16.667 h; the remaining 800 mAh: 6.667 h.
  EXPECT_NEAR(in_h(*b.timeToEmpty(milliamperes(120))), 800.0 / 120.0, 1e-12);
  EXPECT_FALSE(b.timeToEmpty(milliamperes(-1)));
  EXPECT_DOUBLE_EQ(in_V(b.terminalVoltage(milliamperes(500))), 3.7);
}

TEST(IdealBatteryTest, ClipsAtEmpty) {
  IdealBattery b(milliampereHours(100), volts(3.0), ratio(0.5), ratio(1));
  const auto step = b.advance(milliamperes(10), hours(10));  // asks 100 mAh, holds 50
  EXPECT_NEAR(in_mAh(step.drawn), 50.0, kTol_mAh);
  EXPECT_TRUE(b.empty());
}

TEST(IdealBatteryTest, ChargesWithEfficiencyAndWastesBeyondFull) {
  IdealBattery b(milliampereHours(2000), volts(3.7), ratio(0.9), ratio(0.8));
  // 195 mA offered for 3 h = 585 mAh; 80 % of it is 468 mAh but only 200 mAh fit.
  const auto step = b.advance(milliamperes(-195), hours(3));
  EXPECT_NEAR(in_mAh(step.accepted), 200.0, kTol_mAh);
  EXPECT_NEAR(in_mAh(step.wasted), 385.0, kTol_mAh);
  EXPECT_NEAR(in_mAh(b.remaining()), 2000.0, kTol_mAh);
}

TEST(IdealBatteryTest, HasItsNominalVoltageWhateverTheLoad) {
  // No resistance: a brown-out threshold below the nominal voltage is never reached, one
  // above it is reached at once.
  IdealBattery b(milliampereHours(100), volts(3.7), ratio(1), ratio(1));
  EXPECT_FALSE(b.timeToVoltage(volts(3.3), amperes(10)).has_value());
  EXPECT_EQ(in_s(*b.timeToVoltage(volts(3.8), amperes(0))), 0.0);
}

}  // namespace
}  // namespace ej::power
