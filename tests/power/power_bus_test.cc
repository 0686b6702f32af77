#include "sim/power/power_bus.h"

#include <gtest/gtest.h>

#include "sim/core/sim_time.h"
#include "sim/power/battery_module.h"
#include "sim/power/ideal_battery.h"

namespace ej::power {
namespace {

// A part that sleeps, works for WORK, and sleeps again.
struct Toggler : sc_core::sc_module {
  sc_core::sc_port<PowerBusIf> power;
  ComponentId id = 0;
  SC_HAS_PROCESS(Toggler);
  explicit Toggler(sc_core::sc_module_name n) : sc_module(n), power("power") { SC_THREAD(run); }
  void end_of_elaboration() override {
    id = power->attach("toggler", {{"sleep", milliamperes(1)}, {"work", milliamperes(101)}});
  }
  void run() {
    wait(sc_core::sc_time(1, sc_core::SC_SEC));
    power->setState(id, 1);
    wait(sc_core::sc_time(35, sc_core::SC_SEC));
    power->setState(id, 0);
  }
};

TEST(PowerBusTest, BatteryEmptiesAtTheExactInstant) {
  core::setKernelTimeResolution();
  // 1 mAh = 3.6 C. Drawn: 1 mA for 1 s (0.001 C), then 101 mA for 35 s (3.535 C), then
  // 1 mA: 3.6 - 3.536 = 0.064 C left at t = 36 s, gone after 64 s more: empty at t = 100 s.
  BatteryModule battery("battery", std::make_unique<IdealBattery>(milliampereHours(1),
                                                                  volts(3), ratio(1), ratio(1)));
  PowerBus bus("bus");
  Toggler part("part");
  bus.storage(battery);
  part.power(bus);
  sc_core::sc_start(sc_core::sc_time(200, sc_core::SC_SEC));
  ASSERT_TRUE(battery.outages().first.has_value());
  // The instant is rounded to the 1 ns resolution.
  EXPECT_NEAR(in_s(*battery.outages().first), 100.0, 1e-9);
  bus.settle();
  EXPECT_NEAR(in_C(bus.ledger().component(0).states[1].charge), 3.535, 1e-12);
  EXPECT_EQ(bus.changes(), 2u);
}

}  // namespace
}  // namespace ej::power
