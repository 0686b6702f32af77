#include "sim/harvest/constant_harvester.h"

#include <gtest/gtest.h>

#include "sim/core/sim_time.h"
#include "sim/power/battery_module.h"
#include "sim/power/ideal_battery.h"
#include "sim/power/power_bus.h"

namespace ej::harvest {
namespace {

// Runs a harvester with a 22:00 + 4 h window (it wraps midnight) for 2 days from a start
// PHASE after midnight and returns the hours of sun the ledger saw.
double sunHours(Time phase) {
  core::setKernelTimeResolution();
  power::BatteryModule battery(
      "battery", std::make_unique<power::IdealBattery>(milliampereHours(1000), volts(3.7),
                                                       ratio(0.5), ratio(1)));
  power::PowerBus bus("bus");
  ConstantHarvester harvester("harvester", {milliamperes(200), hours(22), hours(4)}, phase);
  bus.storage(battery);
  harvester.power(bus);
  sc_core::sc_start(core::toScTime(days(2)));
  bus.settle();
  return in_h(bus.ledger().component(0).states[1].time);
}

// From midnight, two days hold the windows 00:00-02:00, 22:00-02:00 and 22:00-24:00: 8 h.
TEST(ConstantHarvesterTest, WindowOpenAtTheStartCounts) {
  EXPECT_NEAR(sunHours(Time()), 8.0, 1e-9);
}

// From 23:00 the run covers 23:00-02:00 (3 h), 22:00-02:00 (4 h) and 22:00-23:00 (1 h): 8 h.
TEST(ConstantHarvesterTest, StartInsideTheWindow) { EXPECT_NEAR(sunHours(hours(23)), 8.0, 1e-9); }

TEST(ConstantHarvesterTest, ParamsAreChecked) {
  const auto cfg =
      core::Config::parse("current: 200 mA\nstart: \"25:00\"\nduration: 3 h\n", "h.yaml");
  EXPECT_THROW(ConstantHarvesterParams::fromConfig(cfg), core::ConfigError);
  const auto longCfg =
      core::Config::parse("current: 200 mA\nstart: \"10:00\"\nduration: 25 h\n", "h.yaml");
  EXPECT_THROW(ConstantHarvesterParams::fromConfig(longCfg), core::ConfigError);
}

}  // namespace
}  // namespace ej::harvest
