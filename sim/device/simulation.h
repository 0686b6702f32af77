// Running scenarios: elaborate their nodes, simulate each to its horizon (or until its
// battery empties), and collect every figure the reports need.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/results.h"
#include "sim/device/recorder.h"
#include "sim/device/scenario.h"
#include "sim/power/battery_module.h"
#include "sim/power/ledger.h"

namespace ej::device {

struct JobResult {
  std::string name;
  std::uint64_t triggers, runs, merged;
  // Asked for while the node was browned out, and the inferences and reports those runs
  // would have made (the job's infer and send steps, once per missed run).
  std::uint64_t missed = 0, missedInferences = 0, missedReports = 0;
};

struct RunResult {
  Time simulated;                      // from time zero to the end of the run
  std::optional<Time> batteryEmptyAt;  // the first time the battery emptied
  power::BatteryModule::Outages outages;
  std::vector<power::Ledger::Component> components;
  Charge batteryCapacity, batteryInitial, batteryFinal, batteryMinimum;
  Charge batteryDrawn, batteryAccepted, batteryWasted;
  Voltage brownOutVoltage;  // loaded voltage below which the node browns out
  // What ended the first period of power (a limit's name, or "battery empty").
  std::optional<power::BatteryModule::Cause> endCause;
  std::vector<JobResult> jobs;
  std::uint64_t pirMotions = 0, pirTriggers = 0;
  std::map<std::string, core::RadioResult> radios;  // per radio: its own counts
  std::vector<DailyRow> daily;
  TimeseriesStore timeseries;
  std::uint64_t events = 0;       // power-state changes
  std::uint64_t deltaCycles = 0;  // the kernel's, shared by the nodes it hosted
  double wallTime_s = 0;          // from elaboration to this node's end
  std::size_t nodesInKernel = 1;  // nodes the kernel hosted side by side
};

// Simulates SCENARIO (its models are consumed) on one node named "node". Call once per
// process: the SystemC kernel cannot be restarted.
// VCD, when not empty, receives a SystemC VCD trace of the power bus (power states,
// currents, state of charge; sim/power/power_trace.h); ".vcd" is appended unless it ends so.
RunResult simulate(Scenario& scenario, const std::filesystem::path& vcd = {});

// Simulates SCENARIOS side by side in one SystemC kernel (elaborated once), node i named
// NAMES[i]. The nodes share nothing, so result i is the one simulate(*SCENARIOS[i]) gives
// alone, but for `wallTime_s` and `deltaCycles`, which are the kernel's. Each node's run ends
// at its own horizon or empty battery; the kernel stops when the last one has ended. Once
// per process, like simulate().
std::vector<RunResult> simulateMany(const std::vector<Scenario*>& scenarios,
                                    const std::vector<std::string>& names);

}  // namespace ej::device
