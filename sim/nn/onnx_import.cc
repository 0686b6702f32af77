// ONNX -> Graph (ONNX operator specification, opset 13: https://onnx.ai/onnx/operators/).
#include "sim/nn/onnx_import.h"

#include <fmt/format.h>
#include <google/protobuf/stubs/logging.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>

namespace ej::nn {
namespace {

struct Constant {
  int dataType = 0;
  std::vector<std::int64_t> dims;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
};

// --- Validation: every count, size and attribute is checked here before any arithmetic uses
// it, so that a malformed model is one ModelError naming the tensor or node, never a crash.

// The element count of DIMS (each 0..kMaxTensorElements), without overflow, at most
// kMaxTensorElements.
std::int64_t checkedCount(const std::vector<std::int64_t>& dims, const std::string& what) {
  std::int64_t n = 1;
  for (const auto d : dims) {
    if (d < 0 || d > kMaxTensorElements)
      throw ModelError(
          fmt::format("{}: dimension {} is not within 0..{}", what, d, kMaxTensorElements));
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxTensorElements)
      throw ModelError(fmt::format("{}: more than {} values", what, kMaxTensorElements));
  }
  return n;
}

std::size_t elementBytes(int dataType) {
  switch (dataType) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
      return 4;
    case onnx::TensorProto::INT64:
      return 8;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
      return 1;
    default:
      return 0;
  }
}

// Refuses a tensor whose stored data is not exactly what its shape and type say: raw bytes
// of count * element size, or that many typed values.
void checkTensorData(const onnx::TensorProto& t, std::int64_t n, std::size_t typed) {
  const std::string what = fmt::format("tensor '{}'", t.name());
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw ModelError(what + ": external data is not supported");
  const std::size_t bytes = elementBytes(t.data_type());
  if (!t.raw_data().empty()) {
    if (t.raw_data().size() != std::size_t(n) * bytes) {
      throw ModelError(fmt::format("{}: raw data holds {} bytes, its shape and type need {}", what,
                                   t.raw_data().size(), std::size_t(n) * bytes));
    }
  } else if (typed != std::size_t(n)) {
    throw ModelError(fmt::format("{}: holds {} values, its shape needs {}", what, typed, n));
  }
}

Constant readTensor(const onnx::TensorProto& t) {
  Constant c;
  c.dataType = t.data_type();
  c.dims.assign(t.dims().begin(), t.dims().end());
  const std::string what = fmt::format("tensor '{}'", t.name());
  const std::int64_t n = checkedCount(c.dims, what);
  const std::string& raw = t.raw_data();
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    checkTensorData(t, n, std::size_t(t.float_data_size()));
    if (!raw.empty()) {
      c.floats.resize(std::size_t(n));
      std::memcpy(c.floats.data(), raw.data(), raw.size());
    } else {
      c.floats.assign(t.float_data().begin(), t.float_data().end());
    }
    for (std::size_t i = 0; i < c.floats.size(); ++i) {
      if (!std::isfinite(c.floats[i]))
        throw ModelError(fmt::format("{}: value {} is not finite", what, i));
    }
  } else if (t.data_type() == onnx::TensorProto::INT64) {
    checkTensorData(t, n, std::size_t(t.int64_data_size()));
    if (!raw.empty()) {
      c.ints.resize(std::size_t(n));
      std::memcpy(c.ints.data(), raw.data(), raw.size());
    } else {
      c.ints.assign(t.int64_data().begin(), t.int64_data().end());
    }
  } else if (t.data_type() == onnx::TensorProto::INT8 ||
             t.data_type() == onnx::TensorProto::UINT8 ||
             t.data_type() == onnx::TensorProto::INT32) {
    // QDQ constants (weights, zero points, int32 biases); ONNX keeps int8/uint8 typed values
    // in int32_data.
    checkTensorData(t, n, std::size_t(t.int32_data_size()));
    if (!raw.empty()) {
      for (std::size_t i = 0; i < std::size_t(n); ++i) {
        if (t.data_type() == onnx::TensorProto::INT8) {
          c.ints.push_back(static_cast<std::int8_t>(raw[i]));
        } else if (t.data_type() == onnx::TensorProto::UINT8) {
          c.ints.push_back(static_cast<std::uint8_t>(raw[i]));
        } else {
          std::int32_t v;
          std::memcpy(&v, raw.data() + 4 * i, 4);
          c.ints.push_back(v);
        }
      }
    } else {
      c.ints.assign(t.int32_data().begin(), t.int32_data().end());
      const bool s8 = t.data_type() == onnx::TensorProto::INT8;
      const bool u8 = t.data_type() == onnx::TensorProto::UINT8;
      for (const auto v : c.ints) {
        if ((s8 && (v < -128 || v > 127)) || (u8 && (v < 0 || v > 255)))
          throw ModelError(fmt::format("{}: value {} is out of its type's range", what, v));
      }
    }
  } else {
    throw ModelError(
        fmt::format("tensor '{}': data type {} is not supported (float32, and int8/"
                    "uint8/int32 in QDQ models)",
                    t.name(), t.data_type()));
  }
  return c;
}

