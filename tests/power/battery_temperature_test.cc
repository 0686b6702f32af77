// The battery module re-schedules its empty instant when the cell temperature changes the
// capacity (`temperature: weather`): an ideal 1000 mAh cell under a constant 100 mA load,
// worked by hand.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "sim/core/sim_time.h"
#include "sim/power/battery_module.h"
#include "sim/power/ideal_battery.h"
#include "sim/power/power_bus.h"

namespace ej::power {
namespace {

Temperature celsius(double c) { return (273.15 + c) * boost::units::si::kelvin; }

// A constant 100 mA load.
struct Load : sc_core::sc_module {
  sc_core::sc_port<PowerBusIf> power;
  explicit Load(sc_core::sc_module_name n) : sc_module(n), power("power") {}
  void end_of_elaboration() override { power->attach("load", {{"on", milliamperes(100)}}); }
};

// Sets the battery's cell temperature at the given instants (what the solar harvester does
// at its steps).
struct Thermometer : sc_core::sc_module {
  SC_HAS_PROCESS(Thermometer);
  Thermometer(sc_core::sc_module_name n, BatteryModule& battery,
              std::vector<std::pair<Time, Temperature>> changes)
      : sc_module(n), m_battery(battery), m_changes(std::move(changes)) {
    SC_THREAD(run);
  }
  void run() {
    for (const auto& [at, t] : m_changes) {
      wait(core::toScTime(at) - sc_core::sc_time_stamp());
      m_battery.setCellTemperature(t);
    }
  }
  BatteryModule& m_battery;
  std::vector<std::pair<Time, Temperature>> m_changes;
};

// 1000 mAh rated at 25 degC; 0.6 at -20, 0.8 at 0 degC (so 0.7 at -10 degC).
std::unique_ptr<IdealBattery> coldSensitiveCell() {
  auto cell =
      std::make_unique<IdealBattery>(milliampereHours(1000), volts(3.7), ratio(1), ratio(1));
  cell->followTemperature(
      {milliampereHours(1000), {{celsius(-20), 0.6}, {celsius(0), 0.8}, {celsius(25), 1.0}}});
  return cell;
}

struct Bench {
  BatteryModule battery{"battery", coldSensitiveCell()};
  PowerBus bus{"bus"};
  Load load{"load"};
  Thermometer thermometer;
  explicit Bench(std::vector<std::pair<Time, Temperature>> changes)
      : thermometer("thermometer", battery, std::move(changes)) {
    bus.storage(battery);
    load.power(bus);
  }
};

// The instants are rounded to the 1 ns time resolution.
constexpr double kTol_s = 1e-9;
// Sums of a few products of 1e3 C in double precision.
constexpr double kTol_C = 1e-9;

// 25 degC for 2 h: 200 mAh drawn, 800 mAh left. At -10 degC the capacity is 700 mAh and the
// cold locks 300 mAh: 500 mAh deliverable, 5 h more at 100 mA: empty at 7 h, not at 10 h.
TEST(BatteryTemperatureTest, IdealCellEmptiesEarlierWhenItCoolsMidRun) {
  core::setKernelTimeResolution();
  Bench bench({{Time(), celsius(25)}, {hours(2), celsius(-10)}});
  sc_core::sc_start(sc_core::sc_time(12 * 3600.0, sc_core::SC_SEC));
  const auto& out = bench.battery.outages();
  ASSERT_TRUE(out.first.has_value());
  EXPECT_NEAR(in_s(*out.first), 7 * 3600.0, kTol_s);
  EXPECT_NEAR(in_mAh(bench.battery.totals().drawn), 700.0, kTol_C / 3.6);
}

// Cold from 2 h to 4 h (100 mA meanwhile), then 25 degC again: 400 mAh drawn, the locked
// 300 mAh come back, 600 mAh last 6 h: empty at 10 h as if it had never been cold. All
// 1000 mAh are delivered: the cold neither lost nor created charge.
TEST(BatteryTemperatureTest, IdealCellGetsItsChargeBackWhenWarmAgain) {
  core::setKernelTimeResolution();
  Bench bench({{Time(), celsius(25)}, {hours(2), celsius(-10)}, {hours(4), celsius(25)}});
  sc_core::sc_start(sc_core::sc_time(12 * 3600.0, sc_core::SC_SEC));
  const auto& out = bench.battery.outages();
  ASSERT_TRUE(out.first.has_value());
  EXPECT_NEAR(in_s(*out.first), 10 * 3600.0, kTol_s);
  EXPECT_NEAR(in_mAh(bench.battery.totals().drawn), 1000.0, kTol_C / 3.6);
}

// At 6 h (400 mAh left) the cell cools to -20 degC: the capacity is 600 mAh, the lock 400
// mAh, nothing is deliverable: the outage begins at once. At 8 h it is 25 degC again: 400
// mAh (40 %, above the 10 % restart) are back, the outage ends, and they last 4 h: a second
// outage at 12 h.
TEST(BatteryTemperatureTest, ColdEmptiesAtOnceAndWarmthRestarts) {
  core::setKernelTimeResolution();
  Bench bench({{Time(), celsius(25)}, {hours(6), celsius(-20)}, {hours(8), celsius(25)}});
  sc_core::sc_start(sc_core::sc_time(13 * 3600.0, sc_core::SC_SEC));
  EXPECT_TRUE(bench.battery.inOutage());
  bench.battery.closeOpenOutage();  // the second is still open at the end, 13 h
  const auto& out = bench.battery.outages();
  ASSERT_EQ(out.count, 2u);
  ASSERT_EQ(out.listed.size(), 2u);
  EXPECT_NEAR(in_s(out.listed[0].first), 6 * 3600.0, kTol_s);
  EXPECT_NEAR(in_s(out.listed[0].second), 8 * 3600.0, kTol_s);
  EXPECT_NEAR(in_s(out.listed[1].first), 12 * 3600.0, kTol_s);
  EXPECT_NEAR(in_mAh(bench.battery.totals().drawn), 1000.0, kTol_C / 3.6);
}

}  // namespace
}  // namespace ej::power
