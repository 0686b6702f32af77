// The radio SystemC modules against a recording fake power bus: phase timings, duty cycle,
// retries and the MQTT policies. Each test runs in its own process (ej_test SYSTEMC).
#include "sim/radio/radio_module.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "sim/core/sim_time.h"

namespace ej::radio {
namespace {

// A power bus that records every state change with its time.
class FakeBus : public sc_core::sc_module, public power::PowerBusIf {
 public:
  struct Change {
    double time_s;
    std::size_t state;
  };
  explicit FakeBus(sc_core::sc_module_name name) : sc_core::sc_module(name) {}
  power::ComponentId attach(const std::string& name, std::vector<power::PowerState> states,
                            power::Flow) override {
    attachedName = name;
    attachedStates = std::move(states);
    return 7;
  }
  void setState(power::ComponentId id, std::size_t state) override {
    EXPECT_EQ(id, 7u);
    changes.push_back({sc_core::sc_time_stamp().to_seconds(), state});
    m_state = state;
  }
  // Each phase as the setState call it stands for, at the kernel instant the bus would apply
  // it (phases follow each other on the 1 ns clock).
  void play(power::ComponentId id, const std::vector<power::TimedState>& phases) override {
    sc_core::sc_time at = sc_core::sc_time_stamp();
    for (const auto& phase : phases) {
      EXPECT_EQ(id, 7u);
      if (phase.state != m_state) changes.push_back({at.to_seconds(), phase.state});
      m_state = phase.state;
      at += core::toScTime(phase.duration);
    }
  }
  void setStateCurrent(power::ComponentId, std::size_t, Current) override {}
  std::size_t state(power::ComponentId) const override { return m_state; }

  std::string attachedName;
  std::vector<power::PowerState> attachedStates;
  std::vector<Change> changes;

 private:
  std::size_t m_state = 0;
};

// Submits reports at given times.
class Driver : public sc_core::sc_module {
 public:
  sc_core::sc_port<radio::MessageSinkIf> out;
  Driver(sc_core::sc_module_name name, std::vector<std::pair<double, std::size_t>> plan)
      : sc_core::sc_module(name), m_plan(std::move(plan)) {
    SC_HAS_PROCESS(Driver);
    SC_THREAD(run);
  }

