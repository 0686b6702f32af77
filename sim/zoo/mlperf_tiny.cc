// The MLPerf Tiny reference networks, layer by layer as in the benchmark's Keras training
// scripts (github.com/mlcommons/tiny, benchmark/training/*/keras_model.py, v0.5):
// - KWS DS-CNN (Zhang et al. 2017, "Hello Edge", DS-CNN-S): input 49x10 MFCC, Conv 64 10x4
//   stride 2 "same", 4 x (depthwise 3x3 + pointwise 64), average pool 25x5, Dense 12.
// - VWW MobileNetV1 alpha 0.25 (Howard et al. 2017) on 96x96x3, Dense 2.
// - IC ResNet-8 (the EEMBC ResNet v1 of MLPerf Tiny: 16-32-64 filters, three stacks, 1x1
//   stride-2 shortcuts) on 32x32x3, average pool 8x8, Dense 10.
// - AD FC autoencoder (DCASE 2020 task 2 baseline): 640-128-128-128-128-8-128-128-128-128-640.
#include "sim/zoo/mlperf_tiny.h"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/data/mnist.h"
#include "sim/zoo/onnx_builder.h"

namespace ej::zoo {
namespace {

// One network being written: the builder, the weight generator, the current value and shape.
class Net {
 public:
  Net(const std::string& name, const std::vector<std::int64_t>& dims, std::uint64_t seed)
      : m_b(name, "input", dims), m_rng(seed), m_value("input") {
    if (dims.size() == 4) m_c = dims[1], m_h = dims[2], m_w = dims[3];
    if (dims.size() == 2) m_c = dims[1], m_h = m_w = 1;
  }

