#include "sim/power/power_bus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/sim_time.h"
#include "sim/power/battery/kibam_battery.h"
#include "sim/power/battery_module.h"
#include "sim/power/ideal_battery.h"
#include "sim/power/regulator/regulator.h"
#include "tests/power/battery/hand_cell.h"

namespace ej::power {
namespace {

// A test part: its port to the bus and a thread that runs run().
struct BusPart : sc_core::sc_module {
  sc_core::sc_port<PowerBusIf> power{"power"};
  SC_HAS_PROCESS(BusPart);
  explicit BusPart(sc_core::sc_module_name n) : sc_module(n) { SC_THREAD(thread); }
  virtual void run() = 0;

 private:
  void thread() { run(); }
};

// A part that sleeps, works for WORK, and sleeps again.
struct Toggler : BusPart {
  using BusPart::BusPart;
  ComponentId id = 0;
  void end_of_elaboration() override {
    id = power->attach("toggler", {{"sleep", milliamperes(1)}, {"work", milliamperes(101)}});
  }
  void run() override {
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
  BatteryModule battery(
      "battery", std::make_unique<IdealBattery>(milliampereHours(1), volts(3), ratio(1), ratio(1)));
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

// MCP1700-like: 3.3 V out, 1.6 uA quiescent, 178 mV dropout at 250 mA (0.712 Ohm).
regulator::RegulatorSpec mcp1700Like() {
  regulator::RegulatorSpec ldo;
  ldo.output = volts(3.3);
  ldo.quiescent = microamperes(1.6);
  ldo.maxOutput = milliamperes(250);
  ldo.minInput = volts(2.3);
  ldo.kind = regulator::LdoSpec{volts(0.178) / milliamperes(250)};
  return ldo;
}

// The Toggler's day at the regulator's output: 1 mA for 1 + 64 s, 101 mA for 35 s: 3.6 C
// in 100 s.
constexpr double kLoad_C = 1e-3 * 65 + 101e-3 * 35;

TEST(PowerBusRegulatorTest, LdoAddsItsQuiescentCurrentAndLosesTheVoltageDrop) {
  core::setKernelTimeResolution();
  BatteryModule battery("battery", std::make_unique<IdealBattery>(milliampereHours(1000),
                                                                  volts(3.7), ratio(1), ratio(1)));
  PowerBus bus("bus");
  Toggler part("part");
  bus.storage(battery);
  part.power(bus);
  // At 101 mA from 3.7 V the output holds (3.7 - 0.072 > 3.3).
  bus.setRegulator(regulator::Regulator(mcp1700Like()));
  sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_SEC));
  bus.settle();
  const auto& ledger = bus.ledger();
  ASSERT_EQ(ledger.components().size(), 2u);
  const auto& reg = ledger.components()[1];
  EXPECT_EQ(reg.name, "regulator");
  // LDO: input = load + Iq; the regulator's share is Iq * 100 s = 1.6e-4 C.
  EXPECT_NEAR(in_C(ledger.components()[0].charge()), kLoad_C, 1e-12);
  EXPECT_NEAR(in_C(reg.charge()), 1.6e-4, 1e-12);
  EXPECT_NEAR(in_C(battery.totals().drawn), kLoad_C + 1.6e-4, 1e-12);
  // Energy: the loads at 3.3 V (11.88 J); the battery gives 3.60016 C * 3.7 V = 13.320592 J;
  // the regulator's loss is the difference, 1.440592 J.
  EXPECT_NEAR(in_J(ledger.components()[0].energy()), kLoad_C * 3.3, 1e-9);
  EXPECT_NEAR(in_J(reg.energy()), (kLoad_C + 1.6e-4) * 3.7 - kLoad_C * 3.3, 1e-9);
  EXPECT_NEAR(in_J(reg.energy()), 1.440592, 1e-9);
  EXPECT_NEAR(in_s(reg.states[0].time), 100.0, 1e-9);  // always in regulation
}

TEST(PowerBusRegulatorTest, BuckDrawsLessChargeThanItsLoadsAndLosesItsEfficiency) {
  core::setKernelTimeResolution();
  BatteryModule battery("battery", std::make_unique<IdealBattery>(milliampereHours(1000),
                                                                  volts(3.6), ratio(1), ratio(1)));
  PowerBus bus("bus");
  Toggler part("part");
  bus.storage(battery);
  part.power(bus);
  // TPS62740-like: 3.3 V out, 360 nA Iq, 0.6 Ohm, k = 0.039. From 3.6 V (Erickson &
  // Maksimovic power balance, P_in = 3.3 I (1 + k) + 3.6 Iq + I^2 R):
  //   1 mA:   P_in = 3.4305960 mW, I_in = 0.95294333 mA
  //   101 mA: P_in = 352.420596 mW, I_in = 97.8946100 mA
  // Battery: 65 s * 0.95294333 mA + 35 s * 97.8946100 mA = 3.48825267 C, 12.5577096 J;
  // loads 3.6 C, 11.88 J at 3.3 V; the regulator -0.11174733 C (a buck stepping down draws
  // less charge than it delivers) and a loss of 0.6777096 J.
  regulator::RegulatorSpec buck;
  buck.output = volts(3.3);
  buck.quiescent = microamperes(0.36);
  buck.maxOutput = milliamperes(300);
  buck.minInput = volts(1.925);
  buck.kind = regulator::BuckSpec{Resistance::from_value(0.6), ratio(0.039)};
  bus.setRegulator(regulator::Regulator(buck));
  sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_SEC));
  bus.settle();
  const auto& ledger = bus.ledger();
  const auto& reg = ledger.components()[1];
  EXPECT_NEAR(in_C(battery.totals().drawn), 3.48825267, 1e-8);
  EXPECT_NEAR(in_C(reg.charge()), -0.11174733, 1e-8);
  EXPECT_NEAR(in_C(ledger.components()[0].charge() + reg.charge()), in_C(battery.totals().drawn),
              1e-12);
  EXPECT_NEAR(in_J(reg.energy()), 0.6777096, 1e-7);
  EXPECT_NEAR(in_J(ledger.components()[0].energy() + reg.energy()), 12.5577096, 1e-7);
}

