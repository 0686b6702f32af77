// profileModel, its disk cache, and accuracy on the MNIST test digits.
#include "sim/nn/profile.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/data/mnist.h"
#include "sim/firmware/firmware_images.h"
#include "sim/nn/analytic.h"
#include "sim/nn/elf_image.h"
#include "sim/nn/emulator.h"
#include "sim/nn/memory_plan.h"
#include "sim/nn/onnx_import.h"

namespace ej::nn {
namespace fs = std::filesystem;

namespace {

// Bump when cycle_model.cc, the analytic features or the profile layout change: it is part
// of every cache key (the kernels' own changes are caught by hashing their image).
constexpr const char* kCostModelVersion = "cost-1";

std::uint64_t fnv1a(const void* data, std::size_t n, std::uint64_t h = 1469598103934665603ULL) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

std::string fileHash(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ModelError(file.string() + ": cannot open the model");
  std::ostringstream s;
  s << in.rdbuf();
  const std::string bytes = s.str();
  return fmt::format("{:016x}", fnv1a(bytes.data(), bytes.size()));
}

const firmware::Image& imageFor(Core core) {
  const auto* image = firmware::findImage(coreName(core == Core::XtensaLx6 ? Core::Rv32imc : core));
  if (!image) throw std::invalid_argument(fmt::format("no kernel image for {}", coreName(core)));
  return *image;
}

bool isMnistShaped(const Shape& s) { return s.c == 1 && s.h == 28 && s.w == 28; }

const data::MnistSplit& mnist() {
  static const data::MnistSplit split = data::loadMnistSplit();
  return split;
}

std::vector<float> toVector(const data::MnistImage& img) { return {img.begin(), img.end()}; }

}  // namespace

std::vector<int> spread(int n, int size) {
  std::vector<int> idx;
  n = std::min(n, size);
  for (int i = 0; i < n; ++i) idx.push_back(int(std::int64_t(i) * size / n));
  return idx;
}

namespace {

// Inputs for profiling: MNIST test digits when the model takes them, else uniform noise.
std::vector<std::vector<float>> sampleInputs(const Graph& g, int n, bool test) {
  std::vector<std::vector<float>> out;
  if (isMnistShaped(g.shapes[g.input])) {
    // Evenly spaced through the set (it is sorted by package index, i.e. by digit).
    const auto& set = test ? mnist().test : mnist().train;
    for (const int i : spread(n, int(set.size()))) out.push_back(toVector(set.images[std::size_t(i)]));
  } else {
    data::SplitMix64 rng(test ? 2 : 1);
    for (int i = 0; i < n; ++i) {
      std::vector<float> v(std::size_t(g.shapes[g.input].size()));
      for (auto& x : v) x = float(rng.uniform());
      out.push_back(std::move(v));
    }
  }
  return out;
}

nlohmann::json toJson(const InferenceProfile& p) {
  nlohmann::json j;
  j["macs"] = p.macs, j["sram_peak_bytes"] = p.sramPeakBytes, j["weight_bytes"] = p.weightBytes;
  j["code_bytes"] = p.codeBytes, j["samples"] = p.samples, j["cycles"] = p.cycles;
  for (const auto& l : p.layers) {
    j["layers"].push_back({{"name", l.name}, {"op", l.op}, {"sparse", l.sparse}, {"macs", l.macs},
                           {"non_zero_weights", l.nonZeroWeights}, {"flash_bytes", l.flashBytes},
                           {"cycles", l.cycles}, {"instructions", l.instructions}, {"flash_reads", l.flashReads}});
  }
  return j;
}

InferenceProfile fromJson(const nlohmann::json& j) {
  InferenceProfile p;
  p.macs = j.at("macs"), p.sramPeakBytes = j.at("sram_peak_bytes"), p.weightBytes = j.at("weight_bytes");
  p.codeBytes = j.at("code_bytes"), p.samples = j.at("samples"), p.cycles = j.at("cycles");
  for (const auto& l : j.at("layers")) {
    LayerProfile x;
    x.name = l.at("name"), x.op = l.at("op"), x.sparse = l.at("sparse"), x.macs = l.at("macs");
    x.nonZeroWeights = l.at("non_zero_weights"), x.flashBytes = l.at("flash_bytes"), x.cycles = l.at("cycles");
    x.instructions = l.at("instructions"), x.flashReads = l.at("flash_reads");
    p.layers.push_back(x);
  }
  return p;
}

// The counts that depend only on the model, core, wait states and backend.
InferenceProfile measure(const fs::path& model, const McuTarget& mcu, Backend backend, const ProfileOptions& o) {
  const PreparedModel pm = prepareModel(model);
  const QuantModel& q = pm.quant;
  InferenceProfile p;
  p.macs = q.macs();
  p.sramPeakBytes = planActivations(q).peakBytes;
  p.weightBytes = q.flashBytes();
  const auto& image = imageFor(mcu.core);
  const ElfImage elf = parseElf(image.elf, image.size);
  p.codeBytes = std::int64_t(elf.symbol("__ej_flash_end")) - std::int64_t(0x08000000);
  for (const auto& l : q.layers) {
    LayerProfile x;
    x.name = l.name, x.op = l.onnxOp, x.sparse = l.desc.op == EJ_OP_FC_SPARSE, x.macs = l.macs;
    x.nonZeroWeights = l.nonZeroWeights, x.flashBytes = l.flashBytes();
    p.layers.push_back(x);
  }
  if (backend == Backend::Emu) {
    if (mcu.core == Core::XtensaLx6) {
      throw std::invalid_argument("xtensa-lx6 has no emulator: use --backend analytic");
    }
    Emulator emu(mcu.core, q, mcu.flashWaitStates);
    const auto inputs = sampleInputs(pm.graph, std::max(1, o.emuSamples), true);
    for (const auto& x : inputs) {
      const auto in = quantizeInput(q, x);
      const auto counts = emu.run(in);
      // Guard: the target's logits must be the reference's, bit for bit.
      if (emu.value(q.output) != runInt8(q, in)[std::size_t(q.output)]) {
        throw std::runtime_error("emulated kernels disagree with the int8 reference");
      }
      for (std::size_t i = 0; i < counts.size(); ++i) {
        p.layers[i].cycles += double(counts[i].cycles) / double(inputs.size());
        p.layers[i].instructions += double(counts[i].instructions) / double(inputs.size());
        p.layers[i].flashReads += double(counts[i].flashReads) / double(inputs.size());
      }
    }
    p.samples = int(inputs.size());
  } else {
    const auto& coeff = analyticCoefficients(mcu.core);
    for (std::size_t i = 0; i < q.layers.size(); ++i) {
      const auto c = predictLayer(coeff, q.layers[i]);
      p.layers[i].flashReads = c.flashReads;
      p.layers[i].cycles = c.cycles + mcu.flashWaitStates * c.flashReads;
    }
  }
  for (const auto& l : p.layers) p.cycles += l.cycles;
  return p;
}

}  // namespace

Backend backendFromName(const std::string& name) {
  if (name == "emu") return Backend::Emu;
  if (name == "analytic") return Backend::Analytic;
  throw std::invalid_argument("unknown backend '" + name + "' (emu, analytic)");
}

const char* backendName(Backend b) { return b == Backend::Emu ? "emu" : "analytic"; }

PreparedModel prepareModel(const fs::path& model) {
  PreparedModel pm;
  pm.graph = importOnnx(model);
  fuseActivations(pm.graph);
  const bool digits = isMnistShaped(pm.graph.shapes[pm.graph.input]);
  pm.quant = quantize(pm.graph, sampleInputs(pm.graph, digits ? 100 : 32, false));
  pm.calibration = digits ? "100 MNIST training digits (every 80th)" : "32 uniform [0,1) inputs (SplitMix64 seed 1)";
  return pm;
}

fs::path profileCacheDir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (xdg && *xdg) return fs::path(xdg) / "edgejoule";
  if (home && *home) return fs::path(home) / ".cache" / "edgejoule";
  return fs::temp_directory_path() / "edgejoule-cache";
}

