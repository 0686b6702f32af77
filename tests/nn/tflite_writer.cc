// A Graph as a TensorFlow Lite model, with flatc's code for tests/nn/tflite_subset.fbs.
#include "tests/nn/tflite_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "tflite_subset_generated.h"

namespace ej::nn::testing {
namespace {

namespace tfl = tflite_subset;

class Writer {
 public:
  Writer(const Graph& g, const std::optional<std::vector<QParams>>& act, const WriteOptions& opt)
      : m_g(g), m_act(act), m_opt(opt), m_tensor(g.shapes.size(), -1), m_hwc(g.shapes.size()) {
    m_model.version = 3;
    m_model.description = "edgejoule tests/nn/tflite_writer";
    m_model.buffers.push_back(std::make_unique<tfl::BufferT>());  // buffer 0: none
    m_sub = std::make_unique<tfl::SubGraphT>();
  }

  WrittenModel write() {
    const int extraOperator = m_opt.extraOperator;
    WrittenModel out;
    m_sub->inputs = {valueTensor(m_g.input)};
    if (m_opt.floatIo && int8()) {
      const int f = addTensor(dims(m_g.input), tfl::TensorType_FLOAT32, {}, "input_float", nullptr);
      unary(tfl::BuiltinOperator_QUANTIZE, f, valueTensor(m_g.input));
      m_sub->inputs = {f};
    }
    for (const Layer& l : m_g.layers) out.layers.push_back(layer(l));
    int result = valueTensor(m_g.output);
    if (m_opt.floatIo && int8()) {
      const int f =
          addTensor(dims(m_g.output), tfl::TensorType_FLOAT32, {}, "output_float", nullptr);
      unary(tfl::BuiltinOperator_DEQUANTIZE, result, f);
      result = f;
    }
    if (extraOperator >= 0) {
      auto t = tensorLike(m_g.output, "extra");
      auto op = std::make_unique<tfl::OperatorT>();
      op->opcode_index = opcode(tfl::BuiltinOperator(extraOperator));
      op->inputs = {result};
      op->outputs = {t};
      m_sub->operators.push_back(std::move(op));
      result = t;
    }
    m_sub->outputs = {result};
    m_model.subgraphs.push_back(std::move(m_sub));
    flatbuffers::FlatBufferBuilder fbb;
    fbb.Finish(tfl::Model::Pack(fbb, &m_model), tfl::ModelIdentifier());
    out.bytes.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
    return out;
  }

 private:
  void unary(tfl::BuiltinOperator code, int in, int out) {
    auto op = std::make_unique<tfl::OperatorT>();
    op->opcode_index = opcode(code);
    op->inputs = {in};
    op->outputs = {out};
    m_sub->operators.push_back(std::move(op));
  }
  bool int8() const { return m_act.has_value(); }
  const QParams& q(int v) const { return (*m_act)[std::size_t(v)]; }

  std::vector<int> dims(int v) const {
    const Shape& s = m_g.shapes[std::size_t(v)];
    if (s.h == 1 && s.w == 1 && m_vector[std::size_t(v)]) return {1, s.c};
    return {1, s.h, s.w, s.c};
  }

  int addTensor(std::vector<int> shape, tfl::TensorType type, std::vector<std::uint8_t> data,
                const std::string& name, std::unique_ptr<tfl::QuantizationParametersT> quant) {
    auto t = std::make_unique<tfl::TensorT>();
    t->shape = std::move(shape);
    t->type = type;
    t->name = name;
    t->quantization = std::move(quant);
    if (!data.empty()) {
      auto b = std::make_unique<tfl::BufferT>();
      b->data = std::move(data);
      t->buffer = std::uint32_t(m_model.buffers.size());
      m_model.buffers.push_back(std::move(b));
    }
    m_sub->tensors.push_back(std::move(t));
    return int(m_sub->tensors.size()) - 1;
  }
  static std::unique_ptr<tfl::QuantizationParametersT> quant(std::vector<float> scales,
                                                             std::vector<std::int64_t> zps,
                                                             int dim = 0) {
    auto p = std::make_unique<tfl::QuantizationParametersT>();
    p->scale = std::move(scales);
    p->zero_point = std::move(zps);
    p->quantized_dimension = dim;
    return p;
  }
  int valueTensor(int v) {
    if (m_tensor[std::size_t(v)] >= 0) return m_tensor[std::size_t(v)];
    m_tensor[std::size_t(v)] = tensorLike(v, m_g.names[std::size_t(v)]);
    return m_tensor[std::size_t(v)];
  }
  int tensorLike(int v, const std::string& name) {
    if (!int8()) return addTensor(dims(v), tfl::TensorType_FLOAT32, {}, name, nullptr);
    if (m_opt.uint8)
      return addTensor(dims(v), tfl::TensorType_UINT8, {}, name,
                       quant({float(q(v).scale)}, {q(v).zeroPoint + 128}));
    return addTensor(dims(v), tfl::TensorType_INT8, {}, name,
                     quant({float(q(v).scale)}, {q(v).zeroPoint}));
  }
  template <typename T>
  static std::vector<std::uint8_t> bytesOf(const std::vector<T>& v) {
    std::vector<std::uint8_t> b(v.size() * sizeof(T));
    std::memcpy(b.data(), v.data(), b.size());
    return b;
  }