// Cuts the loads off from FROM to TO (what the node does during an outage).
struct OutageSwitch : sc_core::sc_module {
  PowerBus& bus;
  double from_s, to_s;
  SC_HAS_PROCESS(OutageSwitch);
  OutageSwitch(sc_core::sc_module_name n, PowerBus& b, double from, double to)
      : sc_module(n), bus(b), from_s(from), to_s(to) {
    SC_THREAD(run);
  }
  void run() {
    wait(sc_core::sc_time(from_s, sc_core::SC_SEC));
    bus.setLoadsPowered(false);
    wait(sc_core::sc_time(to_s - from_s, sc_core::SC_SEC));
    bus.setLoadsPowered(true);
  }
};

TEST(PowerBusRegulatorTest, LdoKeepsDrawingItsQuiescentCurrentDuringAnOutage) {
  core::setKernelTimeResolution();
  BatteryModule battery("battery", std::make_unique<IdealBattery>(milliampereHours(1000),
                                                                  volts(3.7), ratio(1), ratio(1)));
  PowerBus bus("bus");
  Toggler part("part");
  OutageSwitch outage("outage", bus, 100, 200);
  bus.storage(battery);
  part.power(bus);
  bus.setRegulator(regulator::Regulator(mcp1700Like()));
  sc_core::sc_start(sc_core::sc_time(300, sc_core::SC_SEC));
  bus.settle();
  const auto& ledger = bus.ledger();
  const auto& reg = ledger.components()[1];
  // Loads: the Toggler's 3.6 C in the first 100 s, nothing while cut off, 1 mA for the last
  // 100 s: 3.7 C. The regulator stays on the battery throughout: 1.6 uA * 300 s = 4.8e-4 C,
  // of which 100 s (1.6e-4 C, all lost: 1.6e-4 C * 3.7 V = 5.92e-4 J) without load.
  EXPECT_NEAR(in_C(ledger.components()[0].charge()), kLoad_C + 0.1, 1e-12);
  EXPECT_NEAR(in_C(reg.charge()), 4.8e-4, 1e-12);
  EXPECT_NEAR(in_s(reg.states[2].time), 100.0, 1e-9);
  EXPECT_NEAR(in_C(reg.states[2].charge), 1.6e-4, 1e-12);
  EXPECT_NEAR(in_J(reg.states[2].energy), 5.92e-4, 1e-12);
  EXPECT_NEAR(in_C(battery.totals().drawn), kLoad_C + 0.1 + 4.8e-4, 1e-12);
}

