// The two kernel libraries every emulated core has (sim/firmware): `reference`, the plain
// C kernels of ej_kernels.c (the class of TFLite-micro's reference kernels), and
// `optimized`, ej_kernels_opt.c in front of them (the class of CMSIS-NN / ESP-NN). What the
// host must know about the optimized one: which kernel takes a layer, how it wants the
// weights stored, and the scratch RAM it uses. See sim/firmware/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/nn/cycle_model.h"
#include "sim/nn/quantize.h"

namespace ej::nn {

enum class KernelLibrary { Reference, Optimized };

// "reference" | "optimized"; throws std::invalid_argument naming both otherwise.
KernelLibrary kernelLibraryFromName(const std::string& name);
const char* kernelLibraryName(KernelLibrary library);
std::vector<std::string> kernelLibraryNames();

// Whether the core has the Armv7E-M DSP extension (SXTB16, SMLAD): M4F, M7, M33.
bool hasDsp(Core core);

// The kernel of LIBRARY that runs the layer: EJ_PATH_* of ej_kernels.h (always
// EJ_PATH_REFERENCE for the reference library).
int kernelPath(const ej_layer_t& layer, KernelLibrary library);

// The weights as LIBRARY's kernel on CORE reads them: on DSP cores the optimized im2col and
// fully connected kernels take each weight row in groups of four reordered [w0 w2 w1 w3]
// (SXTB16 and SXTB16 ROR #8 of one word then give (w0,w1) and (w2,w3); Lai et al. 2018,
// sec. 3.1); a row's last K mod 4 weights stay in order. Otherwise LAYER.weights unchanged.
std::vector<std::int8_t> storedWeights(const QLayer& layer, Core core, KernelLibrary library);

// RAM the layer's kernel keeps on its stack besides the activations: the optimized im2col
// kernel's two int16 columns (4 * in_c/groups * k_h * k_w bytes, as a deployment sized to
// the layer would allocate) and the optimized fully connected kernel's int16 input
// (2 * in_c, DSP cores). 0 otherwise.
std::int64_t scratchBytes(const QLayer& layer, Core core, KernelLibrary library);

}  // namespace ej::nn