  std::uint32_t opcode(tfl::BuiltinOperator code) {
    for (std::size_t i = 0; i < m_model.operator_codes.size(); ++i) {
      if (m_model.operator_codes[i]->builtin_code == code) return std::uint32_t(i);
    }
    auto c = std::make_unique<tfl::OperatorCodeT>();
    c->builtin_code = code;
    m_model.operator_codes.push_back(std::move(c));
    return std::uint32_t(m_model.operator_codes.size() - 1);
  }

  static tfl::ActivationFunctionType activation(const Layer& l) {
    const float inf = std::numeric_limits<float>::infinity();
    if (l.actMin == -inf && l.actMax == inf) return tfl::ActivationFunctionType_NONE;
    if (l.actMin == 0.0f && l.actMax == inf) return tfl::ActivationFunctionType_RELU;
    if (l.actMin == 0.0f && l.actMax == 6.0f) return tfl::ActivationFunctionType_RELU6;
    throw std::invalid_argument(l.name + ": activation other than ReLU or ReLU6");
  }
  // TensorFlow Lite's SAME (the odd pixel at the end) or VALID.
  static tfl::Padding padding(const Layer& l, const Shape& in) {
    if (!l.padT && !l.padL && !l.padB && !l.padR) return tfl::Padding_VALID;
    auto same = [](int size, int k, int s, int begin, int end) {
      const int out = (size + s - 1) / s;
      const int total = std::max((out - 1) * s + k - size, 0);
      return begin == total / 2 && end == total - total / 2;
    };
    if (same(in.h, l.kH, l.strideH, l.padT, l.padB) && same(in.w, l.kW, l.strideW, l.padL, l.padR))
      return tfl::Padding_SAME;
    throw std::invalid_argument(l.name + ": pads are neither SAME nor VALID");
  }

  // The weights of output channel o, int8 at scale max|w|/127 (float32, as the file stores it).
  WrittenLayer quantiseWeights(const Layer& l, int outC, double inScale) const {
    WrittenLayer w;
    const std::size_t per = l.weights.size() / std::size_t(outC);
    w.weights.resize(l.weights.size());
    float all = 0;  // uint8: one scale for the tensor
    for (float v : l.weights) all = std::max(all, std::fabs(v));
    for (int o = 0; o < outC; ++o) {
      float m = 0;
      for (std::size_t i = 0; i < per; ++i) m = std::max(m, std::fabs(l.weights[o * per + i]));
      if (m_opt.uint8) m = all;
      const float s = m > 0 ? float(double(m) / 127.0) : 1.0f;
      w.weightScales.push_back(s);
      for (std::size_t i = 0; i < per; ++i) {
        w.weights[o * per + i] = std::int8_t(
            std::clamp(std::lround(double(l.weights[o * per + i]) / double(s)), -127L, 127L));
      }
      w.bias.push_back(
          std::int32_t(std::lround(double(l.bias[std::size_t(o)]) / (inScale * double(s)))));
    }
    return w;
  }