TEST(PowerBusBrownOutTest, ALoadStepBelowTheLoadedVoltageBrownsOutAtTheStep) {
  core::setKernelTimeResolution();
  // KiBaM cell, OCV 3.0-4.2 V, R = 1 Ohm, cutoff 3.3 V, at 30 % (OCV 3.36 V): 1 mA leaves
  // 3.359 V, fine; the 101 mA step at t = 1 s gives 3.36 - 0.101 = 3.259 V < 3.3 V.
  auto p = battery::test::handCell();  // tests/power/battery/hand_cell.h
  p.cutoffVoltage = volts(3.3);
  p.internalResistance = Resistance::from_value(1.0);
  p.initialSoc = ratio(0.3);
  BatteryModule battery("battery", std::make_unique<battery::KibamBattery>(p));
  PowerBus bus("bus");
  Toggler part("part");
  bus.storage(battery);
  part.power(bus);
  EXPECT_NEAR(in_V(battery.brownOutVoltage()), 3.3, 1e-12);  // the part's cutoff
  sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_SEC));
  ASSERT_TRUE(battery.outages().first.has_value());
  EXPECT_NEAR(in_s(*battery.outages().first), 1.0, 1e-9);
  EXPECT_EQ(battery.outages().count, 1u);
  EXPECT_EQ(battery.outages().onVoltage, 1u);
  // Far from empty: 30 % of 3600 C less what 1 s at 1 mA took.
  EXPECT_NEAR(in_C(battery.model().remaining()), 1080.0 - 1e-3, 1e-6);
}

// A load that steps between 1 mA and 101 mA every 10 s, beside a constant 50 mA source: the
// battery charges at 49 mA and discharges at 51 mA in turn.
struct ChargeAndDrain : BusPart {
  using BusPart::BusPart;
  ComponentId load = 0, source = 0;
  void end_of_elaboration() override {
    load = power->attach("load", {{"low", milliamperes(1)}, {"high", milliamperes(101)}});
    source = power->attach("panel", {{"sun", milliamperes(50)}}, Flow::Source);
  }
  void run() override {
    for (std::size_t state = 0;; state = 1 - state) {
      power->setState(load, state);
      wait(sc_core::sc_time(10, sc_core::SC_SEC));
    }
  }
};

TEST(BatteryLookTest, ChangesWithinTheLargestNetCurrentSoFarArmNoNewLook) {
  core::setKernelTimeResolution();
  // The hand cell at half charge: 900 C in its available well, hours from its 3.0 V cutoff
  // even at 51 mA. The battery arms its look under the largest net current so far, so only
  // the first step to 51 mA arms one; the other 358 changes of the hour fall within it.
  // (Re-armed at every change from charging to discharging, as before, it would be 180.)
  auto p = battery::test::handCell();  // tests/power/battery/hand_cell.h
  p.initialSoc = ratio(0.5);
  BatteryModule battery("battery", std::make_unique<battery::KibamBattery>(p));
  PowerBus bus("bus");
  ChargeAndDrain part("part");
  bus.storage(battery);
  part.power(bus);
  sc_core::sc_start(sc_core::sc_time(3600, sc_core::SC_SEC));
  EXPECT_EQ(bus.changes(), 359u);  // at 10 s, 20 s, ..., 3590 s
  EXPECT_EQ(battery.looksArmed(), 1u);
  EXPECT_FALSE(battery.outages().first.has_value());
  // Half an hour each way: 0.049 A x 1800 s charged in (below full, at the cell's 100 %
  // charge efficiency) and 0.051 A x 1800 s drawn.
  bus.settle();
  EXPECT_NEAR(in_C(battery.model().remaining()), 1800.0 + 0.049 * 1800 - 0.051 * 1800, 1e-6);
}

