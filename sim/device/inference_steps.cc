// profileInferences(): the emulator (or the analytic model) and the accuracy run, kept out of
// Scenario::load.
#include "sim/device/inference_steps.h"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/core/confidence.h"
#include "sim/nn/profile.h"

namespace ej::device {
namespace {

constexpr int kAccuracyDigits = 2000;  // the MNIST test digits of the ej::data split

core::InferenceResult inferenceResult(const JobStep& step, const nn::InferenceProfile& profile,
                                      const nn::DataSpec& data) {
  core::InferenceResult r;
  r.model = step.model.filename().string();
  r.backend = profile.backend;
  r.kernels = profile.kernels;
  r.basis = step.backend == "emu"
                ? "counted: the int8 kernels executed in Unicorn, cycles per instruction from "
                  "the core's reference manual"
                : "estimated: per-layer formulas calibrated against the emu backend";
  r.cycles = profile.cycles;
  r.latency_s = in_s(profile.latency);
  r.energy_per_inference_J = in_J(profile.energy);
  r.macs = profile.macs;
  r.sram_peak_bytes = profile.sramPeakBytes;
  r.flash_bytes = profile.flashBytes;
  nn::Accuracy accuracy;
  try {
    accuracy = nn::cachedAccuracy(step.model, kAccuracyDigits, data);
  } catch (const std::exception& e) {
    throw std::runtime_error(fmt::format("{}: test data: {}", step.model.string(), e.what()));
  }
  r.accuracy_samples = accuracy.samples;
  // null, "not measured", when the model has no labelled test data (never 0).
  if (accuracy.measured()) {
    r.accuracy_data = accuracy.data;
    r.accuracy_int8 = double(accuracy.correctInt8) / accuracy.samples;
    const auto ci = core::wilsonInterval(accuracy.correctInt8, accuracy.samples);
    r.accuracy_ci95 = std::array<double, 2>{ci.low, ci.high};
  }
  return r;
}

}  // namespace

void profileInferences(Scenario& s) {
  for (auto& job : s.jobs) {
    for (auto& step : job.steps) {
      if (step.kind != JobStep::Kind::Infer) continue;
      if (!s.mcuTarget) {
        throw std::logic_error("an infer step on an MCU without a core passed loading");
      }
      const auto backend = nn::backendFromName(step.backend);
      nn::InferenceProfile profile;
      try {
        nn::McuTarget target = *s.mcuTarget;
        if (!step.kernels.empty()) target.kernels = nn::kernelLibraryFromName(step.kernels);
        nn::ProfileOptions options;
        options.data = {step.calibration, step.test};
        profile = nn::profileModel(step.model, target, backend, options);
      } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("{}: {}", step.model.string(), e.what()));
      }
      if (!profile.fits) {
        throw std::runtime_error(fmt::format("{}: does not fit {}: {}", step.model.string(),
                                             s.mcuTarget->name, profile.fitProblem));
      }
      step.duration = profile.latency;
      step.profiled = true;
      const std::string key = step.model.string() + "|" + step.backend + "|" + profile.kernels +
                              "|" + step.calibration.string() + "|" + step.test.string();
      bool known = false;
      for (const auto& i : s.inferences) known |= i.key == key;
      if (!known) {
        s.inferences.push_back(
            {key, inferenceResult(step, profile, nn::DataSpec{step.calibration, step.test})});
      }
    }
  }
}

bool inferencesProfiled(const Scenario& s) {
  for (const auto& job : s.jobs) {
    for (const auto& step : job.steps) {
      if (step.kind == JobStep::Kind::Infer && !step.profiled) return false;
    }
  }
  return true;
}

}  // namespace ej::device