// A model input's dimension: a positive value (a missing one only for the batch).
std::int64_t inputDim(const onnx::TensorShapeProto::Dimension& d, bool batch,
                      const std::string& what) {
  if (!d.has_dim_value()) {
    if (batch) return 1;
    throw ModelError(what + ": every dimension but the batch needs a value");
  }
  if (d.dim_value() < 1 || d.dim_value() > kMaxTensorElements)
    throw ModelError(fmt::format("{}: dimension {} is not within 1..{}", what, d.dim_value(),
                                 kMaxTensorElements));
  return d.dim_value();
}

// A window attribute (kernel_shape, strides, pads, dilations) of two or four values, each
// within LO..kMaxSpatial.
std::vector<int> windowInts(const onnx::AttributeProto* a, std::vector<int> fallback,
                            std::size_t count, std::int64_t lo, const std::string& what) {
  if (!a) return fallback;
  if (std::size_t(a->ints_size()) != count)
    throw ModelError(fmt::format("{}: {} values expected (a 2-D window), {} given", what, count,
                                 a->ints_size()));
  std::vector<int> v;
  for (const auto x : a->ints()) {
    if (x < lo || x > kMaxSpatial)
      throw ModelError(fmt::format("{}: {} is not within {}..{}", what, x, lo, kMaxSpatial));
    v.push_back(int(x));
  }
  return v;
}

// Quantisation parameters: SCALE's values finite and positive; ZP (when given) one value or
// one per scale.
void checkQuantParams(const Constant& scale, const Constant* zp, const std::string& what) {
  if (scale.floats.empty()) throw ModelError(what + ": the scale must be a float constant");
  for (const float s : scale.floats) {
    if (!(s > 0) || !std::isfinite(s))
      throw ModelError(fmt::format("{}: scale {} is not a positive finite number", what, s));
  }
  if (!zp) return;
  if (zp->dataType != onnx::TensorProto::INT8 && zp->dataType != onnx::TensorProto::UINT8)
    throw ModelError(what + ": the zero point must be int8 or uint8");
  if (zp->ints.size() != 1 && zp->ints.size() != scale.floats.size())
    throw ModelError(fmt::format("{}: {} zero points for {} scales", what, zp->ints.size(),
                                 scale.floats.size()));
}

// --- Import.

const onnx::AttributeProto* findAttr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}
std::vector<std::int64_t> ints(const onnx::NodeProto& n, const std::string& name,
                               std::vector<std::int64_t> fallback) {
  const auto* a = findAttr(n, name);
  return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}
std::int64_t intAttr(const onnx::NodeProto& n, const std::string& name, std::int64_t fallback) {
  const auto* a = findAttr(n, name);
  return a ? a->i() : fallback;
}
float floatAttr(const onnx::NodeProto& n, const std::string& name, float fallback) {
  const auto* a = findAttr(n, name);
  return a ? a->f() : fallback;
}

class Importer {
 public:
  explicit Importer(const onnx::ModelProto& model) : m_model(model) {}

  Graph run() {
    const auto& g = m_model.graph();
    for (const auto& t : g.initializer()) m_constants[t.name()] = readTensor(t);
    for (const auto& in : g.input()) {
      if (m_constants.count(in.name())) continue;
      const std::string what = "model input '" + in.name() + "'";
      const auto& dims = in.type().tensor_type().shape().dim();
      std::vector<std::int64_t> d;
      for (const auto& dim : dims) d.push_back(inputDim(dim, d.empty(), what));
      if (d.empty() || d[0] != 1) throw ModelError(what + ": batch must be 1");
      Shape s;
      if (d.size() == 4)
        s = checkedShape(d[1], d[2], d[3], what);
      else if (d.size() == 2)
        s = checkedShape(d[1], 1, 1, what);
      else
        throw ModelError(what + ": expected [1,C,H,W] or [1,N]");
      m_graph.input = addValue(in.name(), s);
      break;
    }
    if (m_graph.input < 0) throw ModelError("model has no input");
    for (const auto& node : g.node()) addNode(node);
    if (g.output_size() < 1 || !m_values.count(g.output(0).name())) {
      throw ModelError("model output is not produced by any node");
    }
    m_graph.output = m_values.at(g.output(0).name());
    for (const auto& p : m_model.metadata_props()) {
      if (p.key() == "edgejoule.dataset") m_graph.dataset = p.value();
    }
    if (m_graph.layers.empty() || m_graph.output == m_graph.input)
      throw ModelError("model has no layer between its input and its output");
    validateGraph(m_graph);
    return std::move(m_graph);
  }

