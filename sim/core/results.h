// What a run produces, as typed figures. The simulation fills them; summary.json is their
// JSON form (to_json / from_json below, keys unchanged: they are an interface); the console
// summary, daily rows, sweep rows, plots, the HTML page and the tests read the fields.
// Raw doubles live only here, at the program's edge, each with its unit in its name.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

// std::optional as JSON: null when empty (nlohmann::json 3.11 has no built-in support).
namespace nlohmann {
template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) {
      j = *v;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) {
      v.reset();
    } else {
      v = j.get<T>();
    }
  }
};
}  // namespace nlohmann

namespace ej::core {

// One power state of one component over the run.
struct StateResult {
  double current_mA = 0;     // the state's current at the end of the run
  double time_s = 0;         // time spent in the state
  double time_fraction = 0;  // of the simulated time
  double charge_mAh = 0;     // integral of current over that time
  double energy_J = 0;       // integral of current times voltage
  double charge_per_day_mAh = 0;
};

// One component (a load or a source) of the node, keyed by its scenario / SystemC name.
struct ComponentResult {
  std::string flow;  // "load" | "source"
  double charge_mAh = 0;
  double energy_J = 0;
  double charge_per_day_mAh = 0;
  double energy_per_day_J = 0;
  std::map<std::string, StateResult> states;
  // A load's share of all the charge the loads took (self-discharge and the converter's loss
  // included: they are lines of the ledger like the parts); null for a source.
  std::optional<double> share_of_consumed;

  bool isLoad() const { return flow == "load"; }
};

// The mean day: over the run's complete UTC days, or the run's rate scaled to 24 h.
struct DailyResult {
  double consumed_mAh = 0;
  double harvested_mAh = 0;
  double net_mAh = 0;
  double wasted_mAh = 0;  // offered by the harvester but not stored
  double consumed_J = 0;
  double harvested_J = 0;
  std::size_t complete_days = 0;
  std::string basis;
};

struct OutageInterval {
  double start_days = 0;
  double end_days = 0;
};

struct OutageResult {
  std::uint64_t count = 0;
  std::uint64_t on_voltage = 0;  // begun on the loaded voltage rather than an empty battery
  double total_days = 0;
  double longest_days = 0;
  std::vector<OutageInterval> intervals;  // the first 1,000
};

struct BatteryResult {
  std::string model;
  double capacity_mAh = 0;
  double initial_mAh = 0;
  double final_mAh = 0;
  double minimum_mAh = 0;
  double brown_out_voltage_V = 0;
  double final_soc = 0;
  double drawn_mAh = 0;
  double accepted_mAh = 0;
  double wasted_mAh = 0;
};

struct JobResult {
  std::uint64_t triggers = 0;
  std::uint64_t runs = 0;
  std::uint64_t merged = 0;  // triggers that fell into a run already under way
  std::uint64_t missed = 0;  // runs asked for while the node was browned out
  std::uint64_t missed_inferences = 0;
  std::uint64_t missed_reports = 0;
};

// Work the node was asked for but did not do.
struct MissedResult {
  std::uint64_t job_runs = 0;
  std::uint64_t motion_events = 0;
  std::uint64_t inferences = 0;
  std::uint64_t reports = 0;
  std::uint64_t reports_dropped_duty_cycle = 0;
  std::string basis;
};

// What ended the node's power: the limit crossed and the battery then.
struct EndResult {
  double at_days = 0;
  std::string cause;
  double limit_V = 0;
  double battery_V = 0;
  double battery_current_mA = 0;
};

struct PirResult {
  std::uint64_t motions = 0;
  std::uint64_t triggers = 0;
};

// A radio's own counts, the fields of its protocol, and its charge per state (the ledger's).
struct RadioResult {
  std::string protocol;  // "lorawan" | "mqtt"
  std::string part;
  std::uint64_t reports_submitted = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t dropped_duty_cycle = 0;
  std::uint64_t unacknowledged = 0;
  std::uint64_t transmissions = 0;
  std::uint64_t retries = 0;
  std::uint64_t payload_bytes_sent = 0;
  double airtime_s = 0;
  std::map<std::string, double> time_in_state_s;
  std::map<std::string, double> charge_mAh_by_state;
  std::map<std::string, double> energy_J_by_state;

