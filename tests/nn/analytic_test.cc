// The analytic backend on layers it was not fitted on. The split: the coefficients are
// fitted on the calibration suite of sim/nn/analytic.cc (one-layer graphs of LeNet-like and
// small generic shapes); checked here on the layer shapes of the MLPerf Tiny networks
// (tests/nn/layer_shapes.h: DS-CNN, ResNet-8, MobileNetV1, FC autoencoder), none of which is
// in the suite, on every emulated core and both kernel libraries.
#include "sim/nn/analytic.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "sim/data/mnist.h"
#include "sim/nn/emulator.h"
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

}  // namespace
}  // namespace ej::nn