void writeCacheFile(const fs::path& file, const std::string& text) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  const fs::path tmp = file.string() + fmt::format(".tmp{}", std::rand());
  {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    if (!out) return;  // a cache that cannot be written only costs time
  }
  fs::rename(tmp, file, ec);
  if (ec) fs::remove(tmp, ec);
}

std::string firmwareHash(Core core) {
  const auto& image = imageFor(core);
  const std::uint64_t h = fnv1a(image.elf, image.size);
  return fmt::format("{:016x}", fnv1a(kCostModelVersion, std::char_traits<char>::length(kCostModelVersion), h));
}

InferenceProfile profileModel(const fs::path& model, const McuTarget& mcu, Backend backend,
                              const ProfileOptions& o) {
  const std::string key = fmt::format("{}-{}-ws{}-{}-{}-n{}", fileHash(model), coreName(mcu.core), mcu.flashWaitStates,
                                      backendName(backend), firmwareHash(mcu.core), o.emuSamples);
  const fs::path file = profileCacheDir() / "profiles" / (key + ".json");
  InferenceProfile p;
  bool cached = false;
  if (o.useCache) {
    if (std::ifstream in(file); in) {
      try {
        p = fromJson(nlohmann::json::parse(in));
        cached = true;
      } catch (const std::exception&) {
        cached = false;
      }
    }
  }
  if (!cached) {
    p = measure(model, mcu, backend, o);
    if (o.useCache) writeCacheFile(file, toJson(p).dump(1));
  }
  p.model = model.string();
  p.mcu = mcu.name;
  p.core = coreName(mcu.core);
  p.backend = backendName(backend);
  p.flashBytes = p.weightBytes + p.codeBytes;
  // Energy of one inference: t = cycles / f; E = t * I_active * V_supply.
  const Power activePower = mcu.active * mcu.supply;
  for (auto& l : p.layers) {
    l.latency = seconds(l.cycles / in_Hz(mcu.clock));
    l.energy = l.latency * activePower;
  }
  p.latency = seconds(p.cycles / in_Hz(mcu.clock));
  p.energy = p.latency * activePower;
  p.fits = true;
  p.fitProblem.clear();
  if (p.sramPeakBytes > mcu.sramBytes) {
    p.fits = false;
    p.fitProblem = fmt::format("activations need {} B of SRAM, {} has {} B", p.sramPeakBytes, mcu.name, mcu.sramBytes);
  } else if (p.flashBytes > mcu.flashBytes) {
    p.fits = false;
    p.fitProblem = fmt::format("weights and code need {} B of flash, {} has {} B", p.flashBytes, mcu.name, mcu.flashBytes);
  }
  return p;
}

