// ONNX -> Graph (ONNX operator specification, opset 13: https://onnx.ai/onnx/operators/).
#include "sim/nn/onnx_import.h"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
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

Constant readTensor(const onnx::TensorProto& t) {
  Constant c;
  c.dataType = t.data_type();
  c.dims.assign(t.dims().begin(), t.dims().end());
  std::size_t n = 1;
  for (auto d : c.dims) n *= std::size_t(d);
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    if (!t.raw_data().empty()) {
      c.floats.resize(t.raw_data().size() / 4);
      std::memcpy(c.floats.data(), t.raw_data().data(), c.floats.size() * 4);
    } else {
      c.floats.assign(t.float_data().begin(), t.float_data().end());
    }
    if (c.floats.size() != n) throw ModelError(fmt::format("tensor '{}': wrong size", t.name()));
  } else if (t.data_type() == onnx::TensorProto::INT64) {
    if (!t.raw_data().empty()) {
      c.ints.resize(t.raw_data().size() / 8);
      std::memcpy(c.ints.data(), t.raw_data().data(), c.ints.size() * 8);
    } else {
      c.ints.assign(t.int64_data().begin(), t.int64_data().end());
    }
  } else if (t.data_type() == onnx::TensorProto::INT8 ||
             t.data_type() == onnx::TensorProto::UINT8 ||
             t.data_type() == onnx::TensorProto::INT32) {
    // QDQ constants (weights, zero points, int32 biases).
    if (!t.raw_data().empty()) {
      const std::string& raw = t.raw_data();
      for (std::size_t i = 0; i < n; ++i) {
        if (t.data_type() == onnx::TensorProto::INT8)
          c.ints.push_back(static_cast<std::int8_t>(raw.at(i)));
        else if (t.data_type() == onnx::TensorProto::UINT8)
          c.ints.push_back(static_cast<std::uint8_t>(raw.at(i)));
        else {
          std::int32_t v;
          std::memcpy(&v, raw.data() + 4 * i, 4);
          c.ints.push_back(v);
        }
      }
    } else {
      c.ints.assign(t.int32_data().begin(), t.int32_data().end());
    }
    if (c.ints.size() != n) throw ModelError(fmt::format("tensor '{}': wrong size", t.name()));
  } else {
    throw ModelError(
        fmt::format("tensor '{}': data type {} is not supported (float32, and int8/"
                    "uint8/int32 in QDQ models)",
                    t.name(), t.data_type()));
  }
  return c;
}

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
      const auto& dims = in.type().tensor_type().shape().dim();
      std::vector<int> d;
      for (const auto& dim : dims) d.push_back(dim.has_dim_value() ? int(dim.dim_value()) : 1);
      if (d.empty() || d[0] != 1)
        throw ModelError("model input '" + in.name() + "': batch must be 1");
      Shape s;
      if (d.size() == 4)
        s = {d[1], d[2], d[3]};
      else if (d.size() == 2)
        s = {d[1], 1, 1};
      else
        throw ModelError("model input '" + in.name() + "': expected [1,C,H,W] or [1,N]");
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
    if (intAttr(n, "ceil_mode", 0) != 0) fail(n, "ceil_mode=1 is not supported");
    for (auto d : ints(n, "dilations", {1, 1})) {
      if (d != 1) fail(n, "dilations other than 1 are not supported");
    }
    const auto k = ints(n, "kernel_shape", {l.kH, l.kW});
    const auto s = ints(n, "strides", {1, 1});
    const auto p = ints(n, "pads", {0, 0, 0, 0});
    if (k.size() != 2 || s.size() != 2 || p.size() != 4) fail(n, "only 2-D windows are supported");
    l.kH = int(k[0]), l.kW = int(k[1]), l.strideH = int(s[0]), l.strideW = int(s[1]);
    l.padT = int(p[0]), l.padL = int(p[1]), l.padB = int(p[2]), l.padR = int(p[3]);
    autoPad(n, l, in);
    if (in.h + l.padT + l.padB < l.kH || in.w + l.padL + l.padR < l.kW)
      fail(n, "window larger than input");
  }
  static Shape windowOut(const Layer& l, const Shape& in, int c) {
    return {c, (in.h + l.padT + l.padB - l.kH) / l.strideH + 1,
            (in.w + l.padL + l.padR - l.kW) / l.strideW + 1};
  }

  // QDQ (ONNX QuantizeLinear / DequantizeLinear, opset 13): y = saturate(round(x / s) + zp),
  // x = (y - zp) * s, per tensor or per `axis`. A DequantizeLinear of a constant becomes a
  // float constant (weights, biases); on activations both are pass-throughs, and a
  // QuantizeLinear's scale and zero point are kept as the value's preset quantisation.
  void addQdq(const onnx::NodeProto& n, bool quantize) {
    const Constant* scale = constant(n, 1);
    const Constant* zp = constant(n, 2);
    if (!scale || scale->floats.empty()) fail(n, "the scale must be a constant");
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
      if (scale.floats.size() != axisLen) fail(n, "one scale per element of the axis expected");
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
    if (conv && n.input_size() > 8 && !n.input(8).empty()) {
      const Constant& b = needConstant(n, 8, "B");
      if (b.ints.size() != std::size_t(w.dims.at(0)))
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
    Layer l = makeLayer(n, Op::Conv, {x});
    l.groups = int(intAttr(n, "group", 1));
    l.kH = int(w.dims[2]), l.kW = int(w.dims[3]);
    window(n, l, in);
    const int outC = int(w.dims[0]);
    if (in.c % l.groups || outC % l.groups || w.dims[1] != in.c / l.groups) {
      fail(n, "weight shape does not match the input channels and group");
    }
    l.weights = w.floats;
    l.bias = b ? b->floats : std::vector<float>(std::size_t(outC), 0.0f);
    const Shape out = windowOut(l, in, outC);
    emit(n, std::move(l), out);
  }

  void addMatMul(const onnx::NodeProto& n, int x, const Constant& w, bool transB, float alpha,
                 float beta, const Constant* c) {
    const Shape in = m_graph.shapes[x];
    if (w.dims.size() != 2) fail(n, "B must be a constant matrix");
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
    if (n.domain() == "com.microsoft" && op == "QLinearAdd") {
      addQLinearAdd(n);
      return;
    }
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail(n, "operator domain " + n.domain() + " is not supported");
    if (op == "Constant") {
      const auto* a = findAttr(n, "value");
      if (!a) fail(n, "only the `value` form is supported");
      m_constants[n.output(0)] = readTensor(a->t());
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
        if (const Constant* lo = constant(n, 1)) l.actMin = lo->floats.at(0);
        if (const Constant* hi = constant(n, 2)) l.actMax = hi->floats.at(0);
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
      const Shape out = windowOut(l, in, in.c);
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
        if (!s) fail(n, "the shape must be a constant");
        std::vector<std::int64_t> d = s->ints;
        std::int64_t known = 1;
        int unknown = -1;
        for (std::size_t i = 0; i < d.size(); ++i) {
          if (d[i] == 0 && i == 0) d[i] = 1;
          if (d[i] == -1)
            unknown = int(i);
          else
            known *= d[i];
        }
        if (unknown >= 0) d[std::size_t(unknown)] = in.size() / known;
        if (d.empty() || d[0] != 1) fail(n, "the batch dimension must stay 1");
        if (d.size() == 4)
          out = {int(d[1]), int(d[2]), int(d[3])};
        else if (d.size() != 2)
          fail(n, "only [1,N] or [1,C,H,W] targets are supported");
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

  const onnx::ModelProto& m_model;
  Graph m_graph;
  std::map<std::string, Constant> m_constants;
  std::map<std::string, int> m_values;
};

}  // namespace

Graph importOnnx(const onnx::ModelProto& model) { return Importer(model).run(); }

Graph importOnnx(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ModelError(file.string() + ": cannot open the model");
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in)) throw ModelError(file.string() + ": not an ONNX model");
  try {
    return importOnnx(model);
  } catch (const ModelError& e) {
    throw ModelError(file.string() + ": " + e.what());
  }
}

}  // namespace ej::nn
