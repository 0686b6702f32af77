// The float network as imported from ONNX, and its float reference forward pass.
// Tensors are NCHW with N = 1; a vector of length n is the shape {n, 1, 1}.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace ej::nn {

// A model this code cannot take (unsupported operator, bad shape): what() names the
// operator and the node.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Shape {
  int c = 1, h = 1, w = 1;
  int size() const { return c * h * w; }
  bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w; }
};

enum class Op { Conv, Gemm, Add, Clamp, MaxPool, AvgPool, Reshape, Softmax };

const char* opName(Op op);

// One operator. Relu and Clip become Clamp (and are later fused into their producer);
// Flatten and Reshape become Reshape (a no-op on NCHW memory).
struct Layer {
  Op op = Op::Conv;
  std::string name;         // the ONNX node name (or its output name when unnamed)
  std::vector<int> inputs;  // value ids
  int output = -1;          // value id
  // Conv / pools.
  int kH = 1, kW = 1, strideH = 1, strideW = 1, padT = 0, padL = 0, padB = 0, padR = 0;
  int groups = 1;
  // Conv [outC][inC/groups][kH][kW] and Gemm [outC][inC] weights; one bias per output.
  std::vector<float> weights;
  std::vector<float> bias;
  // Activation applied to the output (Clamp layers, or fused into Conv/Gemm/Add/pools).
  float actMin = -std::numeric_limits<float>::infinity();
  float actMax = std::numeric_limits<float>::infinity();
};

// Activation quantisation given by the model itself (QDQ: a QuantizeLinear on the value).
struct PresetQuant {
  bool set = false;
  double scale = 0;
  int zeroPoint = 0;  // in the int8 domain (uint8 zero points are shifted by -128)
};

struct Graph {
  std::vector<Shape> shapes;        // per value id
  std::vector<std::string> names;   // per value id
  std::vector<PresetQuant> preset;  // per value id, or empty (float models)
  int input = -1;
  int output = -1;
  std::vector<Layer> layers;  // in execution order
  // The data set the model was trained on, from its metadata (`edgejoule.dataset`, written
  // by `edgejoule train`), or empty. Chooses its default calibration and test data.
  std::string dataset;
};

// Parameters of the Conv and Gemm layers: weights plus biases, and those that are not zero.
struct ParameterCount {
  std::int64_t weights = 0, biases = 0;
  std::int64_t nonZero = 0;  // weights and biases that are not zero
  std::int64_t total() const { return weights + biases; }
};
ParameterCount countParameters(const Graph& graph);

// Multiply-accumulates of one layer (0 for layers without weights).
std::int64_t macCount(const Graph& graph, const Layer& layer);

// Folds every Clamp whose input is produced by a Conv, Gemm, Add or pool used only there
// into that producer. Returns the number folded.
int fuseActivations(Graph& graph);

// All values of a float forward pass (index = value id). INPUT has shapes[input].size().
std::vector<std::vector<float>> runFloat(const Graph& graph, const std::vector<float>& input);

}  // namespace ej::nn
