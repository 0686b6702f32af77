// The radio as a SystemC module: it takes messages from the MCU (MessageSinkIf),
// plays each report's protocol phases (LoRaWAN class A, or MQTT over WiFi) as power states
// on the power bus, and counts what it sent, retried and dropped. See README.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <systemc>
#include <utility>
#include <variant>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/results.h"
#include "sim/power/power_bus_if.h"
#include "sim/power/regulator/supply_range.h"
#include "sim/radio/lorawan_class_a.h"
#include "sim/radio/message_sink_if.h"
#include "sim/radio/mqtt_wifi.h"

namespace ej::radio {

class RadioModule : public sc_core::sc_module, public radio::MessageSinkIf {
 public:
  sc_core::sc_port<power::PowerBusIf> power;

  // Queues REPORT; the radio's thread sends it when the radio is free.
  void submit(const radio::Message& report) override;

  // Counts and airtime: reports_submitted, messages_sent, dropped_duty_cycle,
  // unacknowledged, transmissions, retries, airtime_s, time_in_state_s{state: s}, ...
  // (charge and energy per state are the power ledger's).
  virtual core::RadioResult summary() const;

  // Fails at KEY of AT when a report of PAYLOAD_BYTES cannot be sent (e.g. over the
  // LoRaWAN maximum of the data rate). For the node's job steps at load time.
  virtual void checkPayload(const core::Config& at, std::string_view key,
                            std::size_t payloadBytes) const = 0;

  const std::vector<power::PowerState>& powerStates() const { return m_states; }

 protected:
  RadioModule(sc_core::sc_module_name name, std::string protocol,
              std::vector<power::PowerState> states);

  // Runs once at the start of the radio's thread (the OTAA join, the MQTT connection).
  virtual void startUp() {}
  // Sends one report; the thread calls it for each queued report in turn.
  virtual void handle(const radio::Message& report) = 0;

  // A phase list ready to play: the phases that last, as the bus takes them (each with its
  // length on the kernel's clock), whether each transmits, and the list's airtime. Worked out
  // once for a list the radio keeps (LorawanRadio's uplinks).
  struct PlayList {
    explicit PlayList(const PhaseList& phases);
    std::vector<power::TimedState> steps;
    std::vector<bool> transmit;
    Time airtime;             // airtimeOf(phases)
    sc_core::sc_time length;  // the steps' spans, summed
  };

  // Plays PHASES: each phase's state for its duration; counts airtime and time per state.
  // The phases are kept by the module while they play, and a caller keeps no heap-owning
  // local across it (or across idle): SystemC never resumes or unwinds a thread still waiting
  // when the run ends, so such a local would never be freed (tools/sanitizers/README.md).
  void play(PhaseList&& phases);
  // The same for a list the caller keeps (a cached one) while it plays, and after.
  void play(const PlayList& list);
  void setState(std::size_t state);
  // Waits DURATION in the current state (e.g. for the duty cycle), counting the time.
  void idle(Time duration);

  std::string m_protocol;
  std::vector<power::PowerState> m_states;
  power::ComponentId m_id = 0;
  std::uint64_t m_submitted = 0;
  std::uint64_t m_sent = 0;
  std::uint64_t m_droppedDutyCycle = 0;
  std::uint64_t m_unacknowledged = 0;
  std::uint64_t m_transmissions = 0;
  std::uint64_t m_retries = 0;
  std::uint64_t m_payloadBytes = 0;

 private:
  // Time per state and airtime, counted as the states change.
  struct Tally {
    std::vector<Time> timeInState;
    std::size_t state = 0;
    sc_core::sc_time since = sc_core::SC_ZERO_TIME;
    Time airtime = seconds(0);
    // The radio is in NEXT from AT on.
    void enter(std::size_t next, const sc_core::sc_time& at);
  };

  void end_of_elaboration() override;
  void run();
  // Plays *m_list.
  void playKept();
  // Counts into TALLY the phases of the list being played that start by UNTIL.
  void countPhases(Tally& tally, const sc_core::sc_time& until) const;

  Tally m_tally;
  sc_core::sc_time m_playFrom;  // when the list being played began
  bool m_inPlay = false;