 private:
  int addValue(const std::string& name, Shape s) {
    m_graph.shapes.push_back(s);
    m_graph.names.push_back(name);
    m_graph.preset.emplace_back();
    const int id = int(m_graph.shapes.size()) - 1;
    m_values[name] = id;
    return id;
  }

  [[noreturn]] void fail(const onnx::NodeProto& n, const std::string& problem) const {
    throw ModelError(fmt::format("node '{}' ({}): {}", nodeName(n), n.op_type(), problem));
  }
  static std::string nodeName(const onnx::NodeProto& n) {
    return n.name().empty() ? (n.output_size() ? n.output(0) : std::string("?")) : n.name();
  }
  int dynamicInput(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size() || !m_values.count(n.input(i))) {
      fail(n, fmt::format("input {} is not a computed tensor", i));
    }
    return m_values.at(n.input(i));
  }
  const Constant* constant(const onnx::NodeProto& n, int i) const {
    if (i >= n.input_size() || n.input(i).empty()) return nullptr;
    auto it = m_constants.find(n.input(i));
    return it == m_constants.end() ? nullptr : &it->second;
  }
  Layer makeLayer(const onnx::NodeProto& n, Op op, std::vector<int> inputs) const {
    Layer l;
    l.op = op;
    l.name = nodeName(n);
    l.inputs = std::move(inputs);
    return l;
  }
  void emit(const onnx::NodeProto& n, Layer l, Shape out) {
    l.output = addValue(n.output(0), out);
    m_graph.layers.push_back(std::move(l));
  }

  void window(const onnx::NodeProto& n, Layer& l, const Shape& in) const {
    if (const auto* d = findAttr(n, "dilations"); d && d->ints_size() != 2)
      fail(n, "dilations: 2 values expected (a 2-D window)");
    if (intAttr(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode=1 is not supported");
    for (auto d : ints(n, "dilations", {1, 1})) {
      if (d != 1) fail(n, "dilations other than 1 are not supported");
    }
    std::vector<int> k, s, p;
    try {
      k = windowInts(findAttr(n, "kernel_shape"), {l.kH, l.kW}, 2, 1, "kernel_shape");
      s = windowInts(findAttr(n, "strides"), {1, 1}, 2, 1, "strides");
      p = windowInts(findAttr(n, "pads"), {0, 0, 0, 0}, 4, 0, "pads");
    } catch (const ModelError& e) {
      fail(n, e.what());
    }
    // Conv: a kernel_shape must agree with the weights (the kernel reads kH x kW of them).
    if (n.op_type() != "MaxPool" && n.op_type() != "AveragePool" &&
        (k[0] != l.kH || k[1] != l.kW)) {
      fail(n, fmt::format("kernel_shape {}x{} disagrees with the weights' {}x{}", k[0], k[1], l.kH,
                          l.kW));
    }
    l.kH = k[0], l.kW = k[1], l.strideH = s[0], l.strideW = s[1];
    l.padT = p[0], l.padL = p[1], l.padB = p[2], l.padR = p[3];
    autoPad(n, l, in);
    if (in.h + l.padT + l.padB < l.kH || in.w + l.padL + l.padR < l.kW)
      fail(n, "window larger than input");
  }
  Shape windowOut(const onnx::NodeProto& n, const Layer& l, const Shape& in, int c) const {
    try {
      return checkedShape(c, (in.h + l.padT + l.padB - l.kH) / l.strideH + 1,
                          (in.w + l.padL + l.padR - l.kW) / l.strideW + 1, "output");
    } catch (const ModelError& e) {
      fail(n, e.what());
    }
  }

  // QDQ (ONNX QuantizeLinear / DequantizeLinear, opset 13): y = saturate(round(x / s) + zp),
  // x = (y - zp) * s, per tensor or per `axis`. A DequantizeLinear of a constant becomes a
  // float constant (weights, biases); on activations both are pass-throughs, and a
  // QuantizeLinear's scale and zero point are kept as the value's preset quantisation.
  void addQdq(const onnx::NodeProto& n, bool quantize) {
    const Constant* scale = constant(n, 1);
    const Constant* zp = constant(n, 2);
    if (!scale || scale->floats.empty()) fail(n, "the scale must be a constant");
    checkQuant(n, *scale, zp);
    if (const Constant* x = constant(n, 0)) {
      if (quantize) fail(n, "quantising a constant is not supported");
      m_constants[n.output(0)] = dequantize(n, *x, *scale, zp, intAttr(n, "axis", 1));
      return;
    }
    const int x = dynamicInput(n, 0);
    if (quantize) presetActivation(n, x, *scale, zp, true);
    m_values[n.output(0)] = x;
  }

  // (q - zp) * s of the integer constant X, per tensor or per element of AXIS.
  Constant dequantize(const onnx::NodeProto& n, const Constant& x, const Constant& scale,
                      const Constant* zp, long axis) const {
    if (x.dataType == onnx::TensorProto::FLOAT)
      fail(n, "the quantised constant must be an integer tensor");
    checkQuant(n, scale, zp);
    Constant out;
    out.dataType = onnx::TensorProto::FLOAT;
    out.dims = x.dims;
    const std::size_t total = x.ints.size();
    std::size_t axisLen = 1, inner = 1;
    if (scale.floats.size() > 1) {
      if (axis < 0) axis += long(x.dims.size());
      if (axis < 0 || std::size_t(axis) >= x.dims.size()) fail(n, "axis out of range");
      axisLen = std::size_t(x.dims[std::size_t(axis)]);
      for (std::size_t i = std::size_t(axis) + 1; i < x.dims.size(); ++i)
        inner *= std::size_t(x.dims[i]);
      if (scale.floats.size() != axisLen || inner == 0)
        fail(n, "one scale per element of the axis expected");
    }
    for (std::size_t i = 0; i < total; ++i) {
      const std::size_t k = axisLen > 1 ? (i / inner) % axisLen : 0;
      const double z = zp ? double(zp->ints.at(zp->ints.size() > 1 ? k : 0)) : 0.0;
      out.floats.push_back(float((double(x.ints[i]) - z) * scale.floats[k]));
    }
    return out;
  }

  // The per-tensor quantisation (SCALE, ZP; uint8 zero points shifted to int8) of activation
  // X. A QuantizeLinear (OVERRIDE) sets it; a QLinear operator's input or output scale only
  // where nothing set it before.
  void presetActivation(const onnx::NodeProto& n, int x, const Constant& scale, const Constant* zp,
                        bool override) {
    checkQuant(n, scale, zp);
    if (scale.floats.size() != 1) fail(n, "per-channel activation quantisation is not supported");
    PresetQuant& q = m_graph.preset[std::size_t(x)];
    if (q.set && !override) return;
    q.set = true;
    q.scale = scale.floats[0];
    q.zeroPoint =
        zp ? int(zp->ints.at(0)) - (zp->dataType == onnx::TensorProto::UINT8 ? 128 : 0) : 0;
  }

  // QLinearConv / QLinearMatMul (ONNX opset 10): integer in, integer out, taken as the float
  // Conv / MatMul of the dequantised weights (w - w_zp) * w_scale (per output channel or per
  // tensor) and bias B * x_scale * w_scale, with the input's and output's scale and zero point
  // kept as their preset quantisation (as for QDQ). Constants are inputs 1-7 (and 8: B).
  void checkQuant(const onnx::NodeProto& n, const Constant& scale, const Constant* zp) const {
    try {
      checkQuantParams(scale, zp, "quantisation");
    } catch (const ModelError& e) {
      fail(n, e.what());
    }
  }
  const Constant& needConstant(const onnx::NodeProto& n, int i, const char* what) const {
    const Constant* c = constant(n, i);
    if (!c) fail(n, fmt::format("{} must be a constant", what));
    return *c;
  }
  void addQLinear(const onnx::NodeProto& n, bool conv) {
    const int x = dynamicInput(n, 0);
    const Constant& xs = needConstant(n, 1, "x_scale");
    const Constant& ws = needConstant(n, 4, "w_scale");
    const Constant& ys = needConstant(n, 6, "y_scale");
    const Constant& w = needConstant(n, 3, conv ? "w" : "b");
    if (xs.floats.size() != 1 || ys.floats.size() != 1)
      fail(n, "per-tensor input and output scales expected");
    presetActivation(n, x, xs, constant(n, 2), false);
    // Conv weights [M, C/g, kH, kW]: one scale per output channel (axis 0); MatMul B [K, N]:
    // one per column (axis 1).
    Constant wf = dequantize(n, w, ws, constant(n, 5), conv ? 0 : 1);
    std::optional<Constant> bias;
    if (w.dims.size() != (conv ? 4u : 2u))
      fail(n, conv ? "w must be a constant [M, C/group, kH, kW]" : "b must be a constant matrix");
    if (conv && n.input_size() > 8 && !n.input(8).empty()) {
      const Constant& b = needConstant(n, 8, "B");
      if (b.dataType != onnx::TensorProto::INT32 || b.ints.size() != std::size_t(w.dims[0]))
        fail(n, "B must hold one value per output channel");
      bias.emplace();
      bias->dataType = onnx::TensorProto::FLOAT;
      bias->dims = b.dims;
      for (std::size_t o = 0; o < b.ints.size(); ++o) {
        bias->floats.push_back(
            float(double(b.ints[o]) * xs.floats[0] * ws.floats[ws.floats.size() > 1 ? o : 0]));
      }
    }
    if (conv) {
      addConv(n, x, wf, bias ? &*bias : nullptr);
    } else {
      addMatMul(n, x, wf, false, 1.0f, 1.0f, nullptr);
    }
    presetActivation(n, m_values.at(n.output(0)), ys, constant(n, 7), true);
  }

  void addConv(const onnx::NodeProto& n, int x, const Constant& w, const Constant* b) {
    const Shape in = m_graph.shapes[x];
    if (w.dims.size() != 4) fail(n, "weights must be a constant [M, C/group, kH, kW]");
    for (const auto d : w.dims) {
      if (d < 1) fail(n, "weights have a dimension below 1");
    }
    if (w.dims[2] > kMaxSpatial || w.dims[3] > kMaxSpatial)
      fail(n, fmt::format("kernel {}x{} is larger than {}", w.dims[2], w.dims[3], kMaxSpatial));
    Layer l = makeLayer(n, Op::Conv, {x});
    const std::int64_t group = intAttr(n, "group", 1);
    if (group < 1 || group > in.c)
      fail(n, fmt::format("group {} is not within 1..{} (the input channels)", group, in.c));
    l.groups = int(group);
    l.kH = int(w.dims[2]), l.kW = int(w.dims[3]);
    window(n, l, in);
    const int outC = int(w.dims[0]);
    if (in.c % l.groups || outC % l.groups || w.dims[1] != in.c / l.groups) {
      fail(n, "weight shape does not match the input channels and group");
    }
    l.weights = w.floats;
    if (b && b->floats.size() != std::size_t(outC))
      fail(n, fmt::format("B holds {} values for {} output channels", b->floats.size(), outC));
    l.bias = b ? b->floats : std::vector<float>(std::size_t(outC), 0.0f);
    const Shape out = windowOut(n, l, in, outC);
    emit(n, std::move(l), out);
  }

  void addMatMul(const onnx::NodeProto& n, int x, const Constant& w, bool transB, float alpha,
                 float beta, const Constant* c) {
    const Shape in = m_graph.shapes[x];
    if (w.dims.size() != 2 || w.dims[0] < 1 || w.dims[1] < 1)
      fail(n, "B must be a constant matrix");
    if (!std::isfinite(alpha) || !std::isfinite(beta)) fail(n, "alpha and beta must be finite");
    const int k = int(transB ? w.dims[1] : w.dims[0]);
    const int outN = int(transB ? w.dims[0] : w.dims[1]);
    if (k != in.size())
      fail(n, fmt::format("B has {} rows, the input has {} values", k, in.size()));
    Layer l = makeLayer(n, Op::Gemm, {x});
    l.weights.resize(std::size_t(k) * outN);
    for (int o = 0; o < outN; ++o) {
      for (int i = 0; i < k; ++i) {
        l.weights[std::size_t(o) * k + i] = alpha * (transB ? w.floats[std::size_t(o) * k + i]
                                                            : w.floats[std::size_t(i) * outN + o]);
      }
    }
    l.bias.assign(std::size_t(outN), 0.0f);
    if (c) {
      if (c->floats.size() != std::size_t(outN)) fail(n, "C must hold one value per output");
      for (int o = 0; o < outN; ++o) l.bias[o] = beta * c->floats[o];
    }
    emit(n, std::move(l), {outN, 1, 1});
  }

  // auto_pad (ONNX Conv/pools, opset 13): SAME_UPPER / SAME_LOWER give each axis the output
  // ceil(in / stride) with total padding max((out - 1) * stride + k - in, 0), the odd one at
  // the end (UPPER, TensorFlow's "same") or at the start (LOWER); VALID no padding.
  void autoPad(const onnx::NodeProto& n, Layer& l, const Shape& in) const {
    const auto* ap = findAttr(n, "auto_pad");
    if (!ap || ap->s() == "NOTSET") return;
    if (findAttr(n, "pads")) fail(n, "auto_pad and pads are exclusive");
    if (ap->s() == "VALID") {
      l.padT = l.padL = l.padB = l.padR = 0;
      return;
    }
    if (ap->s() != "SAME_UPPER" && ap->s() != "SAME_LOWER")
      fail(n, "auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, not " + ap->s());
    const bool upper = ap->s() == "SAME_UPPER";
    auto axis = [&](int size, int k, int stride, int& begin, int& end) {
      const int out = (size + stride - 1) / stride;
      const int total = std::max((out - 1) * stride + k - size, 0);
      begin = upper ? total / 2 : total - total / 2;
      end = total - begin;
    };
    axis(in.h, l.kH, l.strideH, l.padT, l.padB);
    axis(in.w, l.kW, l.strideW, l.padL, l.padR);
  }

  // Add of a computed tensor and a constant that is not a Conv/Gemm bias: a per-channel (or
  // scalar) offset, taken as a depthwise 1x1 Conv with weight 1 and the constant as bias (the
  // same arithmetic; the int8 weight 127 at scale 1/127 is exact).
  void addConstantOffset(const onnx::NodeProto& n, int x, const Constant& c) {
    const Shape in = m_graph.shapes[x];
    std::size_t count = 1;
    for (auto d : c.dims) count *= std::size_t(d);
    if (c.floats.empty() || (count != 1 && count != std::size_t(in.c)))
      fail(n, "a constant added to a tensor must be a bias, a scalar or one value per channel");
    if (count == std::size_t(in.c) && in.c > 1) {
      // Broadcastable to [1, C, H, W] only as [C, 1, 1] (or [1, C, 1, 1]).
      std::vector<std::int64_t> d = c.dims;
      while (!d.empty() && d.front() == 1 && std::int64_t(d.size()) > 3) d.erase(d.begin());
      if (d.size() != 3 || d[0] != in.c || d[1] != 1 || d[2] != 1) {
        if (!(in.h == 1 && in.w == 1))
          fail(n, "a per-channel constant must have the shape [C, 1, 1] or [1, C, 1, 1]");
      }
    }
    Layer l = makeLayer(n, Op::Conv, {x});
    l.groups = in.c;
    l.weights.assign(std::size_t(in.c), 1.0f);
    for (int ch = 0; ch < in.c; ++ch) l.bias.push_back(c.floats[count == 1 ? 0 : std::size_t(ch)]);
    emit(n, std::move(l), in);
  }

  // Add of two computed tensors; the smaller one broadcast (numpy rules on C, H, W; each of
  // its dimensions 1 or the other's). The full-size tensor goes first.
  void addTensors(const onnx::NodeProto& n, int a, int b) {
    const Shape sa = m_graph.shapes[a], sb = m_graph.shapes[b];
    auto covers = [](const Shape& big, const Shape& small) {
      return (small.c == 1 || small.c == big.c) && (small.h == 1 || small.h == big.h) &&
             (small.w == 1 || small.w == big.w);
    };
    if (sa == sb || covers(sa, sb)) {
      emit(n, makeLayer(n, Op::Add, {a, b}), sa);
    } else if (covers(sb, sa)) {
      emit(n, makeLayer(n, Op::Add, {b, a}), sb);
    } else {
      fail(n, fmt::format("shapes [{},{},{}] and [{},{},{}] do not broadcast", sa.c, sa.h, sa.w,
                          sb.c, sb.h, sb.w));
    }
  }

  // QLinearAdd (com.microsoft contrib operator, the QOperator form of Add that onnxruntime's
  // quantiser writes): inputs A, A_scale, A_zero_point, B, B_scale, B_zero_point, C_scale,
  // C_zero_point. Taken as a float Add whose inputs' and output's quantisation are preset.
  void addQLinearAdd(const onnx::NodeProto& n) {
    const int a = dynamicInput(n, 0), b = dynamicInput(n, 3);
    presetActivation(n, a, needConstant(n, 1, "A_scale"), constant(n, 2), false);
    presetActivation(n, b, needConstant(n, 4, "B_scale"), constant(n, 5), false);
    addTensors(n, a, b);
    presetActivation(n, m_values.at(n.output(0)), needConstant(n, 6, "C_scale"), constant(n, 7),
                     true);
  }

  void addNode(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (n.output_size() < 1 || n.output(0).empty()) fail(n, "the node has no output");
    if (n.domain() == "com.microsoft" && op == "QLinearAdd") {
      addQLinearAdd(n);
      return;
    }
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail(n, "operator domain " + n.domain() + " is not supported");
    if (op == "Constant") {
      const auto* a = findAttr(n, "value");
      if (!a) fail(n, "only the `value` form is supported");
      try {
        m_constants[n.output(0)] = readTensor(a->t());
      } catch (const ModelError& e) {
        fail(n, e.what());
      }
      return;
    }
    if (op == "QuantizeLinear" || op == "DequantizeLinear") {
      addQdq(n, op == "QuantizeLinear");
      return;
    }
    if (op == "Identity" || op == "Dropout") {
      m_values[n.output(0)] = dynamicInput(n, 0);
      return;
    }
    if (op == "Conv") {
      const int x = dynamicInput(n, 0);
      const Constant* w = constant(n, 1);
      if (!w || w->floats.empty()) fail(n, "weights must be a constant [M, C/group, kH, kW]");
      addConv(n, x, *w, constant(n, 2));
      return;
    }
    if (op == "Gemm" || op == "MatMul") {
      const int x = dynamicInput(n, 0);
      const Constant* w = constant(n, 1);
      if (!w || w->floats.empty()) fail(n, "B must be a constant matrix");
      if (op == "Gemm" && intAttr(n, "transA", 0) != 0) fail(n, "transA=1 is not supported");
      addMatMul(n, x, *w, op == "Gemm" && intAttr(n, "transB", 0) != 0,
                op == "Gemm" ? floatAttr(n, "alpha", 1.0f) : 1.0f,
                op == "Gemm" ? floatAttr(n, "beta", 1.0f) : 1.0f, constant(n, 2));
      return;
    }
    if (op == "QLinearConv" || op == "QLinearMatMul") {
      addQLinear(n, op == "QLinearConv");
      return;
    }
    if (op == "Add") {
      const Constant* c0 = constant(n, 0);
      const Constant* c1 = constant(n, 1);
      if (c0 && c1) fail(n, "both inputs are constants");
      if (c0 || c1) {
        // A constant bias after Conv/Gemm/MatMul folds into the producer's bias.
        const int x = dynamicInput(n, c0 ? 1 : 0);
        const Constant* c = c0 ? c0 : c1;
        auto producer = std::find_if(m_graph.layers.begin(), m_graph.layers.end(),
                                     [&](const Layer& l) { return l.output == x; });
        const bool bias = producer != m_graph.layers.end() &&
                          (producer->op == Op::Gemm || producer->op == Op::Conv) &&
                          c->floats.size() == producer->bias.size() &&
                          producer->actMin == -std::numeric_limits<float>::infinity() &&
                          producer->actMax == std::numeric_limits<float>::infinity();
        if (!bias) {
          addConstantOffset(n, x, *c);
          return;
        }
        for (std::size_t i = 0; i < c->floats.size(); ++i) producer->bias[i] += c->floats[i];
        m_values[n.output(0)] = x;
        return;
      }
      addTensors(n, dynamicInput(n, 0), dynamicInput(n, 1));
      return;
    }
    if (op == "Relu" || op == "Clip") {
      const int x = dynamicInput(n, 0);
      Layer l = makeLayer(n, Op::Clamp, {x});
      if (op == "Relu") {
        l.actMin = 0.0f;
      } else {
        l.actMin = floatAttr(n, "min", l.actMin);
        l.actMax = floatAttr(n, "max", l.actMax);
        for (int i : {1, 2}) {
          const Constant* bound = constant(n, i);
          if (!bound) continue;
          if (bound->floats.size() != 1) fail(n, "min and max must be float scalars");
          (i == 1 ? l.actMin : l.actMax) = bound->floats[0];
        }
        if (std::isnan(l.actMin) || std::isnan(l.actMax) || l.actMin > l.actMax)
          fail(n, fmt::format("min {} is above max {}", l.actMin, l.actMax));
      }
      emit(n, std::move(l), m_graph.shapes[x]);
      return;
    }
    if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") {
      const int x = dynamicInput(n, 0);
      const Shape in = m_graph.shapes[x];
      Layer l = makeLayer(n, op == "MaxPool" ? Op::MaxPool : Op::AvgPool, {x});
      if (op == "GlobalAveragePool") {
        l.kH = in.h, l.kW = in.w;
      } else {
        if (n.output_size() > 1 && !n.output(1).empty())
          fail(n, "the Indices output is not supported");
        if (op == "AveragePool" && intAttr(n, "count_include_pad", 0) != 0) {
          fail(n, "count_include_pad=1 is not supported");
        }
        window(n, l, in);
      }
      const Shape out = windowOut(n, l, in, in.c);
      emit(n, std::move(l), out);
      return;
    }
    if (op == "Flatten" || op == "Reshape") {
      const int x = dynamicInput(n, 0);
      const Shape in = m_graph.shapes[x];
      Shape out{in.size(), 1, 1};
      if (op == "Flatten" && intAttr(n, "axis", 1) != 1) fail(n, "only axis=1 is supported");
      if (op == "Reshape") {
        const Constant* s = constant(n, 1);
        if (!s || s->dataType != onnx::TensorProto::INT64)
          fail(n, "the shape must be an int64 constant");
        out = reshapeTarget(n, s->ints, in);
        if (out.size() != in.size()) fail(n, "the target shape does not hold the input's size");
      }
      emit(n, makeLayer(n, Op::Reshape, {x}), out);
      return;
    }
    if (op == "Softmax") {
      const int x = dynamicInput(n, 0);
      const Shape in = m_graph.shapes[x];
      const auto axis = intAttr(n, "axis", -1);
      if (in.h != 1 || in.w != 1 || (axis != -1 && axis != 1))
        fail(n, "only a softmax over a vector is supported");
      emit(n, makeLayer(n, Op::Softmax, {x}), in);
      return;
    }
    fail(n, "unsupported operator");
  }

  // Reshape's target (ONNX Reshape, allowzero = 0): a 0 copies the input's dimension (of
  // [1, C, H, W]), one -1 takes what is left; [1, N] or [1, C, H, W].
  Shape reshapeTarget(const onnx::NodeProto& n, std::vector<std::int64_t> d,
                      const Shape& in) const {
    if (d.size() != 2 && d.size() != 4) fail(n, "only [1,N] or [1,C,H,W] targets are supported");
    const std::int64_t inDims[4] = {1, in.c, in.h, in.w};
    std::int64_t known = 1;
    int unknown = -1;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (d[i] == 0) d[i] = inDims[i];
      if (d[i] == -1) {
        if (unknown >= 0) fail(n, "the target shape has more than one -1");
        unknown = int(i);
      } else if (d[i] < 1) {
        fail(n, fmt::format("target dimension {} is {}", i, d[i]));
      } else if (__builtin_mul_overflow(known, d[i], &known) || known > kMaxTensorElements) {
        fail(n, "the target shape holds more than the input");
      }
    }
    if (unknown >= 0) {
      if (in.size() % known) fail(n, "the target shape does not divide the input's size");
      d[std::size_t(unknown)] = in.size() / known;
    }
    if (d[0] != 1) fail(n, "the batch dimension must stay 1");
    try {
      return d.size() == 4 ? checkedShape(d[1], d[2], d[3], "target")
                           : checkedShape(d[1], 1, 1, "target");
    } catch (const ModelError& e) {
      fail(n, e.what());
    }
  }

  const onnx::ModelProto& m_model;
  Graph m_graph;
  std::map<std::string, Constant> m_constants;
  std::map<std::string, int> m_values;
};

}  // namespace

