// Running a scenario: elaborate one node, simulate to the horizon (or until the battery
// empties), and collect every figure the reports need.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/device/recorder.h"
#include "sim/device/scenario.h"
#include "sim/power/battery_module.h"
#include "sim/power/ledger.h"

namespace ej::device {

struct JobResult {
  std::string name;
  std::uint64_t triggers, runs, merged;
};

struct RunResult {
  Time simulated;                        // from time zero to the end of the run
  std::optional<Time> batteryEmptyAt;    // the first time the battery emptied
  power::BatteryModule::Outages outages;
  std::vector<power::Ledger::Component> components;
  Charge batteryCapacity, batteryInitial, batteryFinal, batteryMinimum;
  Charge batteryDrawn, batteryAccepted, batteryWasted;
  std::vector<JobResult> jobs;
  std::uint64_t pirMotions = 0, pirTriggers = 0;
  nlohmann::json radios = nlohmann::json::object();  // per radio: its own counts
  std::vector<DailyRow> daily;
  std::vector<TimeseriesRow> timeseries;
  std::uint64_t events = 0;              // power-state changes
  std::uint64_t deltaCycles = 0;
  double wallTime_s = 0;
};

// Simulates SCENARIO (its models are consumed). Call once per process: the SystemC kernel
// cannot be restarted.
// VCD, when not empty, receives a SystemC VCD trace of the power bus (power states,
// currents, state of charge; sim/power/power_trace.h); ".vcd" is appended unless it ends so.
RunResult simulate(Scenario& scenario, const std::filesystem::path& vcd = {});

}  // namespace ej::device
