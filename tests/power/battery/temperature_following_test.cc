// A capacity that follows the cell temperature (`temperature: weather`): the charge stays,
// the cold locks part of it at the bottom, warmth gives it back. Hand calculations.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "sim/power/battery/kibam_battery.h"
#include "sim/power/battery/peukert_battery.h"
#include "sim/power/battery_factory.h"

namespace ej::battery {
namespace {

Temperature celsius(double c) { return (273.15 + c) * boost::units::si::kelvin; }

// C = 3600 C (1 Ah), c = 0.5, k = 1e-3 /s (the hand cell of kibam_battery_test.cc), no
// self-discharge: every coulomb is accounted for by hand.
BatteryParams handCell() {
  BatteryParams p;
  p.model = BatteryParams::Model::Kibam;
  p.capacity = coulombs(3600);
  p.voltage = volts(3.7);
  p.kibamC = ratio(0.5);
  p.kibamK = hertz(1e-3);
  p.ocv = OcvCurve({{0.0, volts(3.0)}, {1.0, volts(4.2)}});
  return p;
}

// Halving the capacity (cold) locks 1800 C at equal heights: 900 C of each 1800 C well. The
// free wells (900, 900) are a rested KiBaM of 1800 C: at 1 A the available well follows
// y1(t) = alpha + beta e^{-kt} + gamma t with alpha = y0 c - I (1-c)/k = 900 - 500 = 400,
// beta = y1 - y0 c + I (1-c)/k = 500, gamma = -I c = -0.5: 400 + 500 e^{-0.001 t} - 0.5 t = 0
// at t = 1124.7377 s (bisection by hand to 1e-4 s); then y2 = 900 e + 900 (1 - e)
// - 0.5 (kt - 1 + e)/k = 675.2623 C. Warm again, the 1800 C come back: 900 + 0 in the
// available well, 900 + 675.2623 in the bound one, 3600 - 1124.7377 C in all.
TEST(TemperatureFollowingTest, KibamLocksChargeInTheColdAndGivesItBackWhenWarm) {
  KibamBattery b(handCell());
  b.setCapacity(coulombs(1800));
  EXPECT_NEAR(in_C(b.available()), 900.0, 1e-9);
  EXPECT_NEAR(in_C(b.bound()), 900.0, 1e-9);
  const auto tEmpty = b.timeToEmpty(amperes(1));
  ASSERT_TRUE(tEmpty.has_value());
  // 1e-4 s: the rounding of the hand bisection.
  EXPECT_NEAR(in_s(*tEmpty), 1124.7377, 1e-4);
  // The same as a fresh 1800 C cell with the same c and k (the flow between the wells does
  // not see a shift at equal heights): 1e-9 s, the root finder's precision.
  auto fresh = handCell();
  fresh.capacity = coulombs(1800);
  EXPECT_NEAR(in_s(*KibamBattery(fresh).timeToEmpty(amperes(1))), in_s(*tEmpty), 1e-9);

  // Run it empty, with 10 s to spare: the load gets nothing more; the wells recover a little.
  const auto step = b.advance(amperes(1), *tEmpty + seconds(10));
  EXPECT_NEAR(in_C(step.drawn), 1124.7377, 1e-4);
  EXPECT_GT(in_C(b.available()), 0.0);  // recovery at rest after the brown-out
  // Warm again: the locked 1800 C are back and nothing else (no charge is created).
  b.setCapacity(coulombs(3600));
  EXPECT_NEAR(in_C(b.remaining()), 3600 - 1124.7377, 1e-4);
  EXPECT_NEAR(in_C(b.remaining()) + in_C(step.drawn), 3600.0, 1e-9);  // exact balance
  EXPECT_FALSE(b.empty());
  EXPECT_GT(in_C(b.available()), 900.0);  // the well's free part plus its 900 C lock
}

// A cell at 30 % (1080 C: 540 C per well) cooled to half capacity: the lock (900 C per
// well) is more than it holds, so nothing is deliverable and the free wells are negative
// (-360 C each). A charge of 0.5 A for 1000 s (500 C, efficiency 1) goes in; warm again
// it holds 1080 + 500 = 1580 C: the charge stored in the cold was neither lost nor doubled.
TEST(TemperatureFollowingTest, KibamChargedWhileLockedKeepsExactlyWhatWentIn) {
  auto p = handCell();
  p.initialSoc = ratio(0.3);
  KibamBattery b(p);
  b.setCapacity(coulombs(1800));
  EXPECT_TRUE(b.empty());
  EXPECT_DOUBLE_EQ(in_C(b.remaining()), 0.0);
  EXPECT_NEAR(in_s(*b.timeToEmpty(amperes(0.1))), 0.0, 0.0);
  // A load on a locked cell gets nothing, and (at equal heights) the wells stay put.
  EXPECT_NEAR(in_C(b.advance(amperes(0.1), seconds(100)).drawn), 0.0, 0.0);
  EXPECT_NEAR(in_C(b.available()), -360.0, 1e-9);
  const auto charged = b.advance(amperes(-0.5), seconds(1000));
  EXPECT_NEAR(in_C(charged.accepted), 500.0, 1e-9);
  EXPECT_NEAR(in_C(charged.wasted), 0.0, 1e-9);
  b.setCapacity(coulombs(3600));
  // 1e-9 C: sums of a few terms of 1e3 C in double precision.
  EXPECT_NEAR(in_C(b.remaining()), 1580.0, 1e-9);
}

// Peukert with n = 1 is a counter: 1000 mAh at 100 mA. At 2 h (200 mAh drawn) the cell cools
// to 70 % (locks 300 mAh): 500 mAh left, 5 h more. Warm again at once: 800 mAh, 8 h.
TEST(TemperatureFollowingTest, PeukertCounterMovesWithTheCapacity) {
  auto p = handCell();
  p.model = BatteryParams::Model::Peukert;
  p.capacity = milliampereHours(1000);
  PeukertBattery b(p);
  b.advance(milliamperes(100), hours(2));
  b.setCapacity(milliampereHours(700));
  EXPECT_NEAR(in_h(*b.timeToEmpty(milliamperes(100))), 5.0, 1e-12);  // double rounding
  EXPECT_NEAR(b.stateOfCharge().value(), 500.0 / 700.0, 1e-12);
  b.setCapacity(milliampereHours(1000));
  EXPECT_NEAR(in_h(*b.timeToEmpty(milliamperes(100))), 8.0, 1e-12);
}

const char* kCell =
    "model: kibam\ncapacity: 1000 mAh\nvoltage: 3.7 V\nkibam_c: 0.5\nkibam_k: 1e-3 /s\n";

TEST(TemperatureFollowingTest, WeatherBuildsTheCellFullAtTheCurvesLargestAndFollowsIt) {
  const auto cfg = core::Config::parse(std::string(kCell) +
                                           "capacity_vs_temperature:\n"
                                           "  - {temperature: -20 degC, capacity: 0.6}\n"
                                           "  - {temperature: 25 degC, capacity: 1.0}\n"
                                           "  - {temperature: 0 degC, capacity: 0.8}\n"
                                           "temperature: weather\n",
                                       "inline.yaml");
  auto model = power::createBatteryModel(cfg);
  ASSERT_TRUE(model->followsTemperature());
  EXPECT_NEAR(in_mAh(model->capacity()), 1000.0, 1e-9);
  // -10 degC: halfway between 0.6 and 0.8, 700 mAh, all of it deliverable from full.
  EXPECT_TRUE(model->setCellTemperature(celsius(-10)));
  EXPECT_NEAR(in_mAh(model->capacity()), 700.0, 1e-9);
  EXPECT_NEAR(in_mAh(model->remaining()), 700.0, 1e-9);
  EXPECT_FALSE(model->setCellTemperature(celsius(-10)));  // no change, no event
  // Warmer than the curve's last point: flat at 1.0.
  EXPECT_TRUE(model->setCellTemperature(celsius(40)));
  EXPECT_NEAR(in_mAh(model->remaining()), 1000.0, 1e-9);
}

TEST(TemperatureFollowingTest, WeatherWithoutACurveIsAnErrorAtItsLine) {
  const auto cfg =
      core::Config::parse(std::string(kCell) + "temperature: weather\n", "inline.yaml");
  try {
    power::createBatteryModel(cfg);
    FAIL() << "expected a ConfigError";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("inline.yaml:6"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("temperature"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ej::battery
