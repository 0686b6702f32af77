// The radio SystemC modules; see radio_module.h and README.md.
#include "sim/radio/radio_module.h"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#include "sim/core/sim_time.h"

namespace ej::radio {

// ---------------------------------------------------------------- RadioModule

RadioModule::RadioModule(sc_core::sc_module_name name, std::string protocol,
                         std::vector<power::PowerState> states)
    : sc_core::sc_module(name),
      power("power"),
      m_protocol(std::move(protocol)),
      m_states(std::move(states)),
      m_tally{std::vector<Time>(m_states.size(), seconds(0))} {
  SC_HAS_PROCESS(RadioModule);
  SC_THREAD(run);
}

void RadioModule::end_of_elaboration() { m_id = power->attach(basename(), m_states); }

void RadioModule::submit(const radio::Message& report) {
  ++m_submitted;
  m_queue.push_back(report);
  m_queued.notify(sc_core::SC_ZERO_TIME);
}

void RadioModule::Tally::enter(std::size_t next, const sc_core::sc_time& at) {
  if (next == state) return;
  timeInState[state] += core::fromScTime(at - since);
  state = next;
  since = at;
}

void RadioModule::setState(std::size_t state) {
  if (state == m_tally.state) return;
  m_tally.enter(state, sc_core::sc_time_stamp());
  power->setState(m_id, state);
}

void RadioModule::idle(Time duration) {
  if (duration > seconds(0)) wait(core::toScTime(duration));
}

RadioModule::PlayList::PlayList(const PhaseList& phases)
    : airtime(airtimeOf(phases)), length(sc_core::SC_ZERO_TIME) {
  for (const Phase& phase : phases) {
    if (phase.duration <= seconds(0)) continue;
    steps.emplace_back(phase.state, phase.duration);
    transmit.push_back(phase.transmit);
    length += steps.back().span;
  }
}

void RadioModule::play(PhaseList&& phases) {
  // Built from the list, which is then emptied: the caller's temporary holds no heap memory
  // while the thread waits.
  m_owned.emplace(phases);
  PhaseList().swap(phases);
  play(*m_owned);
}

void RadioModule::play(const PlayList& list) {
  m_list = &list;
  playKept();
}

void RadioModule::playKept() {
  if (m_list->steps.empty()) return;
  // The bus applies the phases at their instants (PowerBusIf::play); they are counted here
  // as setState would count them, each from its instant on the kernel's clock.
  m_playFrom = sc_core::sc_time_stamp();
  m_inPlay = true;
  power->play(m_id, m_list->steps);
  wait(m_list->length);
  countPhases(m_tally, m_playFrom + m_list->length);
  m_inPlay = false;
}

void RadioModule::countPhases(Tally& tally, const sc_core::sc_time& until) const {
  sc_core::sc_time at = m_playFrom;
  for (std::size_t k = 0; k < m_list->steps.size(); ++k) {
    if (at > until) break;
    const power::TimedState& step = m_list->steps[k];
    tally.enter(step.state, at);
    if (m_list->transmit[k]) tally.airtime += step.duration;
    at += step.span;
  }
}

void RadioModule::run() {
  startUp();
  for (;;) {
    while (m_queue.empty()) wait(m_queued);
    m_report = std::move(m_queue.front());
    m_queue.pop_front();
    handle(m_report);
  }
}

core::RadioResult RadioModule::summary() const {
  core::RadioResult r;
  r.protocol = m_protocol;
  r.reports_submitted = m_submitted;
  r.messages_sent = m_sent;
  r.dropped_duty_cycle = m_droppedDutyCycle;
  r.unacknowledged = m_unacknowledged;
  r.transmissions = m_transmissions;
  r.retries = m_retries;
  r.payload_bytes_sent = m_payloadBytes;
  // A list still playing at the end counts up to now, and so does the state it is in.
  Tally tally = m_tally;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (m_inPlay) countPhases(tally, now);
  r.airtime_s = in_s(tally.airtime);
  for (std::size_t i = 0; i < m_states.size(); ++i) {
    Time t = tally.timeInState[i];
    if (i == tally.state) t += core::fromScTime(now - tally.since);
    r.time_in_state_s[m_states[i].name] = in_s(t);
  }
  return r;
}

// ---------------------------------------------------------------- LoRaWAN

std::vector<power::PowerState> loraPowerStates(const LoraRadioParams& p) {
  std::vector<power::PowerState> s(kLoraStateCount);
  const Current currents[kLoraStateCount] = {p.sleepCurrent, p.standbyCurrent, p.synthCurrent,
                                             p.txCurrent, p.rxCurrent};
  for (std::size_t i = 0; i < kLoraStateCount; ++i) s[i] = {loraStateName(i), currents[i]};
  return s;
}

std::vector<power::PowerState> wifiPowerStates(const MqttWifiParams& p) {
  std::vector<power::PowerState> s(kWifiStateCount);
  const Current currents[kWifiStateCount] = {amperes(0), connectedIdleCurrent(p), p.rxCurrent,
                                             p.rxCurrent, p.txCurrent};
  for (std::size_t i = 0; i < kWifiStateCount; ++i) s[i] = {wifiStateName(i), currents[i]};
  return s;
}

LorawanRadio::LorawanRadio(sc_core::sc_module_name name, LoraRadioParams params)
    : RadioModule(name, "lorawan", loraPowerStates(params)),
      m_params(std::move(params)),
      m_dutyCycle(m_params.dutyCycle),
      m_rng(m_params.seed) {}

double LorawanRadio::uniform() {
  // 53 random bits -> [0, 1), the same on every standard library (mt19937_64 is specified).
  return static_cast<double>(m_rng() >> 11) * 0x1.0p-53;
}

bool LorawanRadio::awaitDutyCycle() {
  const Time now = core::simNow();
  if (m_dutyCycle.allows(now)) return true;
  if (m_params.dutyCyclePolicy == DutyCyclePolicy::Drop) return false;
  ++m_dutyCycleWaits;
  m_dutyCycleWait += m_dutyCycle.nextAllowed() - now;
  idle(m_dutyCycle.nextAllowed() - now);
  return true;
}

void LorawanRadio::startUp() {
  if (!m_params.otaaJoin) return;
  // The join-request is subject to the duty cycle like any transmission; at start-up the
  // band is free.
  PhaseList phases = joinExchange(m_params);
  m_dutyCycle.record(core::simNow() + m_params.wakeUpTime + m_params.synthTime, airtimeOf(phases));
  ++m_transmissions;
  ++m_joins;
  play(std::move(phases));
  setState(kLoraSleep);
}

void LorawanRadio::handle(const radio::Message& report) {
  if (report.payloadBytes > m_params.maxApplicationPayload) {
    throw std::runtime_error(fmt::format(
        "{}: report of {} bytes from job '{}' is over the {}-byte maximum of EU868 DR{}", name(),
        report.payloadBytes, report.job, m_params.maxApplicationPayload, m_params.eu868DataRate));
  }
  const int attempts = m_params.confirmed ? 1 + m_params.maxRetries : 1;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (!awaitDutyCycle()) {
      ++m_droppedDutyCycle;
      return;
    }
    const bool acked = m_params.confirmed && uniform() >= m_params.ackLoss;
    const PlayList& phases = uplink(report.payloadBytes, acked);
    m_dutyCycle.record(core::simNow() + m_params.wakeUpTime + m_params.synthTime, phases.airtime);
    ++m_transmissions;
    if (attempt > 0) ++m_retries;
    play(phases);
    setState(kLoraSleep);
    if (attempt == 0) {
      ++m_sent;
      m_payloadBytes += report.payloadBytes;
    }
    if (!m_params.confirmed || acked) return;
    // LoRaWAN 1.0.4 section 18.4: no retransmission before ACK_TIMEOUT after RX2.
    if (attempt + 1 < attempts) idle(m_params.ackTimeout);
  }
  ++m_unacknowledged;
}

