// Scenario loading: one pass over the YAML that builds every part's parameters.
#include "sim/device/scenario.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/core/calendar.h"
#include "sim/nn/mcu_target.h"
#include "sim/nn/profile.h"

namespace ej::device {

namespace {

// Profiles STEP's model on the node's MCU (from the disk cache when it was done before)
// and records it once in S.inferences. Returns the latency of one inference.
Time profileInference(Scenario& s, const core::Config& node, const core::Config& stepCfg,
                      const JobStep& step) {
  const auto mcuCfg = node.child("mcu");
  if (s.mcu.core == "generic") {
    stepCfg.fail("infer",
                 "the MCU part names no core, so no inference can be counted on it: "
                 "use a real part from hw/mcu/");
  }
  const nn::Backend backend = step.backend == "emu" ? nn::Backend::Emu : nn::Backend::Analytic;
  nn::InferenceProfile profile;
  nn::ProfileOptions options;
  options.data = {step.calibration, step.test};
  try {
    profile = nn::profileModel(step.model, nn::McuTarget::fromConfig(mcuCfg), backend, options);
  } catch (const core::ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    stepCfg.fail("infer", e.what());
  }
  if (!profile.fits) stepCfg.fail("infer", "does not fit: " + profile.fitProblem);
  const std::string key = step.model.string() + "|" + step.backend + "|" +
                          step.calibration.string() + "|" + step.test.string();
  for (const auto& known : s.inferences) {
    if (known["key"] == key) return profile.latency;
  }
  nn::Accuracy accuracy;
  try {
    accuracy = nn::cachedAccuracy(step.model, 2000, options.data);
  } catch (const core::ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    stepCfg.fail("test", e.what());
  }
  s.inferences.push_back({
      {"key", key},
      {"model", step.model.filename().string()},
      {"backend", profile.backend},
      {"basis", step.backend == "emu"
                    ? "counted: the int8 kernels executed in Unicorn, cycles per instruction "
                      "from the core's reference manual"
                    : "estimated: per-layer formulas calibrated against the emu backend"},
      {"cycles", profile.cycles},
      {"latency_s", in_s(profile.latency)},
      {"energy_per_inference_J", in_J(profile.energy)},
      {"macs", profile.macs},
      {"sram_peak_bytes", profile.sramPeakBytes},
      {"flash_bytes", profile.flashBytes},
      // null, "not measured", when the model has no labelled test data (never 0).
      {"accuracy_int8", accuracy.measured()
                            ? nlohmann::json(double(accuracy.correctInt8) / accuracy.samples)
                            : nlohmann::json(nullptr)},
      {"accuracy_samples", accuracy.samples},
      {"accuracy_data",
       accuracy.measured() ? nlohmann::json(accuracy.data) : nlohmann::json(nullptr)},
  });
  return profile.latency;
}

}  // namespace

Time Scenario::phase() const { return seconds(std::fmod(startEpochSeconds, kSecondsPerDay)); }

Scenario Scenario::load(const std::filesystem::path& file, const core::Overrides& overrides) {
  const core::Config cfg = core::Config::load(file, overrides);
  Scenario s;
  s.file = file;
  {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    s.text = text.str();
  }
  s.name = cfg.text("name", file.stem().string());
  const std::string start = cfg.text("start", "2026-01-01T00:00:00Z");
  const auto epoch = core::parseUtcTimestamp(start);
  if (!epoch) cfg.fail("start", "expected a UTC timestamp such as 2026-01-01T00:00:00Z");
  s.startEpochSeconds = *epoch;
  s.horizon = cfg.quantity<Time>("horizon", core::Range::Positive);
  // 1 ns resolution: 64-bit time spans about 584 years.
  if (s.horizon > days(365.0 * 500)) cfg.fail("horizon", "at most 500 years can be simulated");
  s.timeseriesInterval = hours(1);
  if (auto output = cfg.optionalChild("output")) {
    s.timeseriesInterval =
        output->quantity<Time>("timeseries_interval", hours(1), core::Range::Positive);
  }

  const auto node = cfg.child("node");
  s.mcu = McuParams::fromConfig(node.child("mcu"));
  if (node.has("radio")) s.radio = radio::RadioSpec::fromConfig(node.child("radio"));
  for (const auto& job : node.items("jobs")) {
    s.jobs.push_back(JobParams::fromConfig(job, s.mcu));
    const auto stepCfgs = job.items("steps");
    for (std::size_t i = 0; i < stepCfgs.size(); ++i) {
      auto& step = s.jobs.back().steps[i];
      if (step.kind == JobStep::Kind::Infer)
        step.duration = profileInference(s, node, stepCfgs[i], step);
    }
    for (const auto& step : stepCfgs) {
      if (!step.has("send")) continue;
      const auto send = step.child("send");
      if (send.text("radio", "radio") != "radio" || !s.radio) {
        send.fail("radio", "the node has no such radio (give it one under node.radio)");
      }
      const auto payload = static_cast<std::size_t>(send.integer("payload", 0, 1L << 20));
      s.radio->checkPayload(send, "payload", payload);
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
    if (harvester->choice("model", {"constant", "solar"}) == "constant") {
      s.harvester = harvest::ConstantHarvesterParams::fromConfig(*harvester);
    } else {
      s.solar = harvest::SolarHarvesterParams::fromConfig(*harvester);
    }
  }
  const auto battery = node.child("battery");
  s.batteryModelName = battery.choice("model", {"ideal", "kibam", "peukert"}, "ideal");
  s.battery = power::createBatteryModel(battery);
  if (s.battery->followsTemperature() && !s.solar) {
    battery.fail("temperature",
                 "`weather` follows the solar harvester's air temperature, but "
                 "the node has no `harvester: {model: solar}`");
  }
  s.restartSoc = ratio(battery.number("restart_soc", 0.1, core::Range::Fraction));
  if (auto reg = node.optionalChild("regulator")) {
    s.regulator = regulator::RegulatorParams::fromConfig(*reg);
    s.regulator->checkSupply(*reg, s.battery->terminalVoltage(Current()));
  }
  cfg.requireAllRead();
  return s;
}

}  // namespace ej::device
