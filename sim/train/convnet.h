// Small convolutional networks beyond LeNet-5 for 28x28 MNIST, as a list of nodes: a
// depthwise-separable CNN (the DS-CNN / MobileNet family: Howard et al. 2017, "MobileNets";
// Zhang et al. 2017, "Hello Edge") and a small residual network (He et al. 2016, "Deep Residual
// Learning"), with S-method gates per channel so that pruning removes whole channels; see
// README.md ("Two more architectures").
//
// Layout as in layers.h: a batch of C-channel H x W maps is a C x (B*H*W) matrix; after global
// average pooling and in the dense layer, C x B.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/data/mnist.h"
#include "sim/train/layers.h"
#include "sim/train/lenet5.h"

namespace ej::train {

enum class NodeOp {
  Conv,       // square conv, stride, zero padding; W [cout x cin*k*k] (ONNX order ci, ky, kx)
  Depthwise,  // one k x k filter per channel (ONNX Conv group = C); W [C x k*k]
  Relu,
  Gate,  // multiplies each channel by its space's S-method gate (identity without scores)
  Add,   // residual sum of two tensors of the same space and size
  Gap,   // global average pooling: C x (B*H*W) -> C x B
  Fc,    // dense layer on C x B; W [cout x cin]
};

// One node. Tensor 0 is the input image; node i writes tensor i + 1.
struct Node {
  NodeOp op = NodeOp::Relu;
  std::string name;  // ONNX node / initializer prefix
  int in = 0;        // input tensor
  int in2 = -1;      // Add: the second input tensor
  int k = 1;
  int stride = 1;
  int pad = 0;
  int space = -1;      // Conv, Fc: the output channel space; Gate: the gated space
  bool quant = false;  // an int8 quantization point (QDQ pair) on this node's output
};

// Channel spaces: every tensor's channels belong to one space (a Depthwise, Relu, Gate, Add or
// Gap output keeps its input's). Space 0 is the image (1 channel), space 1 the 10 logits; the
// others are hidden and gated. Removing channel j of a space removes the weights that write or
// read it everywhere, which keeps the network exact when the channel's gate is closed.
inline constexpr int kInputSpace = 0;
inline constexpr int kLogitSpace = 1;

struct ConvNet {
  std::string family;           // "ds-cnn" or "resnet"
  std::vector<int> width;       // channels per space
  std::vector<Node> nodes;      // in topological order
  std::vector<Mat> W;           // per node (empty for nodes without parameters)
  std::vector<Vec> b;           // per node
  std::vector<Vec> score;       // per space: S-method scores; empty = no gates
  std::vector<int> quantPoint;  // per tensor: its index among the quantization points, or -1

  // Weights + biases of every Conv, Depthwise and Fc node at the given space widths.
  long paramCount(const std::vector<int>& widths) const;
  long paramCount() const { return paramCount(width); }
  // The input space of node N (the space of its input tensor).
  int inputSpace(int n) const;
  // The space of tensor T.
  int tensorSpace(int t) const;
  bool gated() const;
  // The gates of SPACE: H(S) per channel, at least the best-scored one open; ones when not gated.
  Vec gates(int space) const;
  std::vector<int> openWidths() const;
  // The network without the channels whose gate is closed, and without scores.
  ConvNet compact() const;
  // Number of quantization points (the input and every node with quant).
  int quantPoints() const;
  // A one-line description: family and widths, e.g. "ds-cnn 16-32-64".
  std::string describe() const;
};

// The depthwise-separable CNN: conv 3x3 stride 2 (c0; 14x14) -> 3 x [depthwise 3x3 (strides 2,
// 2, 1: 7x7, 4x4, 4x4) -> pointwise 1x1 (c1, c2, c3)] -> global average pool -> dense 10; ReLU
// after every conv. Spaces 2-5 hold c0-c3 channels. (With two blocks and the first depthwise at
// stride 1 the receptive field before the pooling is 11 pixels and the network reached 92 %:
// README.md.)
ConvNet makeDsCnn(int c0 = 16, int c1 = 32, int c2 = 64, int c3 = 64);
// The residual network: conv 3x3 stride 2 (c) -> block 1 [conv 3x3 (m1), conv 3x3 (c), + identity]
// -> block 2 [conv 3x3 stride 2 (m2), conv 3x3 (c2), + conv 1x1 stride 2 shortcut] -> global
// average pool -> dense 10; ReLU after each conv but the second of a block, and after each sum.
// Spaces 2 (the stem and block 1's sum, tied by the identity), 3 (m1), 4 (m2), 5 (block 2's
// sum, c2).
ConvNet makeResNet(int c = 8, int m1 = 8, int m2 = 16, int c2 = 16);
// By family name ("ds-cnn", "resnet") with its default widths; throws std::invalid_argument.
ConvNet makeConvNet(const std::string& family);

// He-normal weights (std sqrt(2 / fan_in)), zero biases, from SEED (SplitMix64, Box-Muller).
void initConvNet(ConvNet& net, uint64_t seed);

// The forward pass of a batch, kept for the backward pass.
struct NetCache {
  int batch = 0;
  std::vector<Mat> t;      // tensors (t[0] the input)
  std::vector<Mat> cols;   // per Conv node: its im2col matrix
  std::vector<int> h, w;   // per tensor: spatial size (1 x 1 after Gap)
  std::vector<Vec> gates;  // per space
};

struct NetGrads {
  std::vector<Mat> W;
  std::vector<Vec> b;
  std::vector<Vec> gate;  // per space: dL/dg summed over every Gate node of the space
};

// X is 1 x (B*784). With QUANT (one ActQuant per quantization point), every quantization point is
// quantized and dequantized, which is what the QDQ ONNX model computes.
void forward(const ConvNet& net, const Mat& x, NetCache& cache,
             const std::vector<ActQuant>* quant = nullptr);
void backward(const ConvNet& net, NetCache& cache, const Mat& dLogits, NetGrads& grads);
const Mat& logits(const NetCache& cache);

std::vector<int> predict(const ConvNet& net, const data::MnistSet& set,
                         const std::vector<ActQuant>* quant = nullptr);
double accuracy(const ConvNet& net, const data::MnistSet& set,
                const std::vector<ActQuant>* quant = nullptr);

// Post-training int8 (the rules of quantize.h): per-tensor activation ranges of every
// quantization point over CALIB, per-output-channel symmetric int8 weights, int32 biases at
// s_in * s_w. DEQUANTIZED gets the dequantized weights (what the QDQ file's DequantizeLinear
// nodes give back), INT8W/INT8B the integers and WSCALE the per-channel scales (per node).
struct ConvNetInt8 {
  std::vector<ActQuant> act;  // per quantization point
  std::vector<Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic>> weight;
  std::vector<Vec> weightScale;
  std::vector<Eigen::VectorXi> bias;
  std::vector<Vec> biasScale;
  ConvNet dequantized;
};
ConvNetInt8 quantizeConvNet(const ConvNet& net, const data::MnistSet& calib);

}  // namespace ej::train
