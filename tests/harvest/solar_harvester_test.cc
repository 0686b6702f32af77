// The solar harvester's night skip: the same harvest with fewer wake-ups.
#include "sim/harvest/solar_harvester.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/core/sim_time.h"
#include "sim/power/battery_module.h"
#include "sim/power/ideal_battery.h"
#include "sim/power/power_bus.h"

namespace ej::harvest {
namespace {

SolarHarvesterParams params(bool skipNights) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  // The reference node's site, sky and panel (scenarios/reference-node.yaml) in June.
  const auto cfg = core::Config::parse(
      "step: 10 min\n"
      "site: {latitude: 45.65 deg, longitude: 13.78 deg}\n"
      "weather: {model: clear_sky}\n"
      "panel: {part: hw/solar/seeed_panel_0w5_55x70.yaml}\n"
      "mount: {tilt: 45 deg, azimuth: 180 deg, albedo: 0.2}\n"
      "charger: {model: mppt, efficiency: 85 %, current_limit: 500 mA}\n",
      "harvester.yaml");
  SolarHarvesterParams p = SolarHarvesterParams::fromConfig(cfg);
  p.skipNights = skipNights;
  return p;
}

struct Node {
  explicit Node(const std::string& name, bool skipNights)
      : battery((name + "_battery").c_str(),
                std::make_unique<power::IdealBattery>(milliampereHours(10000), volts(3.7),
                                                      ratio(0.5), ratio(1))),
        bus((name + "_bus").c_str()),
        harvester((name + "_harvester").c_str(), params(skipNights), kStart) {
    bus.storage(battery);
    harvester.power(bus);
    harvester.battery(battery);
  }
  // 2026-06-01T00:00:00Z
  static constexpr double kStart = 1780272000.0;
  power::BatteryModule battery;
  power::PowerBus bus;
  SolarHarvester harvester;
};

// Both nodes in one kernel (SystemC elaborates once per process), five June days.
TEST(SolarHarvesterTest, NightSkipHarvestsTheSameWithFewerWakeUps) {
  core::setKernelTimeResolution();
  Node every("every", false);
  Node skip("skip", true);
  sc_core::sc_start(core::toScTime(days(5)));
  every.bus.settle();
  skip.bus.settle();
  const auto& a = every.bus.ledger().component(0);
  const auto& b = skip.bus.ledger().component(0);
  const double a_mAh = in_mAh(a.charge());
  // A 0.5 W panel in a clear June: tens of mAh a day (a test that cannot pass on zero).
  EXPECT_GT(a_mAh, 5 * 50.0);
  // The skipped steps gave exactly 0 A, so the harvest is the same: the ledger's sums of the
  // same products in the same order but for zero terms (1e-12 relative for their rounding).
  EXPECT_NEAR(in_mAh(b.charge()), a_mAh, 1e-12 * a_mAh);
  EXPECT_NEAR(in_h(b.states[1].time), in_h(a.states[1].time), 1e-9);
  // Every 10 min for 5 days: 720 steps. With the skip, each night's steps but those within an
  // hour of sunset and sunrise are left out: about 8.2 h of night at Trieste in early June
  // (sunset ~19:00 UTC, sunrise ~03:15 UTC), less 2 h, is ~37 steps a night (531 seen).
  EXPECT_EQ(every.harvester.wakeups(), 720);
  EXPECT_NEAR(static_cast<double>(skip.harvester.wakeups()), 720 - 5 * 37, 12);
}

}  // namespace
}  // namespace ej::harvest