// A radio-like part: every 10 s, the phase list of PHASES, then state 0; through the bus's
// play (PLAYS) or through setState and a wait per phase, as a part's thread would.
struct Player : BusPart {
  ComponentId id = 0;
  bool plays;
  std::vector<TimedState> phases;
  Player(sc_core::sc_module_name n, bool playsThem, std::vector<TimedState> list)
      : BusPart(n), plays(playsThem), phases(std::move(list)) {}
  void end_of_elaboration() override {
    id = power->attach("player", {{"sleep", microamperes(2)},
                                  {"listen", milliamperes(11)},
                                  {"send", milliamperes(120)},
                                  {"wait", milliamperes(1.5)}});
  }
  void run() override {
    for (;;) {
      wait(sc_core::sc_time(10, sc_core::SC_SEC));
      if (plays) {
        power->play(id, phases);
        sc_core::sc_time total = sc_core::SC_ZERO_TIME;
        for (const auto& p : phases) total += core::toScTime(p.duration);
        wait(total);
      } else {
        for (const auto& p : phases) {
          power->setState(id, p.state);
          wait(core::toScTime(p.duration));
        }
      }
      power->setState(id, 0);
    }
  }
};

// Another part changing state on its own clock, within the lists' phases.
struct Ticker : BusPart {
  using BusPart::BusPart;
  ComponentId id = 0;
  void end_of_elaboration() override {
    id = power->attach("ticker", {{"idle", microamperes(5)}, {"busy", milliamperes(4)}});
  }
  void run() override {
    for (std::size_t k = 0;; ++k) {
      wait(sc_core::sc_time(0.37, sc_core::SC_SEC));
      power->setState(id, k % 2);
    }
  }
};

regulator::RegulatorSpec tps62740Like() {
  regulator::RegulatorSpec buck;
  buck.output = volts(3.3);
  buck.quiescent = microamperes(0.36);
  buck.maxOutput = milliamperes(300);
  buck.minInput = volts(2.2);
  buck.kind = regulator::BuckSpec{Resistance::from_value(0.6), ratio(0.039)};
  return buck;
}

// One node of the comparison below: a KiBaM cell (the hand cell at 90 %), a buck, a player
// and a ticker.
struct PhaseNode {
  BatteryModule battery;
  PowerBus bus;
  Player player;
  Ticker ticker;
  PhaseNode(const char* name, bool plays, const std::vector<TimedState>& phases)
      : battery((std::string(name) + "_battery").c_str(), kibamAt90()),
        bus((std::string(name) + "_bus").c_str()),
        player((std::string(name) + "_player").c_str(), plays, phases),
        ticker((std::string(name) + "_ticker").c_str()) {
    bus.storage(battery);
    player.power(bus);
    ticker.power(bus);
    bus.setRegulator(regulator::Regulator(tps62740Like()));
  }
  static std::unique_ptr<battery::KibamBattery> kibamAt90() {
    auto p = battery::test::handCell();
    p.initialSoc = ratio(0.9);
    return std::make_unique<battery::KibamBattery>(p);
  }
};