Graph importOnnx(const onnx::ModelProto& model) { return Importer(model).run(); }

Graph importOnnxBytes(const std::string& bytes) {
  // libprotobuf logs problems to stderr itself ("[libprotobuf ERROR ...]") and throws
  // FatalException on a failed internal check: keep the first message to name the problem
  // in our error instead of printing it.
  static thread_local std::string protobufMessage;
  static const bool handlerSet = [] {
    google::protobuf::SetLogHandler(
        [](google::protobuf::LogLevel, const char*, int, const std::string& message) {
          if (protobufMessage.empty()) protobufMessage = message.substr(0, 200);
        });
    return true;
  }();
  (void)handlerSet;
  protobufMessage.clear();
  onnx::ModelProto model;
  bool parsed = false;
  try {
    parsed = model.ParseFromString(bytes);
  } catch (const std::exception&) {
    parsed = false;
  }
  if (!parsed) {
    throw ModelError("not an ONNX model" +
                     (protobufMessage.empty() ? "" : " (" + protobufMessage + ")"));
  }
  try {
    return importOnnx(model);
  } catch (const ModelError&) {
    throw;
  } catch (const std::exception& e) {
    // A check inside libprotobuf (FatalException) or the standard library: still one line.
    throw ModelError(fmt::format("malformed model ({})", std::string(e.what()).substr(0, 200)));
  }
}

}  // namespace ej::nn
