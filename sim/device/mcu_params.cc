// Reading the MCU part and the jobs.
#include "sim/device/mcu_params.h"

#include <fmt/format.h>

namespace ej::device {

std::size_t McuParams::stateIndex(const core::Config& cfg, std::string_view key,
                                  const std::string& name) const {
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (states[i].name == name) return i;
  }
  std::vector<std::string> names;
  for (const auto& s : states) names.push_back(s.name);
  cfg.fail(key,
           fmt::format("the MCU has no state '{}' (it has: {})", name, fmt::join(names, ", ")));
}

McuParams McuParams::fromConfig(const core::Config& cfg) {
  McuParams p;
  p.part = cfg.text("name", "mcu");
  const auto states = cfg.child("states");
  for (const auto& name : states.keys()) {
    p.states.push_back({name, states.quantity<Current>(name, core::Range::NonNegative)});
  }
  if (p.states.empty()) cfg.fail("states", "name at least one power state with its current");
  const std::string defaultIdle = p.states.size() > 1 ? "sleep" : p.states.front().name;
  p.idleState = p.stateIndex(cfg, "idle_state", cfg.text("idle_state", defaultIdle));
  p.wakeState = p.stateIndex(cfg, "wake_state", cfg.text("wake_state", "active"));
  p.wakeUpTime = cfg.quantity<Time>("wake_up_time", Time(), core::Range::NonNegative);
  p.core = cfg.choice(
      "core", {"generic", "cortex-m0plus", "cortex-m4f", "cortex-m7", "rv32imc", "xtensa-lx6"},
      "generic");
  if (cfg.has("clock")) p.clock = cfg.quantity<Frequency>("clock", core::Range::Positive);
  if (cfg.has("supply_voltage")) {
    p.supplyVoltage = cfg.quantity<Voltage>("supply_voltage", core::Range::Positive);
  }
  p.flashWaitStates = cfg.integer("flash_wait_states", 0, 0, 15);
  p.sramBytes = cfg.integer("sram_bytes", 0, 0, 1L << 40);
  p.flashBytes = cfg.integer("flash_bytes", 0, 0, 1L << 40);
  return p;
}

JobParams JobParams::fromConfig(const core::Config& cfg, const McuParams& mcu) {
  JobParams job;
  job.name = cfg.text("name");
  const bool onMotion = cfg.has("on");
  if (onMotion == cfg.has("every")) cfg.fail("", "give exactly one of `on: motion` or `every:`");
  if (onMotion) {
    cfg.choice("on", {"motion"});
    job.trigger = Trigger::Motion;
  } else {
    job.trigger = Trigger::Periodic;
    job.period = cfg.quantity<Time>("every", core::Range::Positive);
    job.firstAt = cfg.quantity<Time>("first_at", job.period, core::Range::NonNegative);
  }
  for (const auto& step : cfg.items("steps")) {
    JobStep s;
    if (step.has("send") + step.has("state") + step.has("infer") != 1) {
      step.fail("",
                "a step is one of `{state: NAME, for: DURATION}`, `{infer: MODEL.onnx}` "
                "or `{send: {...}}`");
    }
    if (step.has("infer")) {
      s.kind = JobStep::Kind::Infer;
      s.model = step.existingFile("infer");
      s.backend = step.choice("backend", {"emu", "analytic"}, "emu");
      s.kernels = step.has("kernels") ? step.choice("kernels", {"reference", "optimized"}) : "";
      if (step.has("calibration")) s.calibration = step.existingFile("calibration");
      if (step.has("test")) s.test = step.existingFile("test");
      s.state = mcu.stateIndex(step, "in_state", step.text("in_state", "active"));
    } else if (step.has("send")) {
      const auto send = step.child("send");
      s.kind = JobStep::Kind::Send;
      s.radio = send.text("radio", "radio");
      s.payloadBytes = static_cast<std::size_t>(send.integer("payload", 0, 1L << 20));
    } else {
      s.state = mcu.stateIndex(step, "state", step.text("state"));
      s.duration = step.quantity<Time>("for", core::Range::NonNegative);
    }
    job.steps.push_back(s);
  }
  if (job.steps.empty()) cfg.fail("steps", "a job needs at least one step");
  return job;
}

}  // namespace ej::device
