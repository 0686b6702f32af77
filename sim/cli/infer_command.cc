// `edgejoule infer`: one inference of an ONNX or TensorFlow Lite model on an MCU, per layer and in
// total: MACs, cycles, latency, energy, SRAM and flash, whether it fits, the model's parameters and
// size (Table I), and top-1 accuracy on its labelled test data (see sim/nn/README.md).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/cli/command.h"
#include "sim/core/confidence.h"
#include "sim/core/config.h"
#include "sim/data/sample_file.h"
#include "sim/firmware/firmware_images.h"
#include "sim/nn/model_import.h"
#include "sim/nn/profile.h"

namespace ej::cli {
namespace {
namespace fs = std::filesystem;

struct InferOptions {
  std::string model, mcu, backend, kernels;
  std::string calibration, test, denseReference;
  int samples = 2000;
  int emuSamples = 4;
  bool noCache = false;
  bool dense = false;
  bool json = false;
};

fs::path locate(const std::string& option, const std::string& given) {
  if (fs::exists(given)) return given;
  const fs::path alt = core::Config::dataRoot() / given;
  if (fs::exists(alt)) return alt;
  throw UsageError(fmt::format("{}: no such file: {}", option, given));
}

// 1234567 -> "1,234,567".
std::string grouped(double v) {
  std::string s = fmt::format("{:.0f}", v);
  for (int i = int(s.size()) - 3; i > (s[0] == '-' ? 1 : 0); i -= 3) s.insert(std::size_t(i), ",");
  return s;
}

std::string timeText(double s) {
  return s >= 1      ? fmt::format("{:.3f} s", s)
         : s >= 1e-3 ? fmt::format("{:.3f} ms", s * 1e3)
                     : fmt::format("{:.1f} us", s * 1e6);
}
std::string energyText(double j) {
  return j >= 1e-3 ? fmt::format("{:.3f} mJ", j * 1e3) : fmt::format("{:.2f} uJ", j * 1e6);
}

// Table I of the seed paper: parameters (weights + biases, total and non-zero), the int8
// model's size in flash, and the compression against a named dense model.
struct TableOne {
  nn::ParameterCount params;
  double sizeKb = 0;  // every constant the int8 model keeps in flash, / 1024
  std::optional<nn::ParameterCount> reference;
  std::string referenceName;
  double compression = 0;  // reference parameters / this model's non-zero parameters
};

TableOne tableOne(const nn::PreparedModel& pm, const nn::InferenceProfile& p,
                  const std::string& denseReference) {
  TableOne t;
  t.params = nn::countParameters(pm.graph);
  t.sizeKb = double(p.weightBytes) / 1024.0;
  if (!denseReference.empty()) {
    const fs::path file = locate("--dense-reference", denseReference);
    nn::Graph g = nn::importModel(file);
    t.reference = nn::countParameters(g);
    t.referenceName = file.string();
    t.compression =
        t.params.nonZero > 0 ? double(t.reference->total()) / double(t.params.nonZero) : 0.0;
  }
  return t;
}

int run(const InferOptions& o) {
  const fs::path modelFile = locate("--model", o.model);
  const auto mcuCfg = core::Config::load(locate("--mcu", o.mcu));
  nn::McuTarget mcu = nn::McuTarget::fromConfig(mcuCfg);
  if (!o.kernels.empty()) {
    try {
      mcu.kernels = nn::kernelLibraryFromName(o.kernels);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--kernels: ") + e.what());
    }
  }
  nn::Backend backend = nn::Backend::Emu;
  if (!o.backend.empty()) {
    try {
      backend = nn::backendFromName(o.backend);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--backend: ") + e.what());
    }
  } else if (!firmware::findImage(nn::coreName(mcu.core))) {
    backend = nn::Backend::Analytic;  // no emulator for this core
  }
  if (backend == nn::Backend::Emu && !firmware::findImage(nn::coreName(mcu.core))) {
    throw UsageError(fmt::format("--backend emu: no emulator for {} ({}); use --backend analytic",
                                 mcu.name, nn::coreName(mcu.core)));
  }
  if (o.samples < 0 || o.emuSamples < 1)
    throw UsageError("--samples must be >= 0 and --emu-samples >= 1");
  nn::ProfileOptions po;
  po.emuSamples = o.emuSamples;
  po.useCache = !o.noCache;
  po.allowSparse = !o.dense;
  if (!o.calibration.empty()) po.data.calibration = locate("--calibration", o.calibration);
  if (!o.test.empty()) po.data.test = locate("--test", o.test);
  nn::QuantOptions qo;
  qo.allowSparse = !o.dense;
  // Prepared first: a sample file that does not fit the model fails before any emulation.
  const nn::PreparedModel pm = nn::prepareModel(modelFile, qo, po.data);
  const nn::InferenceProfile p = nn::profileModel(modelFile, mcu, backend, po);
  const nn::Accuracy acc = nn::evaluateAccuracy(pm, o.samples);
  const TableOne table = tableOne(pm, p, o.denseReference);

  if (o.json) {
    nlohmann::json j;
    j["model"] = p.model, j["mcu"] = p.mcu, j["core"] = p.core, j["backend"] = p.backend;
    j["kernels"] = p.kernels, j["scratch_bytes"] = p.scratchBytes;
    j["clock_Hz"] = in_Hz(mcu.clock), j["flash_wait_states"] = mcu.flashWaitStates;
    j["active_current_mA"] = in_mA(mcu.active), j["supply_voltage_V"] = in_V(mcu.supply);
    j["emu_samples"] = p.samples, j["calibration"] = pm.calibration, j["sparse_allowed"] = !o.dense;
    j["test_data"] = pm.test.empty() ? nlohmann::json(nullptr) : nlohmann::json(pm.test);
    j["parameters"] = {{"total", table.params.total()},
                       {"non_zero", table.params.nonZero},
                       {"weights", table.params.weights},
                       {"biases", table.params.biases}};
    j["size_kB"] = table.sizeKb;
    if (table.reference) {
      j["dense_reference"] = {{"model", table.referenceName},
                              {"parameters", table.reference->total()},
                              {"compression", table.compression}};
    } else {
      j["dense_reference"] = nullptr;
    }
    for (const auto& l : p.layers) {
      j["layers"].push_back({{"name", l.name},
                             {"op", l.op},
                             {"sparse", l.sparse},
                             {"macs", l.macs},
                             {"non_zero_weights", l.nonZeroWeights},
                             {"cycles", l.cycles},
                             {"instructions", l.instructions},
                             {"flash_reads", l.flashReads},
                             {"latency_s", in_s(l.latency)},
                             {"energy_J", in_J(l.energy)},
                             {"flash_bytes", l.flashBytes}});
    }
    j["total"] = {{"macs", p.macs},
                  {"cycles", p.cycles},
                  {"latency_s", in_s(p.latency)},
                  {"energy_J", in_J(p.energy)}};
    j["sram_peak_bytes"] = p.sramPeakBytes, j["sram_bytes"] = mcu.sramBytes;
    j["weight_bytes"] = p.weightBytes, j["code_bytes"] = p.codeBytes,
    j["flash_bytes_used"] = p.flashBytes;
    j["flash_bytes"] = mcu.flashBytes, j["fits"] = p.fits;
    j["fit_problem"] =
        p.fitProblem.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.fitProblem);
    if (acc.measured()) {
      const auto ci = core::wilsonInterval(acc.correctInt8, acc.samples);
      j["accuracy"] = {{"samples", acc.samples},
                       {"data", acc.data},
                       {"top1_int8", double(acc.correctInt8) / acc.samples},
                       {"top1_int8_ci95", {ci.low, ci.high}},
                       {"top1_float", double(acc.correctFloat) / acc.samples}};
    } else {
      j["accuracy"] = nullptr;
    }
    std::cout << j.dump(2) << "\n";
    return p.fits ? 0 : 3;  // README.md, Exit statuses
  }
  std::cout << fmt::format("model    {} ({} layers, {} MACs; int8{})\n", p.model, p.layers.size(),
                           grouped(double(p.macs)),
                           o.dense ? "; --dense: no layer runs sparse" : "");
  std::cout << fmt::format("calib.   {}\n", pm.calibration);
  std::cout << fmt::format("test     {}\n", pm.test.empty() ? "none given" : pm.test);
  std::cout << fmt::format("mcu      {} ({}, {:g} MHz, {} flash wait states, {:g} mA at {:g} V)\n",
                           p.mcu, p.core, in_Hz(mcu.clock) / 1e6, mcu.flashWaitStates,
                           in_mA(mcu.active), in_V(mcu.supply));
  std::cout << fmt::format(
      "backend  {}, {} kernels{}\n\n", p.backend, p.kernels,
      backend == nn::Backend::Emu
          ? fmt::format(" (cycles averaged over {} {})", p.samples,
                        pm.testInputs.empty() ? "uniform [0,1) inputs" : "test inputs")
          : std::string(" (formulas calibrated against emu)"));
  std::cout << fmt::format("{:<12} {:<12} {:>10} {:>13} {:>11} {:>11} {:>9}\n", "layer", "op",
                           "MACs", "cycles", "latency", "energy", "flash B");
  for (const auto& l : p.layers) {
    std::cout << fmt::format("{:<12} {:<12} {:>10} {:>13} {:>11} {:>11} {:>9}\n", l.name,
                             l.op + (l.sparse ? " (sparse)" : ""), grouped(double(l.macs)),
                             grouped(l.cycles), timeText(in_s(l.latency)),
                             energyText(in_J(l.energy)), grouped(double(l.flashBytes)));
  }
  std::cout << fmt::format("{:<12} {:<12} {:>10} {:>13} {:>11} {:>11} {:>9}\n\n", "total", "",
                           grouped(double(p.macs)), grouped(p.cycles), timeText(in_s(p.latency)),
                           energyText(in_J(p.energy)), grouped(double(p.weightBytes)));
  std::cout << fmt::format("SRAM     activations {} B (with {} B of kernel scratch) of {} B\n",
                           grouped(double(p.sramPeakBytes)), grouped(double(p.scratchBytes)),
                           grouped(double(mcu.sramBytes)));
  std::cout << fmt::format("flash    weights {} B + kernels {} B = {} B of {} B\n",
                           grouped(double(p.weightBytes)), grouped(double(p.codeBytes)),
                           grouped(double(p.flashBytes)), grouped(double(mcu.flashBytes)));
  std::cout << (p.fits ? std::string("fits     yes\n")
                       : fmt::format("fits     DOES NOT FIT: {}\n", p.fitProblem));
  std::cout << fmt::format(
      "params   {} ({} non-zero; weights {} + biases {}), {:.2f} kB in flash\n",
      grouped(double(table.params.total())), grouped(double(table.params.nonZero)),
      grouped(double(table.params.weights)), grouped(double(table.params.biases)), table.sizeKb);
  if (table.reference) {
    std::cout << fmt::format("         compression {:.1f}x against {} ({} parameters)\n",
                             table.compression, table.referenceName,
                             grouped(double(table.reference->total())));
  }
  if (acc.measured()) {
    const auto ci = core::wilsonInterval(acc.correctInt8, acc.samples);
    std::cout << fmt::format(
        "accuracy top-1 on {}: int8 {:.2f} % (95 % Wilson interval {:.2f} to {:.2f} %) (float "
        "{:.2f} %)\n",
        acc.data, 100.0 * acc.correctInt8 / acc.samples, 100.0 * ci.low, 100.0 * ci.high,
        100.0 * acc.correctFloat / acc.samples);
  } else {
    std::cout << fmt::format("accuracy not measured ({})\n",
                             o.samples == 0    ? "--samples 0"
                             : pm.test.empty() ? "no labelled test data: give --test FILE"
                                               : "the test data has no labels");
  }
  return p.fits ? 0 : 3;
}

constexpr CommandInfo kInferCommand{
    "infer", "Cycles, latency, energy, memory and accuracy of one inference on an MCU"};
const CommandRegistrar registrar(kInferCommand, [](CLI::App* cmd, int& status) {
  auto opts = std::make_shared<InferOptions>();
  cmd->add_option("--model", opts->model,
                  "ONNX model (float32 or int8, opset 13) or TensorFlow Lite model (.tflite)")
      ->required();
  cmd->add_option("--mcu", opts->mcu, "MCU part file, e.g. hw/mcu/nrf52840.yaml")->required();
  cmd->add_option("--backend", opts->backend, "emu (default where an emulator exists) or analytic");
  cmd->add_option("--kernels", opts->kernels,
                  "kernel library: optimized (default, or the part's `kernels:`) or reference");
  cmd->add_option("--calibration", opts->calibration,
                  "inputs to calibrate the int8 model on: .npy, .npz (x) or .csv (default: the "
                  "model's data set if its metadata names one, else 32 uniform [0,1) inputs)");
  cmd->add_option("--test", opts->test,
                  "labelled test inputs: .npz (x, y) or .csv (a `label` column); .npy has no "
                  "labels (default: the model's data set, else none: accuracy not measured)");
  cmd->add_option("--dense-reference", opts->denseReference,
                  "the dense model to state the compression against (default: none)");
  cmd->add_option("--samples", opts->samples,
                  "test inputs for accuracy, spread evenly (default 2000, or all if fewer)");
  cmd->add_option("--emu-samples", opts->emuSamples,
                  "test inputs the emu backend averages cycles over (default 4)");
  cmd->add_flag("--no-cache", opts->noCache, "ignore and do not write the profile cache");
  cmd->add_flag("--dense", opts->dense,
                "run pruned layers dense (zeros included), to compare with sparse");
  cmd->add_flag("--json", opts->json, "machine-readable output");
  cmd->callback([opts, &status] {
    try {
      status = run(*opts);
    } catch (const nn::FitError& e) {
      // Refused by the lower bounds before calibration and emulation: every shortfall on
      // one line, and the status of a model that does not fit (README, Exit statuses).
      std::cerr << "edgejoule: " << oneLine(e.what()) << "\n";
      status = 3;
    } catch (const nn::ModelError& e) {
      throw UsageError(e.what());
    } catch (const data::SampleFileError& e) {
      throw UsageError(e.what());
    }
  });
});

}  // namespace
}  // namespace ej::cli