  // Weights (Graph layout [out][per]) written in the order ORDER gives: element j of the
  // file's tensor is the Graph's element order(j).
  template <typename F>
  int weightTensor(const Layer& l, const WrittenLayer& w, int outC, std::vector<int> shape,
                   int quantDim, F order) {
    const std::size_t n = l.weights.size();
    if (!int8()) {
      std::vector<float> v(n);
      for (std::size_t j = 0; j < n; ++j) v[j] = l.weights[order(j)];
      return addTensor(shape, tfl::TensorType_FLOAT32, bytesOf(v), l.name + "_w", nullptr);
    }
    if (m_opt.uint8) {
      std::vector<std::uint8_t> u(n);
      for (std::size_t j = 0; j < n; ++j) u[j] = std::uint8_t(w.weights[order(j)] + 128);
      return addTensor(shape, tfl::TensorType_UINT8, u, l.name + "_w",
                       quant({w.weightScales[0]}, {128}));
    }
    std::vector<std::int8_t> v(n);
    for (std::size_t j = 0; j < n; ++j) v[j] = w.weights[order(j)];
    return addTensor(
        shape, tfl::TensorType_INT8, bytesOf(v), l.name + "_w",
        quant(w.weightScales, std::vector<std::int64_t>(std::size_t(outC), 0), quantDim));
  }
  int biasTensor(const Layer& l, const WrittenLayer& w, double inScale) {
    if (!int8())
      return addTensor({int(l.bias.size())}, tfl::TensorType_FLOAT32, bytesOf(l.bias),
                       l.name + "_b", nullptr);
    std::vector<float> scales;
    for (float s : w.weightScales) scales.push_back(float(inScale * double(s)));
    if (m_opt.uint8) scales.resize(1);
    return addTensor({int(l.bias.size())}, tfl::TensorType_INT32, bytesOf(w.bias), l.name + "_b",
                     quant(scales, std::vector<std::int64_t>(scales.size(), 0)));
  }