  // Conv K_HxK_W, STRIDE, "same" padding (auto_pad SAME_UPPER, TensorFlow's rule), GROUPS;
  // BatchNormalization folded into weights and bias; then ReLU when RELU.
  std::string conv(const std::string& name, std::int64_t outC, std::int64_t kH, std::int64_t kW,
                   std::int64_t stride, std::int64_t groups, bool relu,
                   const std::string& from = "") {
    const std::string in = from.empty() ? m_value : from;
    const std::int64_t cinG = m_c / groups, per = cinG * kH * kW;
    const auto w = heUniformInt8(m_rng, std::size_t(outC * per), std::size_t(per), int(per));
    const std::string wn = m_b.int8Weights(name + "_w", {outC, cinG, kH, kW}, w.q, w.scales);
    const std::string bn = m_b.floats(name + "_b", {outC}, bias(outC));
    auto& n = m_b.node("Conv", name, {in, wn, bn});
    OnnxBuilder::ints(n, "kernel_shape", {kH, kW});
    OnnxBuilder::ints(n, "strides", {stride, stride});
    OnnxBuilder::text(n, "auto_pad", "SAME_UPPER");
    if (groups > 1) OnnxBuilder::integer(n, "group", groups);
    m_c = outC, m_h = (m_h + stride - 1) / stride, m_w = (m_w + stride - 1) / stride;
    m_value = name;
    if (relu) m_value = m_b.node("Relu", name + "_relu", {name}).output(0);
    return m_value;
  }
  // Depthwise 3x3 then pointwise 1x1 to OUTC, each with BN and ReLU (MobileNet, DS-CNN).
  void separable(const std::string& name, std::int64_t outC, std::int64_t stride) {
    conv(name + "_dw", m_c, 3, 3, stride, m_c, true);
    conv(name + "_pw", outC, 1, 1, 1, 1, true);
  }
  // Gemm (transB = 1, weights [out][in] as int8), optional ReLU.
  void dense(const std::string& name, std::int64_t out, bool relu) {
    const std::int64_t in = m_c * m_h * m_w;
    const auto w = heUniformInt8(m_rng, std::size_t(out * in), std::size_t(in), int(in));
    const std::string wn = m_b.int8Weights(name + "_w", {out, in}, w.q, w.scales);
    const std::string bn = m_b.floats(name + "_b", {out}, bias(out));
    auto& n = m_b.node("Gemm", name, {m_value, wn, bn});
    OnnxBuilder::integer(n, "transB", 1);
    m_c = out, m_h = m_w = 1;
    m_value = name;
    if (relu) m_value = m_b.node("Relu", name + "_relu", {name}).output(0);
  }
  void averagePool(const std::string& name, std::int64_t kH, std::int64_t kW) {
    auto& n = m_b.node("AveragePool", name, {m_value});
    OnnxBuilder::ints(n, "kernel_shape", {kH, kW});
    OnnxBuilder::ints(n, "strides", {kH, kW});
    m_h = (m_h - kH) / kH + 1, m_w = (m_w - kW) / kW + 1;
    m_value = name;
  }
  void globalAveragePool(const std::string& name) {
    m_value = m_b.node("GlobalAveragePool", name, {m_value}).output(0);
    m_h = m_w = 1;
  }
  void flatten(const std::string& name) {
    m_value = m_b.node("Flatten", name, {m_value}).output(0);
    m_c = m_c * m_h * m_w, m_h = m_w = 1;
  }
  // Residual: Add(A, B) then ReLU.
  void addRelu(const std::string& name, const std::string& a, const std::string& b) {
    m_b.node("Add", name, {a, b});
    m_value = m_b.node("Relu", name + "_relu", {name}).output(0);
  }
  void softmax(const std::string& name) {
    m_value = m_b.node("Softmax", name, {m_value}).output(0);
  }
  onnx::ModelProto finish(const NetworkInfo& info, std::uint64_t seed) {
    m_b.metadata("edgejoule.network", info.name);
    m_b.metadata("edgejoule.task", info.task);
    m_b.metadata("edgejoule.weights",
                 fmt::format("untrained: int8 He-uniform, SplitMix64 seed {}", seed));
    m_b.metadata("edgejoule.source",
                 "MLPerf Tiny v0.5 reference structure (Banbury et al. 2021; "
                 "github.com/mlcommons/tiny), BatchNormalization folded");
    m_b.metadata("edgejoule.command",
                 fmt::format("edgejoule zoo --network {} --seed {} --out FILE", info.name, seed));
    return m_b.finish(m_value, {1, m_c * m_h * m_w});
  }
  const std::string& value() const { return m_value; }
  std::vector<std::int64_t> dims() const { return {m_c, m_h, m_w}; }
  void setDims(const std::vector<std::int64_t>& d) { m_c = d[0], m_h = d[1], m_w = d[2]; }

