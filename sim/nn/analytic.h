// The `analytic` backend: per-layer cycle formulas, linear in the work each kernel loop does
// (taps, rows, outputs, non-zeros), with per-core coefficients fitted by least squares to
// the `emu` backend's counts on a fixed calibration suite of layers. See README.md.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "sim/nn/cycle_model.h"
#include "sim/nn/kernel_library.h"
#include "sim/nn/quantize.h"

namespace ej::nn {

// The work terms of one layer for the kernel of LIBRARY that runs it on CORE (the columns
// of the fit: exact loop trip counts); the last is 1.
std::vector<double> layerFeatures(const QLayer& layer, Core core = Core::CortexM4F,
                                  KernelLibrary library = KernelLibrary::Reference);

// The fit's key of a layer: EJ_OP_* | EJ_PATH_* << 8 (the path of the optimized library).
std::uint32_t kernelKey(const QLayer& layer, KernelLibrary library);

// Coefficients of one core and library: per kernel (kernelKey), cycles = c . features and
// flash data reads = r . features (so wait states scale with the reads).
struct AnalyticCoefficients {
  std::map<std::uint32_t, std::vector<double>> cycles;
  std::map<std::uint32_t, std::vector<double>> flashReads;
};

// Fits CORE's coefficients against the emulator on the calibration suite (about a second
// per core). Cores without an emulator (xtensa-lx6) use rv32imc's fit: both are in-order,
// single-issue 32-bit cores without SIMD (an estimate, see README.md).
AnalyticCoefficients fitAnalytic(Core core, KernelLibrary library = KernelLibrary::Optimized);

// The same, cached on disk (see profile.h) per core, library and firmware build.
const AnalyticCoefficients& analyticCoefficients(Core core,
                                                 KernelLibrary library = KernelLibrary::Optimized);

struct AnalyticCount {
  double cycles = 0;  // without wait states
  double flashReads = 0;
};
AnalyticCount predictLayer(const AnalyticCoefficients& c, const QLayer& layer, Core core,
                           KernelLibrary library);

}  // namespace ej::nn