  WrittenLayer layer(const Layer& l) {
    const int x = l.inputs[0];
    const Shape in = m_g.shapes[std::size_t(x)];
    const Shape out = m_g.shapes[std::size_t(l.output)];
    auto op = std::make_unique<tfl::OperatorT>();
    WrittenLayer written;
    const double inScale = int8() ? q(x).scale : 1.0;
    switch (l.op) {
      case Op::Conv: {
        const int outC = out.c, k = l.kH * l.kW;
        if (int8()) written = quantiseWeights(l, outC, inScale);
        const int w = [&] {
          if (l.groups == 1) {
            // [O][I][kH][kW] -> TensorFlow Lite's [O, kH, kW, I].
            return weightTensor(l, written, outC, {outC, l.kH, l.kW, in.c}, 0, [&](std::size_t j) {
              const std::size_t i = j % std::size_t(in.c), p = (j / std::size_t(in.c)) % k,
                                o = j / (std::size_t(in.c) * k);
              return (o * std::size_t(in.c) + i) * std::size_t(k) + p;
            });
          }
          if (l.groups != in.c) throw std::invalid_argument(l.name + ": grouped, not depthwise");
          // [C*M][1][kH][kW] -> [1, kH, kW, C*M].
          return weightTensor(l, written, outC, {1, l.kH, l.kW, outC}, 3, [&](std::size_t j) {
            const std::size_t o = j % std::size_t(outC), p = j / std::size_t(outC);
            return o * std::size_t(k) + p;
          });
        }();
        op->inputs = {valueTensor(x), w, biasTensor(l, written, inScale)};
        if (l.groups == 1) {
          tfl::Conv2DOptionsT o;
          o.padding = padding(l, in), o.stride_w = l.strideW, o.stride_h = l.strideH;
          o.fused_activation_function = activation(l);
          op->builtin_options.Set(o);
          op->opcode_index = opcode(tfl::BuiltinOperator_CONV_2D);
        } else {
          tfl::DepthwiseConv2DOptionsT o;
          o.padding = padding(l, in), o.stride_w = l.strideW, o.stride_h = l.strideH;
          o.depth_multiplier = outC / in.c;
          o.fused_activation_function = activation(l);
          op->builtin_options.Set(o);
          op->opcode_index = opcode(tfl::BuiltinOperator_DEPTHWISE_CONV_2D);
        }
        break;
      }
      case Op::Gemm: {
        const int outN = out.c, k = in.size();
        if (int8()) written = quantiseWeights(l, outN, inScale);
        // The input in TensorFlow Lite's order: a [1,H,W,C] map (or one flattened by RESHAPE)
        // is read in (H, W, C) order; the Graph's columns are in (C, H, W) order.
        const Shape hwc = m_hwc[std::size_t(x)] ? *m_hwc[std::size_t(x)] : in;
        const std::size_t hw = std::size_t(hwc.h) * hwc.w, c = std::size_t(hwc.c);
        const int w = weightTensor(l, written, outN, {outN, k}, 0, [&](std::size_t j) {
          const std::size_t o = j / std::size_t(k), col = j % std::size_t(k);
          const std::size_t p = col / c, ch = col % c;
          return o * std::size_t(k) + ch * hw + p;
        });
        op->inputs = {valueTensor(x), w, biasTensor(l, written, inScale)};
        tfl::FullyConnectedOptionsT o;
        o.fused_activation_function = activation(l);
        op->builtin_options.Set(o);
        op->opcode_index = opcode(tfl::BuiltinOperator_FULLY_CONNECTED);
        break;
      }
      case Op::Add: {
        op->inputs = {valueTensor(l.inputs[0]), valueTensor(l.inputs[1])};
        tfl::AddOptionsT o;
        o.fused_activation_function = activation(l);
        op->builtin_options.Set(o);
        op->opcode_index = opcode(tfl::BuiltinOperator_ADD);
        break;
      }
      case Op::MaxPool:
      case Op::AvgPool: {
        // TensorFlow Lite's pools (and Arm NN's check of them) keep their input's scale.
        if (int8()) (*m_act)[std::size_t(l.output)] = q(x);
        if (m_opt.meanForGlobalPool && l.op == Op::AvgPool && l.kH == in.h && l.kW == in.w &&
            !l.padT && !l.padL && !l.padB && !l.padR) {
          const std::vector<std::int32_t> axes = {1, 2};
          op->inputs = {valueTensor(x), addTensor({2}, tfl::TensorType_INT32, bytesOf(axes),
                                                  l.name + "_axes", nullptr)};
          tfl::ReducerOptionsT o;
          o.keep_dims = true;
          op->builtin_options.Set(o);
          op->opcode_index = opcode(tfl::BuiltinOperator_MEAN);
          break;
        }
        op->inputs = {valueTensor(x)};
        tfl::Pool2DOptionsT o;
        o.padding = padding(l, in), o.stride_w = l.strideW, o.stride_h = l.strideH;
        o.filter_width = l.kW, o.filter_height = l.kH;
        o.fused_activation_function = activation(l);
        op->builtin_options.Set(o);
        op->opcode_index = opcode(l.op == Op::MaxPool ? tfl::BuiltinOperator_MAX_POOL_2D
                                                      : tfl::BuiltinOperator_AVERAGE_POOL_2D);
        break;
      }
      case Op::Clamp: {
        op->inputs = {valueTensor(x)};
        op->opcode_index =
            opcode(activation(l) == tfl::ActivationFunctionType_RELU6 ? tfl::BuiltinOperator_RELU6
                                                                      : tfl::BuiltinOperator_RELU);
        break;
      }
      case Op::Reshape: {
        // A flattening: the file's order is (H, W, C) where C > 1 and H W > 1.
        m_vector[std::size_t(l.output)] = true;
        if (in.c > 1 && in.h * in.w > 1) m_hwc[std::size_t(l.output)] = in;
        op->inputs = {valueTensor(x)};
        tfl::ReshapeOptionsT o;
        o.new_shape = dims(l.output);
        op->builtin_options.Set(o);
        op->opcode_index = opcode(tfl::BuiltinOperator_RESHAPE);
        if (int8()) (*m_act)[std::size_t(l.output)] = q(x);  // a reshape keeps the scale
        break;
      }
      case Op::Softmax: {
        op->inputs = {valueTensor(x)};
        tfl::SoftmaxOptionsT o;
        o.beta = 1.0f;
        op->builtin_options.Set(o);
        op->opcode_index = opcode(tfl::BuiltinOperator_SOFTMAX);
        break;
      }
    }
    if (l.op == Op::Gemm || l.op == Op::Softmax) m_vector[std::size_t(l.output)] = true;
    op->outputs = {valueTensor(l.output)};
    m_sub->operators.push_back(std::move(op));
    return written;
  }

  const Graph& m_g;
  std::optional<std::vector<QParams>> m_act;
  WriteOptions m_opt;
  std::vector<int> m_tensor;                // per value: its tensor, or -1
  std::vector<std::optional<Shape>> m_hwc;  // per value: the map a flattening came from
  std::vector<bool> m_vector = std::vector<bool>(m_g.shapes.size(), false);  // written [1, N]
  tfl::ModelT m_model;
  std::unique_ptr<tfl::SubGraphT> m_sub;
};

}  // namespace

WrittenModel writeTflite(const Graph& graph, const std::optional<std::vector<QParams>>& activations,
                         int extraOperator) {
  WriteOptions o;
  o.extraOperator = extraOperator;
  return writeTflite(graph, activations, o);
}

WrittenModel writeTflite(const Graph& graph, const std::optional<std::vector<QParams>>& activations,
                         const WriteOptions& options) {
  return Writer(graph, activations, options).write();
}

}  // namespace ej::nn::testing
