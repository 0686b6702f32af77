// The `edgejoule radio` calculator; see message_charge.h and README.md.
#include "sim/radio/message_charge.h"

#include <fmt/format.h>

#include <cmath>
#include <variant>
#include <vector>

namespace ej::radio {

using nlohmann::json;

namespace {

// PHASES priced with the currents of STATES, skipping empty phases as RadioModule::play does.
json priced(const PhaseList& phases, const std::vector<power::PowerState>& states, Voltage supply) {
  json rows = json::array();
  Time duration = seconds(0);
  Time airtime = seconds(0);
  Charge charge = coulombs(0);
  for (const auto& phase : phases) {
    if (phase.duration <= seconds(0)) continue;
    const auto& state = states.at(phase.state);
    const Charge q = state.current * phase.duration;
    rows.push_back({{"name", phase.name},
                    {"state", state.name},
                    {"duration_ms", in_s(phase.duration) * 1e3},
                    {"current_mA", in_mA(state.current)},
                    {"charge_uC", in_C(q) * 1e6},
                    {"energy_uJ", in_C(q) * in_V(supply) * 1e6},
                    {"transmit", phase.transmit}});
    duration += phase.duration;
    if (phase.transmit) airtime += phase.duration;
    charge += q;
  }
  return {{"phases", rows},
          {"duration_ms", in_s(duration) * 1e3},
          {"airtime_ms", in_s(airtime) * 1e3},
          {"charge_uC", in_C(charge) * 1e6},
          {"charge_uAh", in_mAh(charge) * 1e3},
          {"energy_mJ", in_C(charge) * in_V(supply) * 1e3}};
}

// Between reports the radio stays in STATE.
json between(const power::PowerState& state, Voltage supply) {
  const Charge perDay = state.current * days(1);
  return {{"state", state.name},
          {"current_mA", in_mA(state.current)},
          {"charge_per_hour_mAh", in_mAh(state.current * hours(1))},
          {"charge_per_day_mAh", in_mAh(perDay)},
          {"energy_per_day_J", in_C(perDay) * in_V(supply)}};
}

json lorawanJson(const LoraRadioParams& p, std::size_t payloadBytes, Voltage supply) {
  const auto states = loraPowerStates(p);
  const auto& m = p.modulation;
  json j;
  j["part"] = p.part;
  j["protocol"] = "lorawan";
  j["payload_bytes"] = payloadBytes;
  j["frame_bytes"] = payloadBytes + kLorawanOverheadBytes;
  j["supply_V"] = in_V(supply);
  j["settings"] = {{"spreading_factor", m.spreadingFactor},
                   {"bandwidth_kHz", in_Hz(m.bandwidth) / 1e3},
                   {"coding_rate", fmt::format("4/{}", m.codingRateDenominator)},
                   {"data_rate", fmt::format("DR{}", p.eu868DataRate)},
                   {"tx_power_dBm", p.txPower_dBm},
                   {"power_amplifier", p.amplifier},
                   {"tx_current_mA", in_mA(p.txCurrent)},
                   {"confirmed", p.confirmed},
                   {"join", p.otaaJoin ? "otaa" : "abp"}};
  // A confirmed uplink's report is the attempt whose ACK arrives in RX1.
  const auto report = uplinkAttempt(p, payloadBytes, p.confirmed);
  j["report"] = priced(report, states, supply);
  if (p.confirmed) {
    // An attempt whose ACK is lost, and the sleep until the retransmission (ACK_TIMEOUT,
    // LoRaWAN 1.0.4 section 18.4), as LorawanRadio::handle plays them.
    auto retry = uplinkAttempt(p, payloadBytes, false);
    retry.push_back({"ack_timeout", kLoraSleep, p.ackTimeout});
    j["retry"] = priced(retry, states, supply);
    j["retry"]["max_retries"] = p.maxRetries;
  }
  if (p.otaaJoin) j["join"] = priced(joinExchange(p), states, supply);
  j["between_reports"] = between(states[kLoraSleep], supply);
  // After a transmission of airtime T the sub-band is closed until T / duty_cycle after its
  // start (DutyCycleTracker): the shortest interval between reports.
  const Time interval = airtimeOf(report) / p.dutyCycle.value();
  j["duty_cycle"] = {{"limit", p.dutyCycle.value()},
                     {"min_report_interval_s", in_s(interval)},
                     {"max_reports_per_day", std::floor(kSecondsPerDay / in_s(interval))}};
  return j;
}

json mqttJson(const MqttWifiParams& p, std::size_t payloadBytes, Voltage supply) {
  const auto states = wifiPowerStates(p);
  json j;
  j["part"] = p.part;
  j["protocol"] = "mqtt";
  j["payload_bytes"] = payloadBytes;
  j["supply_V"] = in_V(supply);
  j["settings"] = {
      {"policy", p.policy == MqttPolicy::StayConnected ? "stay_connected" : "connect_per_report"},
      {"qos", p.qos},
      {"tls", p.tls},
      {"phy_rate_mbps", p.phyRate_Mbps},
      {"broker_rtt_ms", in_s(p.brokerRtt) * 1e3},
      {"static_ip", p.staticIp},
      {"topic", p.topic},
      {"keep_alive_s", in_s(p.keepAlive)},
      {"dtim_period", p.dtimPeriod},
      {"sleep_mode", p.lightSleep ? "light" : "modem"}};

  json perReport;
  perReport["report"] = priced(mqttReportPhases(p, payloadBytes), states, supply);
  perReport["between_reports"] = between(states[kWifiOff], supply);

  json stay;
  stay["connection"] = priced(mqttConnectPhases(p), states, supply);
  stay["report"] = priced(mqttPublishPhases(p, payloadBytes), states, supply);
  stay["between_reports"] = between(states[kWifiIdle], supply);
  const ConnectedIdle idle = connectedIdle(p);
  stay["between_reports"]["sleep_mA"] = in_mA(idle.sleep);
  stay["between_reports"]["beacons_mA"] = in_mA(idle.beacons);
  stay["between_reports"]["keep_alive_mA"] = in_mA(idle.keepAlive);

  j["connect_per_report"] = perReport;
  j["stay_connected"] = stay;
  // Reports a day above which staying connected costs less: the idle charge of a day
  // against what each report saves by not connecting.
  const double saved_uC =
      perReport["report"]["charge_uC"].get<double>() - stay["report"]["charge_uC"].get<double>();
  const double idle_uC = stay["between_reports"]["charge_per_day_mAh"].get<double>() * 3.6e6;
  j["break_even_reports_per_day"] = saved_uC > 0 ? json(idle_uC / saved_uC) : json(nullptr);
  return j;
}

void appendTable(std::string& out, const std::string& title, const json& list) {
  out += fmt::format("{}\n", title);
  out += fmt::format("  {:<28} {:<15} {:>12} {:>10} {:>13} {:>13}\n", "phase", "state",
                     "duration ms", "current mA", "charge uC", "energy uJ");
  for (const auto& row : list["phases"]) {
    out += fmt::format("  {:<28} {:<15} {:>12.4f} {:>10.4f} {:>13.3f} {:>13.3f}\n",
                       row["name"].get<std::string>(), row["state"].get<std::string>(),
                       row["duration_ms"].get<double>(), row["current_mA"].get<double>(),
                       row["charge_uC"].get<double>(), row["energy_uJ"].get<double>());
  }
  out += fmt::format("  {:<28} {:<15} {:>12.4f} {:>10} {:>13.3f} {:>13.3f}\n", "total", "",
                     list["duration_ms"].get<double>(), "", list["charge_uC"].get<double>(),
                     list["energy_mJ"].get<double>() * 1e3);
  out += fmt::format("  = {:.4f} uAh, {:.4f} mJ; airtime {:.4f} ms\n",
                     list["charge_uAh"].get<double>(), list["energy_mJ"].get<double>(),
                     list["airtime_ms"].get<double>());
}

std::string betweenText(const json& b) {
  return fmt::format(
      "between reports: {} at {:.6g} mA = {:.6g} mAh/hour, {:.6g} mAh/day "
      "({:.6g} J/day)\n",
      b["state"].get<std::string>(), b["current_mA"].get<double>(),
      b["charge_per_hour_mAh"].get<double>(), b["charge_per_day_mAh"].get<double>(),
      b["energy_per_day_J"].get<double>());
}

}  // namespace

json messageChargeJson(const RadioSpec& spec, std::size_t payloadBytes, Voltage supply) {
  if (const auto* lora = std::get_if<LoraRadioParams>(&spec.params)) {
    return lorawanJson(*lora, payloadBytes, supply);
  }
  return mqttJson(std::get<MqttWifiParams>(spec.params), payloadBytes, supply);
}

std::string messageChargeText(const json& j) {
  std::string out;
  const auto& s = j["settings"];
  if (j["protocol"] == "lorawan") {
    out += fmt::format(
        "{}, LoRaWAN class A EU868 {} (SF{}, {:g} kHz, CR {}), {:g} dBm on {} ({:.4g} mA), "
        "{}, {} join\n",
        j["part"].get<std::string>(), s["data_rate"].get<std::string>(),
        s["spreading_factor"].get<int>(), s["bandwidth_kHz"].get<double>(),
        s["coding_rate"].get<std::string>(), s["tx_power_dBm"].get<double>(),
        s["power_amplifier"].get<std::string>(), s["tx_current_mA"].get<double>(),
        s["confirmed"].get<bool>() ? "confirmed" : "unconfirmed", s["join"].get<std::string>());
    out += fmt::format("payload {} bytes -> {}-byte frame; energy at {:g} V\n\n",
                       j["payload_bytes"].get<std::size_t>(), j["frame_bytes"].get<std::size_t>(),
                       j["supply_V"].get<double>());
    appendTable(out, s["confirmed"].get<bool>() ? "one report (ACK received in RX1)" : "one report",
                j["report"]);
    if (j.contains("retry")) {
      out += "\n";
      appendTable(out,
                  fmt::format("each retry (attempt without ACK + ACK_TIMEOUT), up to {}",
                              j["retry"]["max_retries"].get<int>()),
                  j["retry"]);
    }
    if (j.contains("join")) {
      out += "\n";
      appendTable(out, "OTAA join (once, at start-up)", j["join"]);
    }
    out += "\n" + betweenText(j["between_reports"]);
    const auto& dc = j["duty_cycle"];
    out += fmt::format("duty cycle {:g} %: at most one report every {:.4g} s ({:g} a day)\n",
                       dc["limit"].get<double>() * 100, dc["min_report_interval_s"].get<double>(),
                       dc["max_reports_per_day"].get<double>());
    return out;
  }
  out += fmt::format(
      "{}, MQTT 3.1.1 QoS {} over 802.11g at {:g} Mbit/s{}, broker RTT {:g} ms, {}; "
      "configured policy {}\n",
      j["part"].get<std::string>(), s["qos"].get<int>(), s["phy_rate_mbps"].get<double>(),
      s["tls"].get<bool>() ? " with TLS 1.2" : "", s["broker_rtt_ms"].get<double>(),
      s["static_ip"].get<bool>() ? "static IP" : "DHCP", s["policy"].get<std::string>());
  out += fmt::format("payload {} bytes to '{}'; energy at {:g} V\n\n",
                     j["payload_bytes"].get<std::size_t>(), s["topic"].get<std::string>(),
                     j["supply_V"].get<double>());
  const auto& per = j["connect_per_report"];
  appendTable(out, "connect per report: one report", per["report"]);
  out += betweenText(per["between_reports"]);
  const auto& stay = j["stay_connected"];
  out += "\n";
  appendTable(out, "stay connected: the connection (once, at start-up)", stay["connection"]);
  out += "\n";
  appendTable(out, "stay connected: one report", stay["report"]);
  const auto& idle = stay["between_reports"];
  out += betweenText(idle);
  out += fmt::format(
      "  = {} sleep {:.6g} mA + DTIM {} beacons {:.6g} mA + keep-alive every {:g} s {:.6g} mA\n",
      s["sleep_mode"].get<std::string>(), idle["sleep_mA"].get<double>(),
      s["dtim_period"].get<int>(), idle["beacons_mA"].get<double>(),
      s["keep_alive_s"].get<double>(), idle["keep_alive_mA"].get<double>());
  if (j["break_even_reports_per_day"].is_number()) {
    out += fmt::format("\nstaying connected costs less above {:.1f} reports a day\n",
                       j["break_even_reports_per_day"].get<double>());
  }
  return out;
}

}  // namespace ej::radio
