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

// A model that cannot fit the MCU (its activations' SRAM or its weights' and code's flash):
// what() names every shortfall. `edgejoule infer` exits 3 on it (README, Exit statuses).
class FitError : public ModelError {
 public:
  using ModelError::ModelError;
};

// Bounds every imported shape keeps (the importer refuses a model beyond them, naming the
// node): a height, width, kernel, stride or pad at most kMaxSpatial, a tensor at most
// kMaxTensorElements values. They keep Shape::size() and the kernels' index arithmetic within
// int, and lie far beyond any microcontroller (16 Mi int8 values is 16 MB of SRAM).
constexpr int kMaxSpatial = 1 << 16;
constexpr std::int64_t kMaxTensorElements = std::int64_t(1) << 24;
// Multiply-accumulates of one model at most (10^10: minutes on the host's float reference
// for calibration, and hours emulated; no TinyML model comes near).
constexpr std::int64_t kMaxModelMacs = 10'000'000'000;

struct Shape {
  int c = 1, h = 1, w = 1;
  // Exact for shapes that passed validateGraph (or were built with checkedShape).
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

// The shape {C, H, W}, or ModelError naming WHAT when a dimension is not positive, H or W
// exceeds kMaxSpatial, or C * H * W exceeds kMaxTensorElements (computed without overflow).
Shape checkedShape(std::int64_t c, std::int64_t h, std::int64_t w, const std::string& what);

// Checks what runFloat, quantize and the kernels rely on: value ids in range, every shape
// checkedShape's bounds, Conv and pool windows positive and consistent with their input and
// output shapes, weights and biases of the size their shapes give, Add operands of one shape,
// at most kMaxModelMacs. Throws ModelError naming the layer.
void validateGraph(const Graph& graph);
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
