// The MCU part (hw/mcu/*.yaml) and the node's jobs (what it does when woken).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/power/power_bus_if.h"

namespace ej::device {

struct McuParams {
  std::string part;                       // the part's name, for reports
  std::vector<power::PowerState> states;  // named states with their currents
  std::size_t idleState = 0;              // where it rests between jobs (`idle_state`)
  std::size_t wakeState = 0;              // the state it wakes up in (`wake_state`)
  Time wakeUpTime{};                      // spent in wakeState before each job
  // Figures for the inference cost model (issue 3); none for a generic part.
  std::string core;
  std::optional<Frequency> clock;
  std::optional<Voltage> supplyVoltage;
  long flashWaitStates = 0;
  long sramBytes = 0;
  long flashBytes = 0;

  std::size_t stateIndex(const core::Config& cfg, std::string_view key,
                         const std::string& name) const;
  static McuParams fromConfig(const core::Config& cfg);
};

// One step of a job: stay in a power state for a while, run the network (a power state
// for the latency counted by its inference profile), or hand a report to a radio (the
// radio then works on its own while the MCU goes on).
struct JobStep {
  enum class Kind { State, Infer, Send };
  Kind kind = Kind::State;
  std::size_t state = 0;              // State, Infer: the power state
  Time duration{};                    // State: how long; Infer: the profile's latency
  std::filesystem::path model;        // Infer: the .onnx file
  std::string backend = "emu";        // Infer: emu | analytic
  bool profiled = false;              // Infer: duration holds the profile's latency
  std::string kernels;                // Infer: reference | optimized; "" = the MCU part's choice
  std::filesystem::path calibration;  // Infer: sample file to calibrate on, or the model's own
  std::filesystem::path test;         // Infer: labelled test samples, or the model's own
  std::string radio;                  // Send: the radio's key under node (e.g. `radio`)
  std::size_t payloadBytes = 0;       // Send: application payload

  static JobStep inState(std::size_t state, Time duration) {
    JobStep s;
    s.state = state;
    s.duration = duration;
    return s;
  }
};

// A job of the MCU and what starts it: each rising edge of the PIR output, or a period.
struct JobParams {
  enum class Trigger { Motion, Periodic };
  std::string name;
  Trigger trigger = Trigger::Motion;
  Time period{};   // Periodic: time between runs
  Time firstAt{};  // Periodic: the first run (default: one period after the start)
  std::vector<JobStep> steps;

  static JobParams fromConfig(const core::Config& cfg, const McuParams& mcu);
};

}  // namespace ej::device
