// LeNet-5 for 28x28 MNIST (LeCun et al. 1998, with ReLU and max pooling): conv 5x5 (c1 channels),
// pool 2x2, conv 5x5 (c2), pool 2x2, dense 16*c2 -> f1 -> f2 -> 10. Dense: c1=6, c2=16,
// f1=120, f2=84, 44,426 parameters. Optional S-method gates on every channel and unit, and
// optional 0/1 masks for magnitude pruning; see README.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/data/mnist.h"
#include "sim/train/layers.h"

namespace ej::train {

// The widths of a (possibly structurally pruned) LeNet-5.
struct Arch {
  int c1 = 6;    // conv1 output channels
  int c2 = 16;   // conv2 output channels
  int f1 = 120;  // fc1 units
  int f2 = 84;   // fc2 units

  // Weights + biases: c1*(25+1) + c2*(25*c1+1) + f1*(16*c2+1) + f2*(f1+1) + 10*(f2+1).
  long paramCount() const;
  bool operator==(const Arch& o) const {
    return c1 == o.c1 && c2 == o.c2 && f1 == o.f1 && f2 == o.f2;
  }
};

inline constexpr int kLayers = 5;  // conv1, conv2, fc1, fc2, fc3
inline constexpr int kGated = 4;   // conv1, conv2, fc1, fc2 (the 10 outputs are never gated)

// Per-tensor affine int8 quantization of an activation: real = scale * (q - zeroPoint),
// q in [-128, 127] (ONNX QuantizeLinear, opset 13).
struct ActQuant {
  float scale = 1.0f;
  int zeroPoint = 0;
  float apply(float x) const;  // quantize then dequantize
};

// The activations that the int8 form quantizes: the input, the outputs of the two conv+ReLU,
// of the two dense+ReLU, and the logits.
inline constexpr int kQuantPoints = 6;
using ActQuantSet = std::array<ActQuant, kQuantPoints>;

struct LeNet5 {
  Arch arch;
  // W[0] conv1 c1 x 25, W[1] conv2 c2 x (25*c1) (ONNX [out, in, ky, kx] order), W[2] fc1
  // f1 x (16*c2) (ONNX Flatten order c, y, x), W[3] fc2 f2 x f1, W[4] fc3 10 x f2.
  std::array<Mat, kLayers> W;
  std::array<Vec, kLayers> b;
  // S-method scores, one per channel/unit of the gated layers; empty = no gates.
  std::array<Vec, kGated> score;
  // Magnitude-pruning masks (1 keep, 0 pruned) of W and b; empty = dense.
  std::array<Mat, kLayers> maskW;
  std::array<Vec, kLayers> maskB;

  // He-normal weights (He et al. 2015, std = sqrt(2 / fan_in)), zero biases, from SEED.
  static LeNet5 init(const Arch& arch, uint64_t seed);

  bool gated() const { return score[0].size() > 0; }
  bool masked() const { return maskW[0].size() > 0; }
  // Parameters of the architecture (every weight and bias, zero or not).
  long paramCount() const { return arch.paramCount(); }
  // Weights and biases that are not zero (the size of an unstructured-sparse model).
  long nonzeroParams() const;
  // The gates g = H(sigmoid(S)) of layer L; all ones when not gated. At least one gate per layer
  // is kept open (the one of highest score) so that the network never disconnects.
  Vec gates(int layer) const;
  // The architecture that the open gates leave.
  Arch openArch() const;
  // The smaller dense network without the neurons whose gate is closed, and without scores.
  LeNet5 compact() const;
  // W *= maskW, b *= maskB (no-op when not masked).
  void applyMasks();
};

// The forward pass of a batch, kept for the backward pass.
struct Cache {
  int batch = 0;
  std::array<Vec, kGated> gates;
  Mat x, cols1, a1, p1, g1, cols2, a2, p2, g2, flat, h1, g3, h2, g4, logits;
  std::vector<int> arg1, arg2;
};

struct Grads {
  std::array<Mat, kLayers> W;
  std::array<Vec, kLayers> b;
  std::array<Vec, kGated> gate;  // dL/dg of each gate (before the straight-through step)
};

// Copies images IMAGES[index[i]] (or the i-th when INDEX is empty) into a 1 x (B*784) matrix,
// optionally shifted by (dy, dx) pixels per sample with zero fill.
void loadBatch(const data::MnistSet& set, const std::vector<int>& index, std::size_t begin,
               std::size_t count, Mat& x, const std::vector<std::array<int, 2>>* shifts = nullptr);

// Forward pass; X is 1 x (B*784). With QUANT, each quantization point is quantized and
// dequantized (the arithmetic of the QDQ ONNX model).
void forward(const LeNet5& net, const Mat& x, Cache& cache, const ActQuantSet* quant = nullptr);
// Backward pass from dL/dlogits.
void backward(const LeNet5& net, Cache& cache, const Mat& dLogits, Grads& grads);

// Classes predicted for every image of SET (batched).
std::vector<int> predict(const LeNet5& net, const data::MnistSet& set,
                         const ActQuantSet* quant = nullptr);
// Fraction of SET classified correctly.
double accuracy(const LeNet5& net, const data::MnistSet& set, const ActQuantSet* quant = nullptr);

}  // namespace ej::train