 private:
  void run() {
    for (const auto& [t_s, bytes] : m_plan) {
      wait(sc_core::sc_time(t_s, sc_core::SC_SEC) - sc_core::sc_time_stamp());
      out->submit({"detect", bytes});
    }
  }
  std::vector<std::pair<double, std::size_t>> m_plan;
};

core::Config radioConfig(const std::string& yaml) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  return core::Config::parse(yaml, "s.yaml");
}

// Changes at or after T_S.
std::vector<FakeBus::Change> after(const FakeBus& bus, double t_s) {
  std::vector<FakeBus::Change> r;
  for (const auto& c : bus.changes) {
    if (c.time_s >= t_s) r.push_back(c);
  }
  return r;
}

// The kernel's time is in whole nanoseconds (sim_time.h): 1 ns per accumulated phase.
constexpr double kKernelTol_s = 20e-9;

TEST(RadioModuleTest, LorawanSf7UplinkPlaysClassAPhasesOnTheBus) {
  core::setKernelTimeResolution();
  FakeBus bus("bus");
  auto radio = createRadio("radio", radioConfig("protocol: lorawan\npart: hw/radio/sx1276.yaml\n"
                                                "spreading_factor: 7\ntx_power: 14 dBm\n"));
  Driver driver("driver", {{10.0, 12}});
  radio->power(bus);
  driver.out(*radio);
  sc_core::sc_start(sc_core::sc_time(20, sc_core::SC_SEC));

  EXPECT_EQ(bus.attachedName, "radio");
  ASSERT_EQ(bus.attachedStates.size(), kLoraStateCount);
  EXPECT_EQ(bus.attachedStates[kLoraTx].name, "tx");
  EXPECT_NEAR(in_mA(bus.attachedStates[kLoraTx].current), 30.5, 1e-9);  // RFO at 14 dBm
  // The report at 10 s (hand-worked in lorawan_class_a_test.cc): standby 250 us, synth
  // 60 us, TX 61.696 ms, sleep until RX1 wake-up at TX end + 1 s - 0.31 ms, RX1 8.192 ms,
  // RX2 listening 262.144 ms from TX end + 2 s, then sleep.
  const auto c = after(bus, 10.0);
  ASSERT_EQ(c.size(), 12u);
  const double txStart = 10.0 + 310e-6;
  const double txEnd = txStart + 61.696e-3;
  EXPECT_EQ(c[0].state, kLoraStandby);
  EXPECT_NEAR(c[0].time_s, 10.0, kKernelTol_s);
  EXPECT_EQ(c[2].state, kLoraTx);
  EXPECT_NEAR(c[2].time_s, txStart, kKernelTol_s);
  EXPECT_EQ(c[3].state, kLoraSleep);
  EXPECT_NEAR(c[3].time_s, txEnd, kKernelTol_s);
  EXPECT_EQ(c[6].state, kLoraRx);
  EXPECT_NEAR(c[6].time_s, txEnd + 1.0, kKernelTol_s);
  EXPECT_EQ(c[10].state, kLoraRx);
  EXPECT_NEAR(c[10].time_s, txEnd + 2.0, kKernelTol_s);
  EXPECT_EQ(c[11].state, kLoraSleep);
  EXPECT_NEAR(c[11].time_s, txEnd + 2.0 + 262.144e-3, kKernelTol_s);

  const auto s = radio->summary();
  EXPECT_EQ(s.messages_sent, 1u);
  EXPECT_EQ(s.lorawan->joins, 1u);
  EXPECT_EQ(s.transmissions, 2u);  // the join-request and the uplink
  // Airtime: join-request 61.696 ms + uplink 61.696 ms (both 48 symbols at SF7).
  EXPECT_NEAR(s.airtime_s, 2 * 61.696e-3, 4 * kKernelTol_s);
  EXPECT_NEAR(s.time_in_state_s.at("tx"), 2 * 61.696e-3, 4 * kKernelTol_s);
}

TEST(RadioModuleTest, DutyCycleDropPolicyDropsAndCountsTheSecondReport) {
  core::setKernelTimeResolution();
  FakeBus bus("bus");
  // ABP (no join), SF12: a 20-byte report is on air 1.810432 s, closing the band for
  // 181.0432 s from its start; a report 60 s later is dropped, one at 300 s is sent.
  auto radio = createRadio(
      "radio", radioConfig("protocol: lorawan\npart: hw/radio/sx1276.yaml\nspreading_factor: 12\n"
                           "join: abp\nduty_cycle_policy: drop\n"));
  Driver driver("driver", {{1.0, 20}, {61.0, 20}, {301.0, 20}});
  radio->power(bus);
  driver.out(*radio);
  sc_core::sc_start(sc_core::sc_time(400, sc_core::SC_SEC));
  const auto s = radio->summary();
  EXPECT_EQ(s.reports_submitted, 3u);
  EXPECT_EQ(s.messages_sent, 2u);
  EXPECT_EQ(s.dropped_duty_cycle, 1u);
  EXPECT_NEAR(s.airtime_s, 2 * 1.810432, 4 * kKernelTol_s);
}

TEST(RadioModuleTest, DutyCycleWaitPolicyDelaysTheSecondReport) {
  core::setKernelTimeResolution();
  FakeBus bus("bus");
  auto radio = createRadio(
      "radio", radioConfig("protocol: lorawan\npart: hw/radio/sx1276.yaml\nspreading_factor: 12\n"
                           "join: abp\n"));
  Driver driver("driver", {{1.0, 20}, {61.0, 20}});
  radio->power(bus);
  driver.out(*radio);
  sc_core::sc_start(sc_core::sc_time(400, sc_core::SC_SEC));
  // The first TX starts at 1 s + 310 us; the band reopens 181.0432 s later, when the
  // second report leaves sleep (it had waited from 61 s).
  const double reopen = 1.0 + 310e-6 + 181.0432;
  const auto c = after(bus, 61.0);
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0].state, kLoraStandby);
  EXPECT_NEAR(c[0].time_s, reopen, kKernelTol_s);
  const auto s = radio->summary();
  EXPECT_EQ(s.messages_sent, 2u);
  EXPECT_EQ(s.lorawan->duty_cycle_waits, 1u);
  EXPECT_NEAR(s.lorawan->duty_cycle_wait_s, reopen - 61.0, kKernelTol_s);
}