  std::deque<radio::Message> m_queue;
  sc_core::sc_event m_queued;
  radio::Message m_report;           // the report being sent (the thread's, see play)
  const PlayList* m_list = nullptr;  // the list being played (or last played)
  std::optional<PlayList> m_owned;   // a list played from play(PhaseList&&)
};

// LoRaWAN class A on a LoRa chip (SX127x / SX126x).
class LorawanRadio : public RadioModule {
 public:
  LorawanRadio(sc_core::sc_module_name name, LoraRadioParams params);
  core::RadioResult summary() const override;
  void checkPayload(const core::Config& at, std::string_view key,
                    std::size_t payloadBytes) const override;
  const LoraRadioParams& params() const { return m_params; }

 private:
  void startUp() override;
  void handle(const radio::Message& report) override;
  // Waits (or, with the drop policy, refuses) until the duty cycle allows a transmission.
  bool awaitDutyCycle();
  double uniform();
  // uplinkAttempt() of this radio, kept per payload size and acknowledgement.
  const PlayList& uplink(std::size_t payloadBytes, bool acked);

  LoraRadioParams m_params;
  DutyCycleTracker m_dutyCycle;
  std::mt19937_64 m_rng;
  std::map<std::pair<std::size_t, bool>, PlayList> m_uplinks;
  std::uint64_t m_joins = 0;
  std::uint64_t m_dutyCycleWaits = 0;
  Time m_dutyCycleWait = seconds(0);
};

// MQTT 3.1.1 over WiFi, connecting per report or staying connected.
class MqttRadio : public RadioModule {
 public:
  MqttRadio(sc_core::sc_module_name name, MqttWifiParams params);
  core::RadioResult summary() const override;
  void checkPayload(const core::Config& at, std::string_view key,
                    std::size_t payloadBytes) const override;
  const MqttWifiParams& params() const { return m_params; }

 private:
  void startUp() override;
  void handle(const radio::Message& report) override;

  MqttWifiParams m_params;
  std::uint64_t m_connections = 0;
};

// The power states a radio attaches to the bus, with their currents: the list the modules
// register, and the one the `edgejoule radio` calculator prices each phase with.
std::vector<power::PowerState> loraPowerStates(const LoraRadioParams& params);
std::vector<power::PowerState> wifiPowerStates(const MqttWifiParams& params);

// Why a report of PAYLOAD_BYTES cannot be sent (nullopt when it can): over the LoRaWAN
// maximum N of the data rate (RP002-1.0.3 Table 6), or over MQTT's maximum packet size.
std::optional<std::string> lorawanPayloadProblem(const LoraRadioParams& params,
                                                 std::size_t payloadBytes);
std::optional<std::string> mqttPayloadProblem(const MqttWifiParams& params,
                                              std::size_t payloadBytes);

// A radio's parameters as the scenario gives them, read and checked before elaboration
// (so that `edgejoule check` validates radios and payloads without building modules).
struct RadioSpec {
  std::variant<LoraRadioParams, MqttWifiParams> params;
  // The part's supply range (`supply_min`, `supply_max`) and whether its currents include
  // the CPU that runs its stack (`includes_cpu`, the ESP32-C3's WiFi): sim/power's keys.
  regulator::SupplyRange supply;
  bool includesCpu = false;

  // From the config's `protocol: lorawan | mqtt` key, its part file layered under it.
  static RadioSpec fromConfig(const core::Config& radioCfg);
  // Why a report of PAYLOAD_BYTES cannot be sent, nullopt when it can.
  std::optional<std::string> payloadProblem(std::size_t payloadBytes) const;
  // Fails at KEY of AT when a report of PAYLOAD_BYTES cannot be sent.
  void checkPayload(const core::Config& at, std::string_view key, std::size_t payloadBytes) const;
};

std::unique_ptr<RadioModule> createRadio(sc_core::sc_module_name name, const RadioSpec& spec);
// The same straight from a config. Throws core::ConfigError at the offending key.
std::unique_ptr<RadioModule> createRadio(sc_core::sc_module_name name,
                                         const core::Config& radioCfg);

}  // namespace ej::radio
