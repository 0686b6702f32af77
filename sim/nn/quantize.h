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
  std::string name;     // ONNX node name
  std::string onnxOp;   // the operator it came from (Relu/Clip fused in are not listed)
  int in0 = -1, in1 = -1, out = -1;  // value ids
  ej_layer_t desc{};
  std::vector<std::int8_t> weights;    // dense [out][in...], or CSR values when sparse
  std::vector<std::int32_t> bias, mult, shift;
  // What the firmware stores as bias: for EJ_OP_FC/EJ_OP_FC_SPARSE bias - in_zp * sum(w)
  // (CMSIS-NN's precomputed kernel sum, so the dot product needs no input offset); else bias.
  std::vector<std::int32_t> kernelBias;
  std::vector<std::uint32_t> rowPtr;   // EJ_OP_FC_SPARSE: [out_c + 1]
  std::vector<std::uint16_t> colIdx;   // EJ_OP_FC_SPARSE: [nnz]
  std::vector<std::uint32_t> table;    // EJ_OP_SOFTMAX: Q16 exp table [256]
  std::int64_t macs = 0;               // dense multiply-accumulates (zeros included)
  std::int64_t nonZeroWeights = 0;
  std::int64_t totalWeights = 0;
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
  bool allowSparse = true;
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
