#include "sim/device/mcu.h"

#include <gtest/gtest.h>

#include "sim/core/sim_time.h"
#include "sim/device/pir_sensor.h"
#include "sim/power/battery_module.h"
#include "sim/power/ideal_battery.h"
#include "sim/power/power_bus.h"

namespace ej::device {
namespace {

// Motion at fixed instants.
class ListMotion : public MotionSource {
 public:
  explicit ListMotion(std::vector<double> seconds_) : m_s(std::move(seconds_)) {}
  std::optional<Time> next() override {
    if (m_i == m_s.size()) return std::nullopt;
    return seconds(m_s[m_i++]);
  }

 private:
  std::vector<double> m_s;
  std::size_t m_i = 0;
};

struct Bench {
  power::BatteryModule battery{
      "battery",
      std::make_unique<power::IdealBattery>(milliampereHours(1e6), volts(3.7), ratio(1), ratio(1))};
  power::PowerBus bus{"bus"};
  sc_core::sc_signal<bool> line{"line"};
};

McuParams mcuParams() {
  McuParams p;
  p.states = {{"active", milliamperes(10)}, {"sleep", milliamperes(1)}};
  p.idleState = 1;
  p.wakeState = 0;
  p.wakeUpTime = seconds(1);
  return p;
}

TEST(McuTest, PirTriggersJobsAndRetriggersAreMergedOrHeld) {
  core::setKernelTimeResolution();
  Bench b;
  // Motion at 10 s and 11 s (within the 2 s hold: one rising edge), then at 20 s while the
  // 30 s job runs (queued once), then 25 s (merged into the queued run).
  PirSensor pir("pir", {microamperes(10), microamperes(10), seconds(2)},
                std::make_unique<ListMotion>(std::vector<double>{10, 11, 20, 25}));
  JobParams job;
  job.name = "classify";
  job.steps = {JobStep::inState(0, seconds(30))};
  Mcu mcu("mcu", mcuParams(), {job});
  b.bus.storage(b.battery);
  pir.power(b.bus);
  mcu.power(b.bus);
  pir.output(b.line);
  mcu.wake(b.line);
  sc_core::sc_start(core::toScTime(seconds(200)));
  b.bus.settle();

  EXPECT_EQ(pir.motions(), 4u);
  EXPECT_EQ(pir.triggers(), 3u);  // edges at 10, 20 and 25 s (hold ended at 13 and 22 s)
  EXPECT_EQ(mcu.counters(0).triggers, 3u);
  EXPECT_EQ(mcu.counters(0).runs, 2u);
  EXPECT_EQ(mcu.counters(0).merged, 1u);
  // Woken at 10 s: 1 s wake-up, job 11-41 s, then the queued run 41-71 s straight after:
  // 61 s active, 139 s asleep.
  const auto& states = b.bus.ledger().components()[1].states;  // pir attached first
  EXPECT_NEAR(in_s(states[0].time), 61.0, 1e-9);
  EXPECT_NEAR(in_s(states[1].time), 139.0, 1e-9);
}

TEST(McuTest, PeriodicJobsRunOnTheirTimer) {
  core::setKernelTimeResolution();
  Bench b;
  JobParams job;
  job.name = "heartbeat";
  job.trigger = JobParams::Trigger::Periodic;
  job.period = seconds(60);
  job.firstAt = seconds(60);
  job.steps = {JobStep::inState(0, seconds(2))};
  auto params = mcuParams();
  params.wakeUpTime = Time();
  Mcu mcu("mcu", params, {job});
  b.bus.storage(b.battery);
  mcu.power(b.bus);
  sc_core::sc_start(core::toScTime(seconds(600)));
  b.bus.settle();
  // The run covers [0, 600 s): sc_start stops before the processes due at 600 s run. So
  // the timer fires at 60, 120, ..., 540 s: 9 runs of 2 s.
  EXPECT_EQ(mcu.counters(0).runs, 9u);
  EXPECT_NEAR(in_s(b.bus.ledger().components()[0].states[0].time), 18.0, 1e-9);
}

// Records what the MCU sends.
struct FakeRadio : sc_core::sc_module, radio::MessageSinkIf {
  explicit FakeRadio(sc_core::sc_module_name n) : sc_module(n) {}
  void submit(const radio::Message& r) override { sent.push_back({core::simNow(), r}); }
  std::vector<std::pair<Time, radio::Message>> sent;
};

TEST(McuTest, SendStepsReachTheNamedRadioInOrder) {
  core::setKernelTimeResolution();
  Bench b;
  JobParams job;
  job.name = "report";
  job.trigger = JobParams::Trigger::Periodic;
  job.period = seconds(100);
  job.firstAt = seconds(10);
  JobStep send;
  send.kind = JobStep::Kind::Send;
  send.radio = "lora";
  send.payloadBytes = 12;
  job.steps = {JobStep::inState(0, seconds(3)), send};
  auto params = mcuParams();
  params.wakeUpTime = Time();
  Mcu mcu("mcu", params, {job});
  FakeRadio lora("lora");
  b.bus.storage(b.battery);
  mcu.power(b.bus);
  mcu.bindRadio("lora", lora);
  sc_core::sc_start(core::toScTime(seconds(250)));
  // Runs at 10, 110 and 210 s; each sends after its 3 s step: at 13, 113 and 213 s.
  ASSERT_EQ(lora.sent.size(), 3u);
  EXPECT_NEAR(in_s(lora.sent[1].first), 113.0, 1e-9);
  EXPECT_EQ(lora.sent[1].second.payloadBytes, 12u);
  EXPECT_EQ(lora.sent[1].second.job, "report");
}

}  // namespace
}  // namespace ej::device