  struct Lorawan {
    int spreading_factor = 0;
    double bandwidth_kHz = 0;
    std::string data_rate;
    double tx_power_dBm = 0;
    std::string power_amplifier;
    double tx_current_mA = 0;
    bool confirmed = false;
    std::uint64_t joins = 0;
    std::uint64_t duty_cycle_waits = 0;
    double duty_cycle_wait_s = 0;
  };
  struct Mqtt {
    std::string policy;  // "stay_connected" | "connect_per_report"
    int qos = 0;
    bool tls = false;
    std::uint64_t connections = 0;
    double connected_idle_current_mA = 0;
  };
  std::optional<Lorawan> lorawan;  // set for protocol "lorawan"
  std::optional<Mqtt> mqtt;        // set for protocol "mqtt"
};

// One distinct (model, backend) a node's jobs run: what one inference costs and how well
// the network does.
struct InferenceResult {
  std::string model;    // file name
  std::string backend;  // "emu" | "analytic"
  std::string kernels;  // the kernel library: "optimized" | "reference"
  std::string basis;    // counted or estimated, and how
  double cycles = 0;
  double latency_s = 0;
  double energy_per_inference_J = 0;
  std::int64_t macs = 0;
  std::int64_t sram_peak_bytes = 0;
  std::int64_t flash_bytes = 0;
  std::optional<double> accuracy_int8;  // fraction; null when no labelled data was given
  int accuracy_samples = 0;
  std::optional<std::string> accuracy_data;  // the test inputs it was measured on
  // The 95 % Wilson interval of accuracy_int8 (confidence.h); null with accuracy_int8.
  std::optional<std::array<double, 2>> accuracy_ci95;
};

struct SimulationResult {
  std::uint64_t events = 0;        // power-state changes
  std::uint64_t delta_cycles = 0;  // the kernel's, shared by the nodes it hosted
  double wall_time_s = 0;
  std::size_t nodes_in_kernel = 1;
  std::string time_resolution = "1 ns";
};

// summary.json.
struct RunSummary {
  std::string scenario;
  std::string scenario_file;
  std::string start_utc;
  double horizon_days = 0;
  double simulated_days = 0;
  std::optional<double> battery_life_days;  // null: never emptied within the horizon
  std::optional<double> battery_life_years;
  // When the battery outlives the run: a projection (not simulated), with its basis.
  std::optional<double> projected_life_days;
  std::optional<double> projected_life_years;
  std::string projected_life_basis;
  bool horizon_until_empty = false;
  std::optional<EndResult> end;
  MissedResult missed;
  bool energy_neutral = false;
  OutageResult outages;
  DailyResult daily;
  std::map<std::string, ComponentResult> components;
  BatteryResult battery;
  std::map<std::string, JobResult> jobs;
  SimulationResult simulation;
  std::string basis;
  std::optional<PirResult> pir;
  std::map<std::string, RadioResult> radios;  // absent from the JSON when empty
  std::vector<InferenceResult> inference;     // absent from the JSON when empty
};

// JSON forms. A reader takes what it finds and leaves the rest at its default, so that
// files written before a field was added still read.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StateResult, current_mA, time_s, time_fraction,
                                                charge_mAh, energy_J, charge_per_day_mAh)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ComponentResult, flow, charge_mAh, energy_J,
                                                charge_per_day_mAh, energy_per_day_J, states,
                                                share_of_consumed)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DailyResult, consumed_mAh, harvested_mAh, net_mAh,
                                                wasted_mAh, consumed_J, harvested_J, complete_days,
                                                basis)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OutageInterval, start_days, end_days)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OutageResult, count, on_voltage, total_days,
                                                longest_days, intervals)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BatteryResult, model, capacity_mAh, initial_mAh,
                                                final_mAh, minimum_mAh, brown_out_voltage_V,
                                                final_soc, drawn_mAh, accepted_mAh, wasted_mAh)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(JobResult, triggers, runs, merged, missed,
                                                missed_inferences, missed_reports)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MissedResult, job_runs, motion_events, inferences,
                                                reports, reports_dropped_duty_cycle, basis)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EndResult, at_days, cause, limit_V, battery_V,
                                                battery_current_mA)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PirResult, motions, triggers)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(InferenceResult, model, backend, kernels, basis,
                                                cycles, latency_s, energy_per_inference_J, macs,
                                                sram_peak_bytes, flash_bytes, accuracy_int8,
                                                accuracy_samples, accuracy_ci95, accuracy_data)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SimulationResult, events, delta_cycles, wall_time_s,
                                                nodes_in_kernel, time_resolution)
// A radio's object holds its protocol's fields beside the common ones.
void to_json(nlohmann::json& j, const RadioResult& v);
void from_json(const nlohmann::json& j, RadioResult& v);
// `pir`, `radios` and `inference` appear only when the node has them.
void to_json(nlohmann::json& j, const RunSummary& v);
void from_json(const nlohmann::json& j, RunSummary& v);

// Reads summary.json's text. Throws std::runtime_error naming FILE when it is not one.
RunSummary parseRunSummary(const std::string& text, const std::string& file);
// The same from the file.
RunSummary readRunSummary(const std::filesystem::path& file);

}  // namespace ej::core