TEST(RadioModuleTest, ConfirmedUplinkWithoutAcksRetriesThenGivesUp) {
  core::setKernelTimeResolution();
  FakeBus bus("bus");
  // SF7, every ACK lost, 2 retries: 3 transmissions of 61.696 ms each; the band allows a
  // new one 6.1696 s after each start, longer than the 2.32 s exchange + 2 s ACK_TIMEOUT,
  // so the duty cycle makes the radio wait before each retransmission.
  auto radio = createRadio(
      "radio", radioConfig("protocol: lorawan\npart: hw/radio/sx1276.yaml\nspreading_factor: 7\n"
                           "join: abp\nconfirmed: true\nretries: 2\nack_loss: 1\n"));
  Driver driver("driver", {{1.0, 12}});
  radio->power(bus);
  driver.out(*radio);
  sc_core::sc_start(sc_core::sc_time(60, sc_core::SC_SEC));
  const auto s = radio->summary();
  EXPECT_EQ(s.transmissions, 3u);
  EXPECT_EQ(s.retries, 2u);
  EXPECT_EQ(s.unacknowledged, 1u);
  EXPECT_EQ(s.messages_sent, 1u);
  EXPECT_EQ(s.lorawan->duty_cycle_waits, 2u);
  EXPECT_NEAR(s.airtime_s, 3 * 61.696e-3, 6 * kKernelTol_s);
}

TEST(RadioModuleTest, MqttConnectPerReportEndsOffAndStayConnectedEndsIdle) {
  core::setKernelTimeResolution();
  FakeBus bus("bus");
  FakeBus bus2("bus2");
  auto perReport =
      createRadio("per_report", radioConfig("protocol: mqtt\npart: hw/radio/esp32c3-wifi.yaml\n"
                                            "broker_rtt: 20 ms\nqos: 1\n"));
  auto stay =
      createRadio("stay", radioConfig("protocol: mqtt\npart: hw/radio/esp32c3-wifi.yaml\n"
                                      "broker_rtt: 20 ms\nqos: 1\npolicy: stay_connected\n"));
  Driver d1("d1", {{5.0, 12}});
  Driver d2("d2", {{5.0, 12}});
  perReport->power(bus);
  stay->power(bus2);
  d1.out(*perReport);
  d2.out(*stay);
  sc_core::sc_start(sc_core::sc_time(10, sc_core::SC_SEC));
  // Connect per report: association (listen) at 5 s, the whole exchange, then off.
  ASSERT_FALSE(bus.changes.empty());
  EXPECT_EQ(bus.changes.front().state, kWifiListen);
  EXPECT_NEAR(bus.changes.front().time_s, 5.0, kKernelTol_s);
  EXPECT_EQ(bus.changes.back().state, kWifiOff);
  // Its duration is the phase list's (association 664 ms + DHCP 892 ms + four RTTs...).
  MqttWifiParams p = static_cast<MqttRadio&>(*perReport).params();
  EXPECT_NEAR(bus.changes.back().time_s - 5.0, in_s(totalDuration(mqttReportPhases(p, 12))),
              200 * kKernelTol_s);
  // Stay connected: connects at 0 s, idles, publishes at 5 s, idles again.
  EXPECT_EQ(bus2.changes.back().state, kWifiIdle);
  const auto publish = after(bus2, 5.0);
  ASSERT_FALSE(publish.empty());
  EXPECT_EQ(publish.front().state, kWifiListen);  // channel access before the PUBLISH
  EXPECT_EQ(stay->summary().mqtt->connections, 1u);
  EXPECT_EQ(perReport->summary().messages_sent, 1u);
}

TEST(RadioModuleTest, PayloadOverTheDataRateMaximumIsALocatedError) {
  core::setKernelTimeResolution();
  auto radio = createRadio("radio", radioConfig("protocol: lorawan\npart: hw/radio/sx1276.yaml\n"
                                                "spreading_factor: 12\n"));
  const auto job = core::Config::parse("send: {radio: radio, payload: 60}\n", "job.yaml");
  std::string error;
  try {
    radio->checkPayload(job.child("send"), "payload", 60);
  } catch (const core::ConfigError& e) {
    error = e.what();
  }
  EXPECT_EQ(error,
            "job.yaml:1:31: send.payload: 60 bytes is over the 51-byte LoRaWAN maximum of EU868 "
            "DR0 (SF12, RP002-1.0.3 Table 6)");
  EXPECT_NO_THROW(radio->checkPayload(job.child("send"), "payload", 51));
}

TEST(RadioModuleTest, UnknownProtocolIsALocatedError) {
  core::setKernelTimeResolution();
  std::string error;
  try {
    createRadio("radio", radioConfig("protocol: zigbee\npart: hw/radio/sx1276.yaml\n"));
  } catch (const core::ConfigError& e) {
    error = e.what();
  }
  EXPECT_EQ(error, "s.yaml:1:11: protocol: 'zigbee' is not one of: lorawan, mqtt");
}

}  // namespace
}  // namespace ej::radio