InferenceProfile profileModel(const fs::path& model, const core::Config& mcuConfig, Backend backend) {
  return profileModel(model, McuTarget::fromConfig(mcuConfig), backend);
}

Accuracy evaluateAccuracy(const PreparedModel& pm, int samples) {
  Accuracy a;
  if (!isMnistShaped(pm.graph.shapes[pm.graph.input])) return a;
  const auto& test = mnist().test;
  const auto idx = spread(samples, int(test.size()));
  a.samples = int(idx.size());
  for (const int i : idx) {
    const auto x = toVector(test.images[std::size_t(i)]);
    const int label = test.labels[std::size_t(i)];
    a.correctInt8 += argmax(runInt8(pm.quant, quantizeInput(pm.quant, x))[std::size_t(pm.quant.output)]) == label;
    const auto f = runFloat(pm.graph, x)[std::size_t(pm.graph.output)];
    a.correctFloat += int(std::max_element(f.begin(), f.end()) - f.begin()) == label;
  }
  return a;
}

Accuracy cachedAccuracy(const fs::path& model, int samples) {
  // The quantization that evaluateAccuracy runs belongs to the cost-model version too.
  const fs::path file = profileCacheDir() / "accuracy" /
                        fmt::format("{}-{}-n{}.json", fileHash(model), kCostModelVersion, samples);
  if (std::ifstream in(file); in) {
    try {
      const auto j = nlohmann::json::parse(in);
      return {j.at("samples").get<int>(), j.at("correct_int8").get<int>(),
              j.at("correct_float").get<int>()};
    } catch (const std::exception&) {
      // A damaged cache file is measured again below.
    }
  }
  const Accuracy a = evaluateAccuracy(prepareModel(model), samples);
  writeCacheFile(file, nlohmann::json{{"samples", a.samples},
                                      {"correct_int8", a.correctInt8},
                                      {"correct_float", a.correctFloat}}
                           .dump());
  return a;
}

}  // namespace ej::nn
