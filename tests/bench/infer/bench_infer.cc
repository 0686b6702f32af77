// Benchmark (not a test): emulator throughput, the network x core x kernel-library table of
// cycles/MAC and latency, analytic-vs-emu error on every row, and the cold profile of the
// reference node. Run through tests/bench/infer/run (prints Markdown).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <thread>

#include "sim/core/config.h"
#include "sim/data/mnist.h"
#include "sim/nn/analytic.h"
#include "sim/nn/emulator.h"
#include "sim/nn/onnx_import.h"
#include "sim/nn/profile.h"
#include "tests/nn/layer_shapes.h"

namespace nn = ej::nn;
namespace fs = std::filesystem;

namespace {

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Network {
  std::string name;
  nn::QuantModel quant;
  std::vector<std::int8_t> input;
};

std::vector<Network> networks(const fs::path& root) {
  std::vector<Network> out;
  {
    const auto pm = nn::prepareModel(root / "models/lenet5-dense.onnx");
    const auto split = ej::data::loadMnistSplit();
    const auto& img = split.test.images[0];
    out.push_back({"lenet5-dense (trained)", pm.quant,
                   nn::quantizeInput(pm.quant, std::vector<float>(img.begin(), img.end()))});
  }
  ej::data::SplitMix64 rng(5);
  for (auto& [name, g] : nn::testing::mlperfLayerShapes()) {
    std::vector<std::vector<float>> calib(8, std::vector<float>(std::size_t(g.shapes[0].size())));
    for (auto& v : calib) {
      for (auto& x : v) x = float(rng.uniform());
    }
    nn::QuantOptions dense;
    dense.allowSparse = false;
    auto q = nn::quantize(g, calib, dense);
    auto in = nn::quantizeInput(q, calib[0]);
    out.push_back({name, std::move(q), std::move(in)});
  }
  return out;
}

}  // namespace

// Cold profile of the reference node, as the first scenario load in a fresh process does it:
// an empty profile cache, nothing read yet (the MNIST digits are parsed from their JSON files
// inside). Then, for the record, the time of reading those files again alone.
std::string coldProfile(const fs::path& root) {
  const fs::path cache = fs::temp_directory_path() / fmt::format("ej-bench-{}", std::rand());
  setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  const auto t0 = std::chrono::steady_clock::now();
  const std::clock_t c0 = std::clock();
  const auto mcu = nn::McuTarget::fromConfig(ej::core::Config::load(root / "hw/mcu/nrf52840.yaml"));
  const auto p = nn::profileModel(root / "models/lenet5-s-13x.onnx", mcu, nn::Backend::Emu);
  const double tProfile = seconds(t0);
  const auto acc = nn::cachedAccuracy(root / "models/lenet5-s-13x.onnx", 2000);
  const double tTotal = seconds(t0);
  const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;  // all threads
  fs::remove_all(cache);
  const auto t1 = std::chrono::steady_clock::now();
  const std::clock_t c1 = std::clock();
  const auto digits = ej::data::loadMnist();
  const double tMnist = seconds(t1), cpuMnist = double(std::clock() - c1) / CLOCKS_PER_SEC;
  return fmt::format(
      "\nCold profile of the reference node (lenet5-s-13x on the nRF52840, {} kernels; a fresh "
      "process, empty cache): {:.0f} cycles; profile {:.3f} s + accuracy on {} digits {:.3f} s = "
      "{:.3f} s wall, {:.3f} s CPU ({} host threads). Reading the {} MNIST digits (JSON) alone, "
      "after: {:.3f} s wall, {:.3f} s CPU\n",
      p.kernels, p.cycles, tProfile, acc.samples, tTotal - tProfile, tTotal, cpu,
      std::thread::hardware_concurrency(), digits.images.size(), tMnist, cpuMnist);
}

