// Scenario loading: one pass over the YAML that builds every part's parameters.
#include "sim/device/scenario.h"

#include <cmath>
#include <map>
#include <optional>
#include <string>

#include "sim/core/calendar.h"
#include "sim/core/io.h"
#include "sim/device/scenario_bounds.h"
#include "sim/nn/model_import.h"

namespace ej::device {

namespace {

// Why the import of MODEL (ONNX or TensorFlow Lite) fails, if it does. The outcome is kept per
// thread by path and checked against the file's bytes: the loads of a study, or of a fuzzing run,
// import the same few models, and an import (protobuf parse, every node checked) costs more than
// the rest of a load.
std::optional<std::string> importProblem(const std::filesystem::path& model) {
  constexpr std::size_t kCachedModels = 16;
  struct Outcome {
    std::string bytes;
    std::optional<std::string> problem;
  };
  thread_local std::map<std::filesystem::path, Outcome> cache;
  std::string bytes;
  std::error_code ec;
  if (std::filesystem::is_regular_file(model, ec)) {
    try {
      bytes = core::readFileLimited(model, core::kMaxModelBytes, "model");
    } catch (const core::ConfigError&) {
      bytes.clear();  // unreadable or too large: importModel names the problem, never cached
    }
  }
  if (!bytes.empty()) {
    if (auto it = cache.find(model); it != cache.end() && it->second.bytes == bytes) {
      return it->second.problem;
    }
  }
  std::optional<std::string> problem;
  try {
    nn::importModel(model);
  } catch (const std::exception& e) {
    problem = e.what();
  }
  if (!bytes.empty()) {
    if (cache.size() >= kCachedModels) cache.clear();
    cache[model] = Outcome{std::move(bytes), problem};
  }
  return problem;
}

// An infer step is checked, not run: the part can count cycles, and the model imports (its
// operators and shapes are known). Profiling is profileInferences()'s.
void checkInferStep(const Scenario& s, const core::Config& stepCfg, const JobStep& step) {
  if (s.mcu.core == "generic") {
    stepCfg.fail("infer",
                 "the MCU part names no core, so no inference can be counted on it: "
                 "use a real part from hw/mcu/");
  }
  if (const auto problem = importProblem(step.model)) stepCfg.fail("infer", *problem);
}

// Reads the powered parts' supply ranges and checks them against the rail they start on:
// the battery's open-circuit voltage, or the regulator's output from it.
void checkSupplies(Scenario& s, const core::Config& node) {
  std::vector<std::pair<core::Config, regulator::SupplyRange>> parts;
  const auto mcu = node.child("mcu");
  parts.emplace_back(mcu, regulator::SupplyRange::fromConfig(mcu, "mcu", s.mcu.part));
  if (auto radio = node.optionalChild("radio")) {
    s.radioIncludesCpu = s.radio->includesCpu;
    parts.emplace_back(*radio, s.radio->supply);
  }
  if (auto pir = node.optionalChild("pir")) {
    parts.emplace_back(*pir, regulator::SupplyRange::fromConfig(*pir, "pir", "the PIR sensor"));
  }
  const Voltage ocv = s.battery->terminalVoltage(Current());
  const Voltage rail =
      s.regulator ? regulator::Regulator(*s.regulator).outputVoltage(Current(), ocv) : ocv;
  const std::string railName = s.regulator
                                   ? "the output of node.regulator (" + s.regulator->name + ")"
                                   : "the battery (its open-circuit voltage at the start)";
  for (auto& [cfg, range] : parts) {
    if (!range.declared()) continue;
    range.checkRail(cfg, rail, railName);
    s.supplies.push_back(range);
  }
}

}  // namespace

Time Scenario::phase() const { return seconds(std::fmod(startEpochSeconds, kSecondsPerDay)); }

Scenario Scenario::load(const std::filesystem::path& file, const core::Overrides& overrides) {
  const core::Config cfg = core::Config::load(file, overrides);
  Scenario s;
  s.file = file;
  s.text = cfg.documentText();  // the text parsed, not the file read again
  s.name = cfg.text("name", file.stem().string());
  const std::string start = cfg.text("start", "2026-01-01T00:00:00Z");
  const auto epoch = core::parseUtcTimestamp(start);
  if (!epoch) cfg.fail("start", "expected a UTC timestamp such as 2026-01-01T00:00:00Z");
  s.startEpochSeconds = *epoch;
  bool untilEmpty = false;
  try {
    untilEmpty = cfg.text("horizon") == "until_empty";
  } catch (const core::ConfigError&) {
    untilEmpty = false;  // a quantity with its source: not the word
  }
  s.untilEmpty = untilEmpty;
  s.horizon = untilEmpty
                  ? cfg.quantity<Time>("horizon_cap", days(365.0 * 50), core::Range::Positive)
                  : cfg.quantity<Time>("horizon", core::Range::Positive);
  // 1 ns resolution: 64-bit time spans about 584 years.
  if (s.horizon > days(365.0 * 500)) {
    cfg.fail(untilEmpty ? "horizon_cap" : "horizon", "at most 500 years can be simulated");
  }
  s.timeseriesInterval = hours(1);
  if (auto output = cfg.optionalChild("output")) {
    s.timeseries = output->flag("timeseries", true);
    s.timeseriesInterval =
        output->quantity<Time>("timeseries_interval", hours(1), core::Range::Positive);
  }

  const auto node = cfg.child("node");
  s.mcu = McuParams::fromConfig(node.child("mcu"));
  if (node.has("radio")) s.radio = radio::RadioSpec::fromConfig(node.child("radio"));
  for (const auto& job : node.items("jobs")) {
    s.jobs.push_back(JobParams::fromConfig(job, s.mcu));
    const auto stepCfgs = job.items("steps");
    // Steps were read by JobParams; here they are checked against the rest of the node, each
    // error at the step's own line.
    for (std::size_t i = 0; i < stepCfgs.size(); ++i) {
      const auto& step = s.jobs.back().steps[i];
      if (step.kind == JobStep::Kind::Infer) {
        checkInferStep(s, stepCfgs[i], step);
        if (!s.mcuTarget) s.mcuTarget = nn::McuTarget::fromConfig(node.child("mcu"));
      } else if (step.kind == JobStep::Kind::Send) {
        const auto send = stepCfgs[i].child("send");
        if (step.radio != "radio" || !s.radio) {
          send.fail("radio", "the node has no such radio (give it one under node.radio)");
        }
        s.radio->checkPayload(send, "payload", step.payloadBytes);
      }
    }
  }
  if (auto pir = node.optionalChild("pir")) {
    s.pir = PirParams::fromConfig(*pir);
    s.motion = createMotionSource(pir->child("motion"), s.startEpochSeconds);
  }
  bool motionJobs = false;
  for (const auto& job : s.jobs) motionJobs |= job.trigger == JobParams::Trigger::Motion;
  if (motionJobs && !s.pir) node.fail("jobs", "a job runs `on: motion` but the node has no `pir`");
  if (auto harvester = node.optionalChild("harvester")) {
    s.harvester = harvest::parseHarvesterSpec(*harvester, s.startEpochSeconds, s.horizon);
  }
  const auto battery = node.child("battery");
  const auto batterySpec = battery::BatteryParams::fromConfig(battery);
  s.batteryModelName = batterySpec.modelName();
  s.battery = power::createBatteryModel(batterySpec);
  if (s.battery->followsTemperature() && !(s.harvester && harvest::hasWeather(*s.harvester))) {
    battery.fail("temperature",
                 "`weather` follows the solar harvester's air temperature, but "
                 "the node has no `harvester: {model: solar}`");
  }
  s.restartSoc = ratio(battery.number("restart_soc", 0.1, core::Range::Fraction));
  if (auto reg = node.optionalChild("regulator")) {
    s.regulator = regulator::RegulatorSpec::fromConfig(*reg);
    s.regulator->checkSupply(*reg, batterySpec.voltage, s.battery->terminalVoltage(Current()));
  }
  checkSupplies(s, node);
  checkScenarioBounds(s, cfg);
  cfg.requireAllRead();
  return s;
}

}  // namespace ej::device
