// The analytic backend on layers it was not fitted on. The split: the coefficients are
// fitted on the calibration suite of sim/nn/analytic.cc (one-layer graphs of LeNet-like and
// small generic shapes); checked here on the layer shapes of the MLPerf Tiny networks
// (tests/nn/layer_shapes.h: DS-CNN, ResNet-8, MobileNetV1, FC autoencoder), none of which is
// in the suite, on every emulated core and both kernel libraries.
#include "sim/nn/analytic.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "sim/data/mnist.h"
#include "sim/nn/emulator.h"
#include "sim/nn/profile.h"
#include "tests/nn/layer_shapes.h"

namespace ej::nn {
namespace {

TEST(AnalyticTest, WithinFivePercentOfEmuOnMlperfLayerShapesLeftOutOfTheFit) {
  data::SplitMix64 rng(77);
  for (const auto& [name, g] : testing::mlperfLayerShapes()) {
    std::vector<std::vector<float>> calib(4, std::vector<float>(std::size_t(g.shapes[0].size())));
    for (auto& v : calib) {
      for (auto& x : v) x = float(rng.uniform());
    }
    QuantOptions dense;
    dense.allowSparse = false;
    const QuantModel q = quantize(g, calib, dense);
    for (const Core core :
         {Core::CortexM0Plus, Core::CortexM4F, Core::CortexM7, Core::CortexM33, Core::Rv32imc}) {
      for (const auto lib : {KernelLibrary::Reference, KernelLibrary::Optimized}) {
        Emulator emu(core, q, 0, lib);
        const auto counts = emu.run(quantizeInput(q, calib[0]));
        const double emulated = double(counts[0].cycles);
        const double predicted =
            predictLayer(analyticCoefficients(core, lib), q.layers[0], core, lib).cycles;
        std::printf("%-16s %-14s %-9s emu %12.0f analytic %+6.2f %%\n", name.c_str(),
                    coreName(core), kernelLibraryName(lib), emulated,
                    100 * (predicted - emulated) / emulated);
        // 5 %: the accuracy issue 12 asks of the analytic backend on networks outside the fit.
        EXPECT_NEAR(predicted / emulated, 1.0, 0.05)
            << name << " on " << coreName(core) << " (" << kernelLibraryName(lib) << ")";
      }
    }
  }
}

// The whole MLPerf Tiny networks as shipped in models/ (imported, fused, quantised on the
// default uniform inputs, as `edgejoule infer` does): every layer's prediction summed against
// the emulated total, on every emulated core with both kernel libraries, at 0 flash wait
// states (the wait-state term multiplies a flash-read count that the emulator and the
// formulas both give; the cores are what is checked here). None of these networks, nor their
// layers, is in the fit's calibration suite.
void expectNetworkWithinFivePercent(const char* file) {
  const PreparedModel pm = prepareModel(std::filesystem::path(EJ_SOURCE_DIR) / "models" / file);
  const QuantModel& q = pm.quant;
  data::SplitMix64 rng(3);
  std::vector<float> x(std::size_t(q.shapes[std::size_t(q.input)].size()));
  for (auto& v : x) v = float(rng.uniform());
  for (const Core core :
       {Core::CortexM0Plus, Core::CortexM4F, Core::CortexM7, Core::CortexM33, Core::Rv32imc}) {
    for (const auto lib : {KernelLibrary::Reference, KernelLibrary::Optimized}) {
      Emulator emu(core, q, 0, lib);
      double emulated = 0, predicted = 0;
      for (const auto& c : emu.run(quantizeInput(q, x))) emulated += double(c.cycles);
      for (const auto& l : q.layers)
        predicted += predictLayer(analyticCoefficients(core, lib), l, core, lib).cycles;
      std::printf("%-28s %-14s %-9s emu %12.0f analytic %+6.2f %%\n", file, coreName(core),
                  kernelLibraryName(lib), emulated, 100 * (predicted - emulated) / emulated);
      // 5 %: issue 12's bound for the analytic backend on every shipped model, core and library.
      EXPECT_NEAR(predicted / emulated, 1.0, 0.05)
          << file << " on " << coreName(core) << " (" << kernelLibraryName(lib) << ")";
    }
  }
}

TEST(AnalyticTest, WithinFivePercentOfEmuOnDsCnn) {
  expectNetworkWithinFivePercent("ds-cnn-kws.onnx");
}
TEST(AnalyticTest, WithinFivePercentOfEmuOnMobileNetV1) {
  expectNetworkWithinFivePercent("mobilenet-v1-025-vww.onnx");
}
TEST(AnalyticTest, WithinFivePercentOfEmuOnResNet8) {
  expectNetworkWithinFivePercent("resnet8-cifar10.onnx");
}
TEST(AnalyticTest, WithinFivePercentOfEmuOnFcAutoencoder) {
  expectNetworkWithinFivePercent("fc-autoencoder-toyadmos.onnx");
}

}  // namespace
}  // namespace ej::nn