int main(int argc, char** argv) {
  // --speed: only the throughput and the cold profile, not the table. --warm: only the warm
  // throughput (for a profiler). --warm-runs N: timed runs per core (3). --cold: only the
  // cold profile (for a profiler).
  bool speedOnly = false, warmOnly = false, coldOnly = false;
  int warmRuns = 3, warmWaitStates = 0;
  std::string onlyCore;  // --core NAME: the warm throughput of that core only
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--speed") speedOnly = true;
    if (a == "--warm") speedOnly = warmOnly = true;
    if (a == "--cold") speedOnly = coldOnly = true;
    if (a == "--warm-runs" && i + 1 < argc) warmRuns = std::max(1, std::atoi(argv[++i]));
    if (a == "--core" && i + 1 < argc) onlyCore = argv[++i];
    if (a == "--warm-ws" && i + 1 < argc) warmWaitStates = std::max(0, std::atoi(argv[++i]));
  }
  const fs::path root = EJ_SOURCE_DIR;
  const std::vector<std::pair<nn::Core, std::string>> parts = {
      {nn::Core::CortexM0Plus, "hw/mcu/rp2040.yaml"},
      {nn::Core::CortexM4F, "hw/mcu/stm32l4r5.yaml"},
      {nn::Core::CortexM7, "hw/mcu/stm32h743.yaml"},
      {nn::Core::CortexM33, "hw/mcu/nrf5340.yaml"},
      {nn::Core::Rv32imc, "hw/mcu/esp32c3.yaml"}};
  // First, before anything else reads the MNIST digits into this process.
  const std::string cold = warmOnly ? std::string() : coldProfile(root);
  const auto nets = coldOnly ? std::vector<Network>{} : networks(root);
  std::map<std::string, std::pair<double, double>> speed;  // core: instructions, seconds
  if (!speedOnly)
    fmt::print(
        "| network | MACs | core (part) | kernels | cycles (0 WS) | cycles/MAC | cycles with the "
        "part's wait states | latency at the part's clock | analytic vs emu |\n"
        "|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& net : nets) {
    if (speedOnly) break;
    for (const auto& [core, partFile] : parts) {
      const auto part = nn::McuTarget::fromConfig(ej::core::Config::load(root / partFile));
      for (const auto lib : {nn::KernelLibrary::Reference, nn::KernelLibrary::Optimized}) {
        nn::Emulator emu(core, net.quant, 0, lib);
        const auto counts = emu.run(net.input);
        double cycles = 0, analytic = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
          cycles += double(counts[i].cycles);
          analytic +=
              nn::predictLayer(nn::analyticCoefficients(core, lib), net.quant.layers[i], core, lib)
                  .cycles;
        }
        if (lib == nn::KernelLibrary::Optimized) {
          auto& s = speed[nn::coreName(core)];
          s.first += double(emu.totalInstructions()), s.second += emu.emulationSeconds();
        }
        double withWs = cycles;
        if (part.flashWaitStates > 0) {
          nn::Emulator ws(core, net.quant, part.flashWaitStates, lib);
          withWs = 0;
          for (const auto& c : ws.run(net.input)) withWs += double(c.cycles);
        }
        const double macs = double(net.quant.macs());
        fmt::print(
            "| {} | {:.0f} | {} ({}) | {} | {:.0f} | {:.2f} | {:.0f} ({} WS) | {:.3f} ms | {:+.1f} "
            "% "
            "|\n",
            net.name, macs, nn::coreName(core), part.name, nn::kernelLibraryName(lib), cycles,
            cycles / macs, withWs, part.flashWaitStates, 1e3 * withWs / ej::in_Hz(part.clock),
            100.0 * (analytic - cycles) / cycles);
      }
    }
  }
  if (!speedOnly)
    fmt::print(
        "\nEmulator throughput, optimized kernels, no flash-read hook (0 WS), all rows above "
        "(one run per emulator: translation and block decoding included):\n");
  for (const auto& [core, s] : speed) {
    fmt::print("  {:<14} {:.0f} M guest instructions in {:.3f} s: {:.0f} M/s\n", core,
               s.first / 1e6, s.second, s.first / s.second / 1e6);
  }
  // Warm throughput: one emulator, a first run (translation, block decoding), then RUNS timed
  // (--warm-runs N; 3 by default). Wall time depends on the machine's load; the emulating
  // thread's CPU time much less.
  if (!coldOnly)
    fmt::print(
        "\nWarm emulator throughput, optimized kernels, {} WS, resnet8-conv, {} runs after one "
        "(wall / CPU time of the emulating thread):\n",
        warmWaitStates, warmRuns);
  for (const auto& [core, partFile] : parts) {
    if (coldOnly) break;
    if (!onlyCore.empty() && onlyCore != nn::coreName(core)) continue;
    const auto& net = nets[5];  // resnet8-conv
    nn::Emulator emu(core, net.quant, warmWaitStates, nn::KernelLibrary::Optimized);
    emu.run(net.input);
    const double i0 = double(emu.totalInstructions()), s0 = emu.emulationSeconds();
    const double c0 = emu.emulationCpuSeconds();
    for (int r = 0; r < warmRuns; ++r) emu.run(net.input);
    const double di = double(emu.totalInstructions()) - i0, ds = emu.emulationSeconds() - s0;
    const double dc = emu.emulationCpuSeconds() - c0;
    fmt::print(
        "  {:<14} {:.0f} M guest instructions in {:.3f} s wall, {:.3f} s CPU: {:.0f} M/s wall, "
        "{:.0f} M/s CPU\n",
        nn::coreName(core), di / 1e6, ds, dc, di / ds / 1e6, di / dc / 1e6);
  }
  // The same on the four MLPerf Tiny networks of models/ (whole networks, every layer; the
  // calibration of a model without data: 32 uniform inputs; the input run: uniform in [0, 1)).
  if (!coldOnly && onlyCore.empty()) {
    fmt::print(
        "\nWarm emulator throughput on whole networks, optimized kernels, {} WS, {} runs after "
        "one (CPU time of the emulating thread):\n",
        warmWaitStates, warmRuns);
    for (const char* model :
         {"ds-cnn-kws", "mobilenet-v1-025-vww", "resnet8-cifar10", "fc-autoencoder-toyadmos"}) {
      const auto pm = nn::prepareModel(root / "models" / (std::string(model) + ".onnx"));
      ej::data::SplitMix64 rng(3);
      std::vector<float> x(std::size_t(pm.quant.shapes[std::size_t(pm.quant.input)].size()));
      for (auto& v : x) v = float(rng.uniform());
      const auto input = nn::quantizeInput(pm.quant, x);
      std::string line = fmt::format("  {:<24}", model);
      for (const auto& [core, partFile] : parts) {
        nn::Emulator emu(core, pm.quant, warmWaitStates, nn::KernelLibrary::Optimized);
        emu.run(input);
        const double i0 = double(emu.totalInstructions()), c0 = emu.emulationCpuSeconds();
        for (int r = 0; r < warmRuns; ++r) emu.run(input);
        const double di = double(emu.totalInstructions()) - i0, dc = emu.emulationCpuSeconds() - c0;
        line += fmt::format(" {} {:.0f} M/s", nn::coreName(core), di / dc / 1e6);
      }
      fmt::print("{}\n", line);
    }
  }
  if (warmOnly) return 0;
  fmt::print("{}", cold);
  return 0;
}