 private:
  std::vector<float> bias(std::int64_t n) {
    std::vector<float> b(static_cast<std::size_t>(n));
    for (auto& x : b) x = float((m_rng.uniform() - 0.5) * 0.1);
    return b;
  }
  OnnxBuilder m_b;
  data::SplitMix64 m_rng;
  std::string m_value;
  std::int64_t m_c = 1, m_h = 1, m_w = 1;
};

onnx::ModelProto dsCnn(const NetworkInfo& info, std::uint64_t seed) {
  Net n("ds_cnn_kws", info.inputDims, seed);
  n.conv("conv1", 64, 10, 4, 2, 1, true);  // 49x10 -> 25x5, pads t4 b5 l1 r1
  for (int i = 1; i <= 4; ++i) n.separable(fmt::format("ds{}", i), 64, 1);
  n.averagePool("pool", 25, 5);
  n.flatten("flatten");
  n.dense("fc", 12, false);
  n.softmax("softmax");
  return n.finish(info, seed);
}

onnx::ModelProto mobileNet(const NetworkInfo& info, std::uint64_t seed) {
  Net n("mobilenet_v1_025_vww", info.inputDims, seed);
  n.conv("conv1", 8, 3, 3, 2, 1, true);  // 96 -> 48
  const std::vector<std::pair<std::int64_t, std::int64_t>> blocks = {
      {16, 1},  {32, 2},  {32, 1},  {64, 2},  {64, 1},  {128, 2}, {128, 1},
      {128, 1}, {128, 1}, {128, 1}, {128, 1}, {256, 2}, {256, 1}};
  int i = 1;
  for (const auto& [c, s] : blocks) n.separable(fmt::format("block{}", i++), c, s);
  n.globalAveragePool("pool");
  n.flatten("flatten");
  n.dense("fc", 2, false);
  n.softmax("softmax");
  return n.finish(info, seed);
}

onnx::ModelProto resNet8(const NetworkInfo& info, std::uint64_t seed) {
  Net n("resnet8_cifar10", info.inputDims, seed);
  std::string x = n.conv("conv1", 16, 3, 3, 1, 1, true);
  // Stack 1: identity shortcut.
  n.conv("s1_conv1", 16, 3, 3, 1, 1, true);
  std::string y = n.conv("s1_conv2", 16, 3, 3, 1, 1, false);
  n.addRelu("s1_add", x, y);
  x = n.value();
  // Stacks 2 and 3: stride 2, filters doubled, 1x1 stride-2 convolution on the shortcut.
  for (const auto& [stack, filters] : std::vector<std::pair<int, std::int64_t>>{{2, 32}, {3, 64}}) {
    const auto xdims = n.dims();
    n.conv(fmt::format("s{}_conv1", stack), filters, 3, 3, 2, 1, true, x);
    y = n.conv(fmt::format("s{}_conv2", stack), filters, 3, 3, 1, 1, false);
    // The shortcut reads x (the stack input, with its shape) again.
    const auto ydims = n.dims();
    n.setDims(xdims);
    x = n.conv(fmt::format("s{}_shortcut", stack), filters, 1, 1, 2, 1, false, x);
    if (n.dims() != ydims) throw std::logic_error("resnet8: shortcut and branch differ");
    n.addRelu(fmt::format("s{}_add", stack), x, y);
    x = n.value();
  }
  n.averagePool("pool", 8, 8);
  n.flatten("flatten");
  n.dense("fc", 10, false);
  n.softmax("softmax");
  return n.finish(info, seed);
}

onnx::ModelProto autoencoder(const NetworkInfo& info, std::uint64_t seed) {
  Net n("fc_autoencoder_toyadmos", info.inputDims, seed);
  int i = 1;
  for (int k = 0; k < 4; ++k) n.dense(fmt::format("fc{}", i++), 128, true);
  n.dense(fmt::format("fc{}", i++), 8, true);
  for (int k = 0; k < 4; ++k) n.dense(fmt::format("fc{}", i++), 128, true);
  n.dense(fmt::format("fc{}", i++), 640, false);
  return n.finish(info, seed);
}

}  // namespace

const std::vector<NetworkInfo>& mlperfTinyNetworks() {
  static const std::vector<NetworkInfo> networks = {
      {"ds-cnn-kws", "keyword spotting (Speech Commands, 12 classes)", 2656768, {1, 1, 49, 10}},
      {"mobilenet-v1-025-vww", "visual wake words (person / no person)", 7489664, {1, 3, 96, 96}},
      {"resnet8-cifar10", "image classification (CIFAR-10)", 12501632, {1, 3, 32, 32}},
      {"fc-autoencoder-toyadmos", "anomaly detection (ToyADMOS toy car)", 264192, {1, 640}},
  };
  return networks;
}

onnx::ModelProto buildMlperfTiny(const std::string& name, std::uint64_t seed) {
  for (const auto& info : mlperfTinyNetworks()) {
    if (info.name != name) continue;
    if (name == "ds-cnn-kws") return dsCnn(info, seed);
    if (name == "mobilenet-v1-025-vww") return mobileNet(info, seed);
    if (name == "resnet8-cifar10") return resNet8(info, seed);
    return autoencoder(info, seed);
  }
  std::string known;
  for (const auto& info : mlperfTinyNetworks()) known += (known.empty() ? "" : ", ") + info.name;
  throw std::invalid_argument(fmt::format("unknown network '{}' ({})", name, known));
}

}  // namespace ej::zoo
