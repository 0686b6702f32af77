// JSON forms of the run's results whose shape is not one flat object.
#include "sim/core/results.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ej::core {
using nlohmann::json;

namespace {

// Reads KEY of J into V when J has it; leaves V as it is otherwise.
template <typename T>
void take(const json& j, const char* key, T& v) {
  if (const auto it = j.find(key); it != j.end()) it->get_to(v);
}

}  // namespace

void to_json(json& j, const RadioResult& v) {
  j = {{"protocol", v.protocol},
       {"part", v.part},
       {"reports_submitted", v.reports_submitted},
       {"messages_sent", v.messages_sent},
       {"dropped_duty_cycle", v.dropped_duty_cycle},
       {"unacknowledged", v.unacknowledged},
       {"transmissions", v.transmissions},
       {"retries", v.retries},
       {"payload_bytes_sent", v.payload_bytes_sent},
       {"airtime_s", v.airtime_s},
       {"time_in_state_s", v.time_in_state_s}};
  if (!v.charge_mAh_by_state.empty()) j["charge_mAh_by_state"] = v.charge_mAh_by_state;
  if (!v.energy_J_by_state.empty()) j["energy_J_by_state"] = v.energy_J_by_state;
  if (const auto& l = v.lorawan) {
    j["spreading_factor"] = l->spreading_factor;
    j["bandwidth_kHz"] = l->bandwidth_kHz;
    j["data_rate"] = l->data_rate;
    j["tx_power_dBm"] = l->tx_power_dBm;
    j["power_amplifier"] = l->power_amplifier;
    j["tx_current_mA"] = l->tx_current_mA;
    j["confirmed"] = l->confirmed;
    j["joins"] = l->joins;
    j["duty_cycle_waits"] = l->duty_cycle_waits;
    j["duty_cycle_wait_s"] = l->duty_cycle_wait_s;
  }
  if (const auto& m = v.mqtt) {
    j["policy"] = m->policy;
    j["qos"] = m->qos;
    j["tls"] = m->tls;
    j["connections"] = m->connections;
    j["connected_idle_current_mA"] = m->connected_idle_current_mA;
  }
}

void from_json(const json& j, RadioResult& v) {
  take(j, "protocol", v.protocol);
  take(j, "part", v.part);
  take(j, "reports_submitted", v.reports_submitted);
  take(j, "messages_sent", v.messages_sent);
  take(j, "dropped_duty_cycle", v.dropped_duty_cycle);
  take(j, "unacknowledged", v.unacknowledged);
  take(j, "transmissions", v.transmissions);
  take(j, "retries", v.retries);
  take(j, "payload_bytes_sent", v.payload_bytes_sent);
  take(j, "airtime_s", v.airtime_s);
  take(j, "time_in_state_s", v.time_in_state_s);
  take(j, "charge_mAh_by_state", v.charge_mAh_by_state);
  take(j, "energy_J_by_state", v.energy_J_by_state);
  if (v.protocol == "lorawan") {
    RadioResult::Lorawan l;
    take(j, "spreading_factor", l.spreading_factor);
    take(j, "bandwidth_kHz", l.bandwidth_kHz);
    take(j, "data_rate", l.data_rate);
    take(j, "tx_power_dBm", l.tx_power_dBm);
    take(j, "power_amplifier", l.power_amplifier);
    take(j, "tx_current_mA", l.tx_current_mA);
    take(j, "confirmed", l.confirmed);
    take(j, "joins", l.joins);
    take(j, "duty_cycle_waits", l.duty_cycle_waits);
    take(j, "duty_cycle_wait_s", l.duty_cycle_wait_s);
    v.lorawan = l;
  } else if (v.protocol == "mqtt") {
    RadioResult::Mqtt m;
    take(j, "policy", m.policy);
    take(j, "qos", m.qos);
    take(j, "tls", m.tls);
    take(j, "connections", m.connections);
    take(j, "connected_idle_current_mA", m.connected_idle_current_mA);
    v.mqtt = m;
  }
}

void to_json(json& j, const RunSummary& v) {
  j = {{"scenario", v.scenario},
       {"scenario_file", v.scenario_file},
       {"start_utc", v.start_utc},
       {"horizon_days", v.horizon_days},
       {"simulated_days", v.simulated_days},
       {"battery_life_days", v.battery_life_days},
       {"battery_life_years", v.battery_life_years},
       {"projected_life_days", v.projected_life_days},
       {"projected_life_years", v.projected_life_years},
       {"projected_life_basis", v.projected_life_basis},
       {"horizon_until_empty", v.horizon_until_empty},
       {"end", v.end},
       {"missed", v.missed},
       {"energy_neutral", v.energy_neutral},
       {"outages", v.outages},
       {"daily", v.daily},
       {"components", v.components},
       {"battery", v.battery},
       {"jobs", v.jobs},
       {"simulation", v.simulation},
       {"basis", v.basis}};
  if (v.pir) j["pir"] = *v.pir;
  if (!v.radios.empty()) j["radios"] = v.radios;
  if (!v.inference.empty()) j["inference"] = v.inference;
}

void from_json(const json& j, RunSummary& v) {
  take(j, "scenario", v.scenario);
  take(j, "scenario_file", v.scenario_file);
  take(j, "start_utc", v.start_utc);
  take(j, "horizon_days", v.horizon_days);
  take(j, "simulated_days", v.simulated_days);
  take(j, "battery_life_days", v.battery_life_days);
  take(j, "battery_life_years", v.battery_life_years);
  take(j, "projected_life_days", v.projected_life_days);
  take(j, "projected_life_years", v.projected_life_years);
  take(j, "projected_life_basis", v.projected_life_basis);
  take(j, "horizon_until_empty", v.horizon_until_empty);
  take(j, "end", v.end);
  take(j, "missed", v.missed);
  take(j, "energy_neutral", v.energy_neutral);
  take(j, "outages", v.outages);
  take(j, "daily", v.daily);
  take(j, "components", v.components);
  take(j, "battery", v.battery);
  take(j, "jobs", v.jobs);
  take(j, "simulation", v.simulation);
  take(j, "basis", v.basis);
  take(j, "pir", v.pir);
  take(j, "radios", v.radios);
  take(j, "inference", v.inference);
}

RunSummary parseRunSummary(const std::string& text, const std::string& file) {
  try {
    const json j = json::parse(text);
    if (!j.is_object() || !j.contains("scenario") || !j.contains("daily")) {
      throw std::runtime_error("not an edgejoule summary");
    }
    return j.get<RunSummary>();
  } catch (const json::exception& e) {
    // nlohmann's text names its own internals ("[json.exception.parse_error.101] ..."): keep
    // only what went wrong, after the bracketed id.
    std::string what = e.what();
    if (const auto close = what.find("] "); close != std::string::npos) what.erase(0, close + 2);
    throw std::runtime_error(fmt::format("{}: not a readable summary.json ({})", file, what));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", file, e.what()));
  }
}

RunSummary readRunSummary(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return parseRunSummary(text.str(), file.string());
}

}  // namespace ej::core