const RadioModule::PlayList& LorawanRadio::uplink(std::size_t payloadBytes, bool acked) {
  // A node sends few sizes (a job's report, a heartbeat): their phases are worked out once.
  const auto key = std::make_pair(payloadBytes, acked);
  auto it = m_uplinks.find(key);
  if (it == m_uplinks.end()) {
    it = m_uplinks.emplace(key, PlayList(uplinkAttempt(m_params, payloadBytes, acked))).first;
  }
  return it->second;
}

core::RadioResult LorawanRadio::summary() const {
  auto r = RadioModule::summary();
  r.part = m_params.part;
  r.lorawan = core::RadioResult::Lorawan{m_params.modulation.spreadingFactor,
                                         in_Hz(m_params.modulation.bandwidth) / 1e3,
                                         fmt::format("DR{}", m_params.eu868DataRate),
                                         m_params.txPower_dBm,
                                         m_params.amplifier,
                                         in_mA(m_params.txCurrent),
                                         m_params.confirmed,
                                         m_joins,
                                         m_dutyCycleWaits,
                                         in_s(m_dutyCycleWait)};
  return r;
}

std::optional<std::string> lorawanPayloadProblem(const LoraRadioParams& params,
                                                 std::size_t payloadBytes) {
  if (payloadBytes <= params.maxApplicationPayload) return std::nullopt;
  return fmt::format(
      "{} bytes is over the {}-byte LoRaWAN maximum of EU868 DR{} "
      "(SF{}, RP002-1.0.3 Table 6)",
      payloadBytes, params.maxApplicationPayload, params.eu868DataRate,
      params.modulation.spreadingFactor);
}

