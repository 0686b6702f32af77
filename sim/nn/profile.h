// Inference profiles: what one inference of a model costs on an MCU (cycles, latency,
// energy, SRAM, flash), from the `emu` or the `analytic` backend, cached on disk so that a
// long scenario never re-emulates. See README.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/units.h"
#include "sim/nn/graph.h"
#include "sim/nn/mcu_target.h"
#include "sim/nn/quantize.h"

namespace ej::nn {

enum class Backend { Emu, Analytic };
Backend backendFromName(const std::string& name);  // "emu" | "analytic"
const char* backendName(Backend backend);

// The data a model is calibrated and scored on: an explicit input, never guessed from the
// model's input shape. Files are read by data::readSamples (.npy, .npz, .csv).
struct DataSpec {
  std::filesystem::path calibration;  // sample file, or empty: the model's default
  std::filesystem::path test;         // labelled sample file, or empty: the model's default
};

// Whether GRAPH names the project's MNIST split as its data set (`edgejoule.dataset` in the
// model's metadata, as `edgejoule train` writes it).
bool usesMnist(const Graph& graph);

// A model imported, activations fused, and quantised to int8 with its calibration inputs.
struct PreparedModel {
  Graph graph;
  QuantModel quant;
  std::string calibration;  // which inputs calibrated it, for reports
  // The test inputs (and labels) accuracy is measured on; inputs without labels only serve
  // the emu backend. Empty with an empty `test` description: none.
  std::vector<std::vector<float>> testInputs;
  std::vector<int> testLabels;
  std::string test;  // which inputs, for reports ("" when there are none)
};
// Calibration: DATA.calibration if given (every sample, at most 1,000 spread evenly); else,
// for a model whose metadata names the MNIST split, 100 MNIST training digits spread evenly;
// else 32 deterministic uniform [0,1) inputs (SplitMix64 seed 1). Test data: DATA.test if
// given, else the 2,000 MNIST test digits for an MNIST model, else none.
// OPTIONS.allowSparse = false keeps pruned layers dense (to compare). Throws
// data::SampleFileError for a sample file that cannot be read or does not fit the model.
PreparedModel prepareModel(const std::filesystem::path& model, const QuantOptions& options = {},
                           const DataSpec& data = {});

struct LayerProfile {
  std::string name;  // ONNX node
  std::string op;    // ONNX operator (Gemm layers run sparse say so in `sparse`)
  bool sparse = false;
  std::int64_t macs = 0;  // dense multiply-accumulates
  std::int64_t nonZeroWeights = 0;
  std::int64_t flashBytes = 0;  // weights, biases, multipliers, sparse index, tables
  double cycles = 0;            // mean over the profiled inputs, wait states included
  double instructions = 0;      // emu only
  double flashReads = 0;
  Time latency = seconds(0);
  Energy energy = joules(0);
};

struct InferenceProfile {
  std::string model;
  std::string mcu;
  std::string core;
  std::string backend;
  double cycles = 0;
  Time latency = seconds(0);  // cycles / clock
  Energy energy = joules(0);  // latency * active current * supply voltage
  std::int64_t macs = 0;
  std::string kernels;             // kernel library: reference | optimized
  std::int64_t sramPeakBytes = 0;  // activation arena + the largest kernel scratch
  std::int64_t scratchBytes = 0;   // the largest layer's kernel scratch (im2col columns)
  std::int64_t weightBytes = 0;    // all layers' constants in flash
  std::int64_t codeBytes = 0;      // the kernels' code
  std::int64_t flashBytes = 0;     // weights + code
  bool fits = true;
  std::string fitProblem;  // why it does not fit ("" when it fits)
  int samples = 0;         // inputs emulated (emu); 0 for analytic
  std::vector<LayerProfile> layers;
};

struct ProfileOptions {
  int emuSamples = 4;  // test inputs (spread evenly) or synthetic inputs averaged by emu
  bool useCache = true;
  bool allowSparse = true;  // false: pruned layers run dense (QuantOptions), for comparison
  DataSpec data;            // calibration (and test inputs for emu); part of the cache key
};

// Profiles MODEL on MCU with MCU.kernels. Cached per (model file hash, core, flash wait
// states, backend, kernel library, firmware build and cost-model version, emuSamples,
// allowSparse); latency, energy and fit are recomputed from MCU each call.
// Throws ModelError (unsupported operator, naming op and node) or std::invalid_argument.
InferenceProfile profileModel(const std::filesystem::path& model, const McuTarget& mcu,
                              Backend backend, const ProfileOptions& options = {});
InferenceProfile profileModel(const std::filesystem::path& model, const core::Config& mcuConfig,
                              Backend backend);

// N indices spread evenly over [0, SIZE) (i * SIZE / N): a subset of the MNIST sets, which
// are sorted by digit, that holds every digit.
std::vector<int> spread(int n, int size);

// Top-1 accuracy on SAMPLES of the model's labelled test inputs, spread evenly. samples = 0:
// not measured (no labelled test data, or SAMPLES 0) -- never reported as 0 %.
struct Accuracy {
  int samples = 0;
  int correctInt8 = 0;   // host int8 reference (bit-exact with every emu backend)
  int correctFloat = 0;  // float model
  std::string data;      // the test inputs it was measured on ("" when not measured)
  bool measured() const { return samples > 0; }
};
Accuracy evaluateAccuracy(const PreparedModel& model, int samples);
// The same for the model FILE, cached on disk per (file hash, data files' hashes, samples)
// beside the profiles: a scenario that runs a model does not re-evaluate it on every load.
Accuracy cachedAccuracy(const std::filesystem::path& model, int samples, const DataSpec& data = {});

// $XDG_CACHE_HOME/edgejoule, else $HOME/.cache/edgejoule (created on demand).
std::filesystem::path profileCacheDir();
// Writes TEXT to FILE atomically (temporary file + rename), creating its folder.
void writeCacheFile(const std::filesystem::path& file, const std::string& text);
// Hex FNV-1a 64 of the core's kernel image of LIBRARY, the cost-model version and the hash
// of sim/nn's and the kernels' sources (every cache key holds it).
std::string firmwareHash(Core core, KernelLibrary library = KernelLibrary::Optimized);

}  // namespace ej::nn
