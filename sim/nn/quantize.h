// Post-training int8 quantisation of a float Graph (Jacob et al. 2018; the TFLite int8
// scheme: per-channel symmetric weights, per-tensor asymmetric activations, int32 bias,
// Q31 requantisation multipliers), and the int8 reference forward pass every backend must
// match bit for bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/firmware/ej_kernels.h"
#include "sim/nn/graph.h"

namespace ej::nn {

// Per-tensor affine quantisation: real = scale * (q - zeroPoint).
struct QParams {
  double scale = 1.0;
  int zeroPoint = 0;
};

// One int8 layer: the descriptor the firmware runs (addresses left zero; the backend places
// the tensors) and the constant tensors it points at.
struct QLayer {
  std::string name;    // ONNX node name
  std::string onnxOp;  // the operator it came from (Relu/Clip fused in are not listed)
  int in0 = -1, in1 = -1, out = -1;  // value ids
  ej_layer_t desc{};
  std::vector<std::int8_t> weights;  // dense [out][in...], or CSR values when sparse
  std::vector<std::int32_t> bias, mult, shift;
  // What the firmware stores as bias: for EJ_OP_FC/EJ_OP_FC_SPARSE bias - in_zp * sum(w)
  // (CMSIS-NN's precomputed kernel sum, so the dot product needs no input offset); else bias.
  std::vector<std::int32_t> kernelBias;
  std::vector<std::uint32_t> rowPtr;  // EJ_OP_FC_SPARSE, EJ_OP_CONV_SPARSE: [out_c + 1]
  std::vector<std::uint16_t> colIdx;  // FC: column; CONV: ci*in_h*in_w + ky*in_w + kx [nnz]
  std::vector<std::uint16_t> taps;    // EJ_OP_CONV_SPARSE with clipped windows: ky<<8|kx [nnz]
  std::vector<std::uint32_t> table;   // EJ_OP_SOFTMAX: Q16 exp table [256]
  std::int64_t macs = 0;              // dense multiply-accumulates (zeros included)
  std::int64_t nonZeroWeights = 0;
  std::int64_t totalWeights = 0;
  bool sparse() const { return desc.op == EJ_OP_FC_SPARSE || desc.op == EJ_OP_CONV_SPARSE; }
  // Bytes this layer keeps in flash: weights, bias, multipliers, shifts, sparse index, table.
  std::int64_t flashBytes() const;
};

struct QuantModel {
  std::vector<Shape> shapes;     // per value id (aliases of Reshape share their source id)
  std::vector<QParams> qparams;  // per value id
  int input = -1;
  int output = -1;
  std::vector<QLayer> layers;
  std::int64_t flashBytes() const;
  std::int64_t macs() const;
};

struct QuantOptions {
  // A Gemm layer runs sparse (CSR, EJ_OP_FC_SPARSE) when its CSR form (1 B value + 2 B
  // column per non-zero, 4 B per row pointer) is smaller than the dense int8 matrix, i.e.
  // below about 1/3 density. At that density the sparse loop (about 8-10 cycles per
  // non-zero on M4/M0+ as counted by the emu backend) also beats the dense one.
  // A Conv runs sparse (EJ_OP_CONV_SPARSE) by the same rule: 1 B value + 2 B input offset
  // per non-zero (+ 2 B (ky, kx) when padding clips some window) + 4 B per output channel
  // must be fewer bytes than the dense weights (density below about 1/3, or 1/5 padded);
  // or, since it is then clearly faster, when at most SPARSECONVDENSITY of the weights are
  // non-zero, even if the index costs flash. Each non-zero costs one offset load, two byte
  // loads and one multiply-accumulate per output (emu, M4: 8.5-10.8 cycles), against
  // 11.8-14.4 cycles per dense tap of ej_conv_s8 on LeNet's 5x5 kernels; at half density
  // the emu counted the sparse conv1 of lenet5-magnitude-13x (73 of 150 weights) 1.8x
  // (M0+), 1.9x (M7), 2.2x (M4, RV32IMC) faster than dense (sim/nn/README.md).
  bool allowSparse = true;
  double sparseConvDensity = 0.5;
};

// Calibrates activation ranges on CALIBRATION inputs (min/max of each tensor) and quantises.
QuantModel quantize(const Graph& graph, const std::vector<std::vector<float>>& calibration,
                    const QuantOptions& options = {});

// The model's input quantised (round to nearest, saturate).
std::vector<std::int8_t> quantizeInput(const QuantModel& model, const std::vector<float>& input);

// Every value of an int8 forward pass (index = value id; aliases empty).
std::vector<std::vector<std::int8_t>> runInt8(const QuantModel& model,
                                              const std::vector<std::int8_t>& input);

// The reference kernel of one layer (plain loops), on host buffers.
void runLayerInt8(const QLayer& layer, const std::int8_t* in0, const std::int8_t* in1,
                  std::int8_t* out);

// (acc * m + 2^(30 - s)) >> (31 - s), the requantisation of ej_kernels.h.
std::int32_t requantize(std::int32_t acc, std::int32_t m, std::int32_t s);

// M = m * 2^(s - 31) with m in [2^30, 2^31) (TFLite's QuantizeMultiplier); m = 0 for M
// below 2^-31.
void quantizeMultiplier(double M, std::int32_t& m, std::int32_t& s);

// Index of the largest value (the top-1 class).
int argmax(const std::vector<std::int8_t>& v);

}  // namespace ej::nn
