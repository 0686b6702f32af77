// Post-training int8 quantization of LeNet-5 (Jacob et al. 2018, "Quantization and Training of
// Neural Networks for Efficient Integer-Arithmetic-Only Inference"): per-output-channel symmetric
// int8 weights, int32 biases at scale s_in * s_w, per-tensor affine int8 activations whose range
// comes from calibration on training digits; see README.md.
#pragma once

#include <Eigen/Dense>
#include <array>

#include "sim/data/mnist.h"
#include "sim/train/lenet5.h"

namespace ej::train {

using MatI8 = Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic>;

struct Int8Layer {
  MatI8 weight;          // rows = output channels, same layout as LeNet5::W
  Vec weightScale;       // per output channel: max |w| / 127 (1 for an all-zero row)
  Eigen::VectorXi bias;  // round(b / biasScale)
  Vec biasScale;         // inputScale * weightScale
};

struct Int8Model {
  Arch arch;
  std::array<Int8Layer, kLayers> layers;
  // Quantization points: input, conv1+relu, conv2+relu, fc1+relu, fc2+relu, logits.
  ActQuantSet act;
  // The float network whose weights and biases are the dequantized int8 values; run with ACT it
  // computes what the QDQ ONNX model computes.
  LeNet5 dequantized() const;
};

// The int8 parameters of the range [LO, HI] widened to include 0: scale = (hi - lo) / 255,
// zeroPoint = round(-128 - lo / scale).
ActQuant actQuantFromRange(float lo, float hi);

// Per-tensor ranges [min, max] (widened to include 0) of each quantization point over CALIB,
// mapped to int8: scale = (max - min) / 255, zeroPoint = round(-128 - min / scale).
ActQuantSet calibrate(const LeNet5& net, const data::MnistSet& calib);

// The int8 weights and biases of NET for the activation parameters ACT.
Int8Model quantize(const LeNet5& net, const ActQuantSet& act);

// The calibration digits: the first COUNT training digits in a SplitMix64 order seeded with
// SEED (never test digits).
data::MnistSet calibrationSet(const data::MnistSet& trainSet, std::size_t count = 1000,
                              uint64_t seed = 7);

}  // namespace ej::train