// The bus applies a list's phases late when the battery is far from its limits: every total
// must still be the one of a setState call at each phase's instant, with the battery and the
// regulator worked out at each (the ticker changes state inside the lists).
TEST(PowerBusPhaseListTest, PhasesPlayedByTheBusGiveTheTotalsOfTheirSetStateCalls) {
  core::setKernelTimeResolution();
  const std::vector<TimedState> phases = {{3, seconds(0.2)},
                                          {1, seconds(1.13)},
                                          {2, seconds(0.0507)},
                                          {3, seconds(0.8)},
                                          {1, seconds(0.45)}};
  PhaseNode played("played", true, phases), stepped("stepped", false, phases);
  sc_core::sc_start(sc_core::sc_time(1000, sc_core::SC_SEC));
  played.bus.settle();
  stepped.bus.settle();
  // Relative 1e-12: the same arithmetic at the same instants, in another order among the
  // same instant's changes at most.
  auto near = [](double a, double b) {
    return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b));
  };
  const auto& a = played.bus.ledger().components();
  const auto& b = stepped.bus.ledger().components();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t c = 0; c < a.size(); ++c) {
    for (std::size_t s = 0; s < a[c].states.size(); ++s) {
      const auto& x = a[c].states[s];
      const auto& y = b[c].states[s];
      EXPECT_TRUE(near(in_s(x.time), in_s(y.time))) << a[c].name << "." << x.name;
      EXPECT_TRUE(near(in_C(x.charge), in_C(y.charge))) << a[c].name << "." << x.name;
      EXPECT_TRUE(near(in_J(x.energy), in_J(y.energy))) << a[c].name << "." << x.name;
    }
  }
  EXPECT_TRUE(near(in_C(played.battery.totals().drawn), in_C(stepped.battery.totals().drawn)));
  EXPECT_TRUE(
      near(in_C(played.battery.model().remaining()), in_C(stepped.battery.model().remaining())));
  // A list every 12.6307 s (10 s, then its 2.6307 s): 79 by t = 1000 s, of 5 phases, 4 of
  // them applied by the bus each, all late here (the cell is hours from its cutoff); the
  // same number of changes as the setState calls made.
  EXPECT_EQ(played.bus.changes(), stepped.bus.changes());
  EXPECT_EQ(played.bus.lateChanges(), 79u * 4u);
  EXPECT_EQ(stepped.bus.lateChanges(), 0u);
  // The player's time in "send": 79 x 50.7 ms.
  EXPECT_NEAR(in_s(a[0].states[2].time), 79 * 0.0507, 1e-9);
}

// Near the battery's limits the bus applies each phase at its instant: the empty instant
// inside a list is exact (the case of BatteryEmptiesAtTheExactInstant, played as a list).
TEST(PowerBusPhaseListTest, APhaseListThatEmptiesTheBatteryIsAppliedAtEachInstant) {
  core::setKernelTimeResolution();
  // 1 mAh = 3.6 C: 1 mA for 1 s, 101 mA for 35 s, then 1 mA: empty at t = 100 s, 64 s into
  // the list's last phase.
  BatteryModule battery(
      "battery", std::make_unique<IdealBattery>(milliampereHours(1), volts(3), ratio(1), ratio(1)));
  PowerBus bus("bus");
  struct Lister : BusPart {
    using BusPart::BusPart;
    ComponentId id = 0;
    void end_of_elaboration() override {
      id = power->attach("lister", {{"sleep", milliamperes(1)}, {"work", milliamperes(101)}});
    }
    void run() override {
      power->play(id, {{0, seconds(1)}, {1, seconds(35)}, {0, seconds(150)}});
      wait(sc_core::sc_time(186, sc_core::SC_SEC));
    }
  } part("part");
  bus.storage(battery);
  part.power(bus);
  sc_core::sc_start(sc_core::sc_time(200, sc_core::SC_SEC));
  ASSERT_TRUE(battery.outages().first.has_value());
  EXPECT_NEAR(in_s(*battery.outages().first), 100.0, 1e-9);
  bus.settle();
  EXPECT_NEAR(in_C(bus.ledger().component(0).states[1].charge), 3.535, 1e-12);
  EXPECT_EQ(bus.lateChanges(), 0u);
}

}  // namespace
}  // namespace ej::power