std::optional<std::string> mqttPayloadProblem(const MqttWifiParams& params,
                                              std::size_t payloadBytes) {
  // MQTT 3.1.1 section 2.2.3: Remaining Length at most 268,435,455 bytes.
  const std::size_t overhead = 2 + params.topic.size() + (params.qos > 0 ? 2 : 0);
  if (payloadBytes <= 268435455 - overhead) return std::nullopt;
  return fmt::format("{} bytes is over the MQTT 3.1.1 maximum packet size", payloadBytes);
}

namespace {

void checkLorawanPayload(const LoraRadioParams& params, const core::Config& at,
                         std::string_view key, std::size_t payloadBytes) {
  if (auto problem = lorawanPayloadProblem(params, payloadBytes)) at.fail(key, *problem);
}

void checkMqttPayload(const MqttWifiParams& params, const core::Config& at, std::string_view key,
                      std::size_t payloadBytes) {
  if (auto problem = mqttPayloadProblem(params, payloadBytes)) at.fail(key, *problem);
}

}  // namespace

void LorawanRadio::checkPayload(const core::Config& at, std::string_view key,
                                std::size_t payloadBytes) const {
  checkLorawanPayload(m_params, at, key, payloadBytes);
}

// ---------------------------------------------------------------- MQTT

MqttRadio::MqttRadio(sc_core::sc_module_name name, MqttWifiParams params)
    : RadioModule(name, "mqtt", wifiPowerStates(params)), m_params(std::move(params)) {}

void MqttRadio::startUp() {
  if (m_params.policy != MqttPolicy::StayConnected) return;
  ++m_connections;
  play(mqttConnectPhases(m_params));
  setState(kWifiIdle);
}

void MqttRadio::handle(const radio::Message& report) {
  const bool stay = m_params.policy == MqttPolicy::StayConnected;
  if (!stay) ++m_connections;
  ++m_transmissions;
  play(stay ? mqttPublishPhases(m_params, report.payloadBytes)
            : mqttReportPhases(m_params, report.payloadBytes));
  setState(stay ? kWifiIdle : kWifiOff);
  ++m_sent;
  m_payloadBytes += report.payloadBytes;
}

core::RadioResult MqttRadio::summary() const {
  auto r = RadioModule::summary();
  r.part = m_params.part;
  r.mqtt = core::RadioResult::Mqtt{
      m_params.policy == MqttPolicy::StayConnected ? "stay_connected" : "connect_per_report",
      m_params.qos, m_params.tls, m_connections, in_mA(connectedIdleCurrent(m_params))};
  return r;
}

void MqttRadio::checkPayload(const core::Config& at, std::string_view key,
                             std::size_t payloadBytes) const {
  checkMqttPayload(m_params, at, key, payloadBytes);
}

// ---------------------------------------------------------------- factory

RadioSpec RadioSpec::fromConfig(const core::Config& radioCfg) {
  const auto protocol = radioCfg.choice("protocol", {"lorawan", "mqtt"});
  RadioSpec spec{protocol == "lorawan"
                     ? decltype(RadioSpec::params)(LoraRadioParams::fromConfig(radioCfg))
                     : MqttWifiParams::fromConfig(radioCfg),
                 {},
                 false};
  spec.supply =
      regulator::SupplyRange::fromConfig(radioCfg, "radio", radioCfg.text("name", "radio"));
  spec.includesCpu = radioCfg.flag("includes_cpu", false);
  return spec;
}

std::optional<std::string> RadioSpec::payloadProblem(std::size_t payloadBytes) const {
  if (const auto* lora = std::get_if<LoraRadioParams>(&params)) {
    return lorawanPayloadProblem(*lora, payloadBytes);
  }
  return mqttPayloadProblem(std::get<MqttWifiParams>(params), payloadBytes);
}

void RadioSpec::checkPayload(const core::Config& at, std::string_view key,
                             std::size_t payloadBytes) const {
  if (const auto* lora = std::get_if<LoraRadioParams>(&params)) {
    checkLorawanPayload(*lora, at, key, payloadBytes);
  } else {
    checkMqttPayload(std::get<MqttWifiParams>(params), at, key, payloadBytes);
  }
}

std::unique_ptr<RadioModule> createRadio(sc_core::sc_module_name name, const RadioSpec& spec) {
  if (const auto* lora = std::get_if<LoraRadioParams>(&spec.params)) {
    return std::make_unique<LorawanRadio>(name, *lora);
  }
  return std::make_unique<MqttRadio>(name, std::get<MqttWifiParams>(spec.params));
}

std::unique_ptr<RadioModule> createRadio(sc_core::sc_module_name name,
                                         const core::Config& radioCfg) {
  return createRadio(name, RadioSpec::fromConfig(radioCfg));
}

}  // namespace ej::radio
