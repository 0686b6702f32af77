// The TensorFlow Lite reader, a plugin (libedgejoule-tflite.so) that tflite_import.cc loads
// at the first .tflite: Debian's Arm NN TfLite parser (Arm NN 20.08) turns the flatbuffer into
// an armnn::INetwork, whose layers (with their descriptors and constant tensors) a visitor
// maps onto a Graph; see README.md.
#include "sim/nn/tflite_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <armnn/Descriptors.hpp>
#include <armnn/Exceptions.hpp>
#include <armnn/INetwork.hpp>
#include <armnn/LayerVisitorBase.hpp>
#include <armnn/TypesUtils.hpp>
#include <armnnTfLiteParser/ITfLiteParser.hpp>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>

namespace ej::nn {
namespace {

// "TYPE:SUBGRAPH:OPERATOR" (how Arm NN's parser names the layer it makes for an operator;
// "Activation:SIGMOID:0:4" for an activation, "Reshape_for:FullyConnected:0:3" for a layer it
// adds for one) as "operator OPERATOR (TYPE)", TYPE the name before the two numbers.
std::string operatorLabel(const std::string& layerName) {
  static const std::regex named(R"(^(?:.*:)?([A-Za-z0-9_]+):(\d+):(\d+)$)");
  std::smatch m;
  if (std::regex_match(layerName, m, named)) {
    return fmt::format("operator {} ({})", m[3].str(), m[1].str());
  }
  return fmt::format("layer '{}'", layerName);
}

bool quantisedType(armnn::DataType t) {
  return t == armnn::DataType::QAsymmS8 || t == armnn::DataType::QAsymmU8 ||
         t == armnn::DataType::QSymmS8;
}

// The Graph shape of an Arm NN tensor shape of TensorFlow Lite's layout: [1, H, W, C] is
// {C, H, W}; [1, N], [N] (or any shape that is 1 but for its last dimension) a vector.
std::optional<Shape> graphShape(const armnn::TensorShape& s, std::string& problem) {
  const unsigned rank = s.GetNumDimensions();
  std::int64_t leading = 1;  // saturated: a dimension is a 32-bit number
  for (unsigned i = 0; i + 1 < rank; ++i)
    leading = std::min(leading * s[i], kMaxTensorElements + 1);
  try {
    if (rank >= 1 && leading == 1) return checkedShape(s[rank - 1], 1, 1, "tensor");
    if (rank == 4 && s[0] == 1) return checkedShape(s[3], s[1], s[2], "tensor");
  } catch (const ModelError& e) {
    problem = e.what();
    return std::nullopt;
  }
  std::string dims;
  for (unsigned i = 0; i < rank; ++i) dims += (i ? "," : "") + std::to_string(s[i]);
  problem = fmt::format("tensor shape [{}] is not supported (a [1,H,W,C] map or a vector)", dims);
  return std::nullopt;
}

// The layer visitor: one Graph value per Arm NN output slot, one Graph layer per supported
// Arm NN layer. Network::Accept visits the layers in the order the parser added them, which
// is not always one in which a layer's inputs come first (seen on the FC autoencoder: the
// first fully connected layer came before what feeds it): a layer with inputs is kept (its
// descriptor and constant tensors, which the network owns) and taken once its inputs are
// known. The first problem
// is kept (the visitor cannot throw through Arm NN) and reported after the walk.
class Builder : public armnn::LayerVisitorBase<armnn::VisitorNoThrowPolicy> {
 public:
  Graph finish() {
    m_replaying = true;
    while (!m_pending.empty() && !m_problem) {
      auto ready = std::find_if(m_pending.begin(), m_pending.end(), [&](const Pending& p) {
        for (unsigned i = 0; i < p.layer->GetNumInputSlots(); ++i) {
          const armnn::IOutputSlot* src = p.layer->GetInputSlot(i).GetConnection();
          if (src && !m_slots.count(src) && !m_constants.count(src)) return false;
        }
        return true;
      });
      // None ready: the first waits for a layer that made no value; it names the problem.
      if (ready == m_pending.end()) ready = m_pending.begin();
      const std::function<void()> take = std::move(ready->take);
      m_pending.erase(ready);
      take();
    }
    if (m_problem) throw ModelError(*m_problem);
    if (m_graph.input < 0) throw ModelError("model has no input");
    if (m_graph.output < 0) throw ModelError("model has no output");
    if (m_graph.layers.empty() || m_graph.output == m_graph.input)
      throw ModelError("model has no layer between its input and its output");
    if (m_hwc[std::size_t(m_graph.output)])
      throw ModelError("the output is a flattened [1,H,W,C] map (only a vector or map output)");
    validateGraph(m_graph);
    return std::move(m_graph);
  }

  void VisitInputLayer(const armnn::IConnectableLayer* layer, armnn::LayerBindingId,
                       const char* name) override {
    if (m_problem) return;
    if (m_graph.input >= 0) return fail(name, "only one input is supported");
    m_graph.input = addValue(layer, name);
  }

  void VisitOutputLayer(const armnn::IConnectableLayer* layer, armnn::LayerBindingId id,
                        const char* name) override {
    if (defer(layer, [=] { VisitOutputLayer(layer, id, name); })) return;
    if (m_problem) return;
    if (m_graph.output >= 0) return fail(name, "only one output is supported");
    const auto x = input(layer, 0, name);
    if (x) m_graph.output = *x;
  }

  void VisitConvolution2dLayer(const armnn::IConnectableLayer* layer,
                               const armnn::Convolution2dDescriptor& d,
                               const armnn::ConstTensor& weights,
                               const armnn::Optional<armnn::ConstTensor>& biases,
                               const char* name) override {
    if (defer(layer, [=] { VisitConvolution2dLayer(layer, d, weights, biases, name); })) return;
    if (m_problem) return;
    if (d.m_DataLayout != armnn::DataLayout::NHWC) return fail(name, "layout is not NHWC");
    if (d.m_DilationX != 1 || d.m_DilationY != 1)
      return fail(name, "dilation other than 1 is not supported");
    const auto x = input(layer, 0, name);
    if (!x) return;
    // TensorFlow Lite's filter [O, kH, kW, I] (Arm NN keeps it for NHWC) -> [O][I][kH][kW].
    const auto& ws = weights.GetInfo().GetShape();
    if (ws.GetNumDimensions() != 4) return fail(name, "the filter is not 4-D");
    const unsigned outC = ws[0], kH = ws[1], kW = ws[2], inC = ws[3];
    const Shape in = m_graph.shapes[std::size_t(*x)];
    if (int(inC) != in.c)
      return fail(name, fmt::format("the filter takes {} channels, the input has {}", inC, in.c));
    const auto w = values(weights, name, "filter");
    if (!w) return;
    Layer l = makeLayer(Op::Conv, {*x}, name);
    l.weights.resize(w->size());
    for (unsigned o = 0; o < outC; ++o)
      for (unsigned ky = 0; ky < kH; ++ky)
        for (unsigned kx = 0; kx < kW; ++kx)
          for (unsigned i = 0; i < inC; ++i)
            l.weights[((std::size_t(o) * inC + i) * kH + ky) * kW + kx] =
                (*w)[((std::size_t(o) * kH + ky) * kW + kx) * inC + i];
    window(l, int(kH), int(kW), d.m_StrideY, d.m_StrideX, d.m_PadTop, d.m_PadLeft, d.m_PadBottom,
           d.m_PadRight);
    if (!bias(l, biases, int(outC), name)) return;
    emit(layer, std::move(l), name);
  }

  void VisitDepthwiseConvolution2dLayer(const armnn::IConnectableLayer* layer,
                                        const armnn::DepthwiseConvolution2dDescriptor& d,
                                        const armnn::ConstTensor& weights,
                                        const armnn::Optional<armnn::ConstTensor>& biases,
                                        const char* name) override {
    if (defer(layer, [=] { VisitDepthwiseConvolution2dLayer(layer, d, weights, biases, name); }))
      return;
    if (m_problem) return;
    if (d.m_DataLayout != armnn::DataLayout::NHWC) return fail(name, "layout is not NHWC");
    if (d.m_DilationX != 1 || d.m_DilationY != 1)
      return fail(name, "dilation other than 1 is not supported");
    const auto x = input(layer, 0, name);
    if (!x) return;
    // Arm NN 20.08 permutes TensorFlow Lite's [1, kH, kW, I*M] filter to [M, I, kH, kW];
    // output channel i*M + m (TensorFlow Lite's order) is a group of one input channel.
    const auto& ws = weights.GetInfo().GetShape();
    if (ws.GetNumDimensions() != 4) return fail(name, "the filter is not 4-D");
    const unsigned mult = ws[0], inC = ws[1], kH = ws[2], kW = ws[3];
    const Shape in = m_graph.shapes[std::size_t(*x)];
    if (int(inC) != in.c)
      return fail(name, fmt::format("the filter takes {} channels, the input has {}", inC, in.c));
    const auto w = values(weights, name, "filter", /*depthwise=*/true);
    if (!w) return;
    Layer l = makeLayer(Op::Conv, {*x}, name);
    l.groups = int(inC);
    l.weights.resize(w->size());
    for (unsigned m = 0; m < mult; ++m)
      for (unsigned i = 0; i < inC; ++i)
        for (std::size_t k = 0; k < std::size_t(kH) * kW; ++k)
          l.weights[(std::size_t(i) * mult + m) * kH * kW + k] =
              (*w)[(std::size_t(m) * inC + i) * kH * kW + k];
    window(l, int(kH), int(kW), d.m_StrideY, d.m_StrideX, d.m_PadTop, d.m_PadLeft, d.m_PadBottom,
           d.m_PadRight);
    if (!bias(l, biases, int(inC * mult), name)) return;
    emit(layer, std::move(l), name);
  }

  void VisitFullyConnectedLayer(const armnn::IConnectableLayer* layer,
                                const armnn::FullyConnectedDescriptor& d,
                                const armnn::ConstTensor& weights,
                                const armnn::Optional<armnn::ConstTensor>& biases,
                                const char* name) override {
    if (defer(layer, [=] { VisitFullyConnectedLayer(layer, d, weights, biases, name); })) return;
    if (m_problem) return;
    const auto x = input(layer, 0, name);
    if (!x) return;
    const auto& ws = weights.GetInfo().GetShape();
    if (ws.GetNumDimensions() != 2) return fail(name, "the weights are not a matrix");
    const unsigned outN = d.m_TransposeWeightMatrix ? ws[0] : ws[1];
    const unsigned k = d.m_TransposeWeightMatrix ? ws[1] : ws[0];
    const Shape in = m_graph.shapes[std::size_t(*x)];
    if (int(k) != in.size())
      return fail(name, fmt::format("the weights take {} values, the input has {}", k, in.size()));
    const auto w = values(weights, name, "weights");
    if (!w) return;
    // The input's values in TensorFlow Lite's order (H, W, C) when it is a [1,H,W,C] map (or
    // its flattening): this Graph holds them in (C, H, W) order, so the columns follow.
    const Shape hwc = m_hwc[std::size_t(*x)] ? *m_hwc[std::size_t(*x)] : in;
    Layer l = makeLayer(Op::Gemm, {*x}, name);
    l.weights.resize(w->size());
    const int hw = hwc.h * hwc.w;
    for (unsigned o = 0; o < outN; ++o) {
      for (int c = 0; c < hwc.c; ++c) {
        for (int p = 0; p < hw; ++p) {
          const std::size_t tfl = std::size_t(p) * hwc.c + c;  // TensorFlow Lite's column
          const std::size_t ours = std::size_t(c) * hw + p;
          l.weights[std::size_t(o) * k + ours] =
              d.m_TransposeWeightMatrix ? (*w)[std::size_t(o) * k + tfl] : (*w)[tfl * outN + o];
        }
      }
    }
    if (!bias(l, biases, int(outN), name)) return;
    emit(layer, std::move(l), name);
  }

  void VisitPooling2dLayer(const armnn::IConnectableLayer* layer,
                           const armnn::Pooling2dDescriptor& d, const char* name) override {
    if (defer(layer, [=] { VisitPooling2dLayer(layer, d, name); })) return;
    if (m_problem) return;
    if (d.m_DataLayout != armnn::DataLayout::NHWC) return fail(name, "layout is not NHWC");
    if (d.m_PoolType != armnn::PoolingAlgorithm::Max &&
        d.m_PoolType != armnn::PoolingAlgorithm::Average)
      return fail(name, "only max and average pooling are supported");
    if (d.m_OutputShapeRounding != armnn::OutputShapeRounding::Floor)
      return fail(name, "only floor output rounding is supported");
    const bool padded = d.m_PadTop || d.m_PadLeft || d.m_PadBottom || d.m_PadRight;
    if (d.m_PoolType == armnn::PoolingAlgorithm::Average && padded &&
        d.m_PaddingMethod != armnn::PaddingMethod::Exclude)
      return fail(name, "average pooling must exclude the padding");
    const auto x = input(layer, 0, name);
    if (!x) return;
    Layer l = makeLayer(d.m_PoolType == armnn::PoolingAlgorithm::Max ? Op::MaxPool : Op::AvgPool,
                        {*x}, name);
    window(l, int(d.m_PoolHeight), int(d.m_PoolWidth), d.m_StrideY, d.m_StrideX, d.m_PadTop,
           d.m_PadLeft, d.m_PadBottom, d.m_PadRight);
    emit(layer, std::move(l), name);
  }

  // MEAN over height and width (what Keras' GlobalAveragePooling2D converts to): a global
  // average pool.
  void VisitMeanLayer(const armnn::IConnectableLayer* layer, const armnn::MeanDescriptor& d,
                      const char* name) override {
    if (defer(layer, [=] { VisitMeanLayer(layer, d, name); })) return;
    if (m_problem) return;
    const auto x = input(layer, 0, name);
    if (!x) return;
    std::vector<unsigned> axes = d.m_Axis;
    std::sort(axes.begin(), axes.end());
    if (m_inRank != 4 || axes != std::vector<unsigned>{1, 2})
      return fail(name, "only a mean over height and width of a [1,H,W,C] map is supported");
    const Shape in = m_graph.shapes[std::size_t(*x)];
    Layer l = makeLayer(Op::AvgPool, {*x}, name);
    l.kH = in.h, l.kW = in.w;
    emit(layer, std::move(l), name);
  }

  void VisitAdditionLayer(const armnn::IConnectableLayer* layer, const char* name) override {
    if (defer(layer, [=] { VisitAdditionLayer(layer, name); })) return;
    if (m_problem) return;
    const auto a = input(layer, 0, name);
    const auto b = a ? input(layer, 1, name) : std::nullopt;
    if (!a || !b) return;
    if (m_hwc[std::size_t(*a)] || m_hwc[std::size_t(*b)])
      return fail(name, "an Add of a flattened [1,H,W,C] map is not supported");
    const Shape sa = m_graph.shapes[std::size_t(*a)], sb = m_graph.shapes[std::size_t(*b)];
    auto covers = [](const Shape& big, const Shape& small) {
      return (small.c == 1 || small.c == big.c) && (small.h == 1 || small.h == big.h) &&
             (small.w == 1 || small.w == big.w);
    };
    // As the ONNX import: the full-size operand first, the other broadcast.
    if (covers(sa, sb)) {
      emit(layer, makeLayer(Op::Add, {*a, *b}, name), name);
    } else if (covers(sb, sa)) {
      emit(layer, makeLayer(Op::Add, {*b, *a}, name), name);
    } else {
      fail(name, fmt::format("shapes [{},{},{}] and [{},{},{}] do not broadcast", sa.c, sa.h, sa.w,
                             sb.c, sb.h, sb.w));
    }
  }

  void VisitActivationLayer(const armnn::IConnectableLayer* layer,
                            const armnn::ActivationDescriptor& d, const char* name) override {
    if (defer(layer, [=] { VisitActivationLayer(layer, d, name); })) return;
    if (m_problem) return;
    const auto x = input(layer, 0, name);
    if (!x) return;
    Layer l = makeLayer(Op::Clamp, {*x}, name);
    if (d.m_Function == armnn::ActivationFunction::ReLu) {
      l.actMin = 0.0f;
    } else if (d.m_Function == armnn::ActivationFunction::BoundedReLu) {
      l.actMin = d.m_B, l.actMax = d.m_A;  // RELU6: [0, 6]; RELU_N1_TO_1: [-1, 1]
      if (!(l.actMin <= l.actMax)) return fail(name, "bounded ReLU with min above max");
    } else {
      return fail(name, fmt::format("activation {} is not supported (only ReLU and ReLU6)",
                                    armnn::GetActivationFunctionAsCString(d.m_Function)));
    }
    emit(layer, std::move(l), name);
  }

  void VisitSoftmaxLayer(const armnn::IConnectableLayer* layer, const armnn::SoftmaxDescriptor& d,
                         const char* name) override {
    if (defer(layer, [=] { VisitSoftmaxLayer(layer, d, name); })) return;
    if (m_problem) return;
    const auto x = input(layer, 0, name);
    if (!x) return;
    if (d.m_Beta != 1.0f)
      return fail(name, fmt::format("beta {} is not supported (only 1)", d.m_Beta));
    const Shape in = m_graph.shapes[std::size_t(*x)];
    if (in.h != 1 || in.w != 1) return fail(name, "only a softmax over a vector is supported");
    emit(layer, makeLayer(Op::Softmax, {*x}, name), name);
  }

  // RESHAPE, SQUEEZE, and the reshape Arm NN puts before a FULLY_CONNECTED of a map. The
  // Graph holds a map in (C, H, W) order and TensorFlow Lite in (H, W, C): the two agree
  // when C = 1 or H = W = 1. A map flattened into a vector is kept in the Graph's order and
  // marked, so that the fully connected layer reading it takes its columns in that order.
  void VisitReshapeLayer(const armnn::IConnectableLayer* layer, const armnn::ReshapeDescriptor& d,
                         const char* name) override {
    if (defer(layer, [=] { VisitReshapeLayer(layer, d, name); })) return;
    if (m_problem) return;
    const auto x = input(layer, 0, name);
    if (!x) return;
    std::string problem;
    const auto out = graphShape(layer->GetOutputSlot(0).GetTensorInfo().GetShape(), problem);
    if (!out) return fail(name, problem);
    const Shape in = m_graph.shapes[std::size_t(*x)];
    if (out->size() != in.size()) return fail(name, "the target shape does not hold the input");
    auto orderFree = [](const Shape& s) { return s.c == 1 || s.h * s.w == 1; };
    std::optional<Shape> hwc = m_hwc[std::size_t(*x)];
    const bool vector = out->h == 1 && out->w == 1;
    if (!orderFree(in) && !hwc) {
      if (!vector) return fail(name, "reshaping a [1,H,W,C] map to another map is not supported");
      hwc = in;
    } else if (hwc && !vector) {
      return fail(name, "reshaping a flattened map back to a map is not supported");
    } else if (!orderFree(*out) && !hwc) {
      return fail(name, "reshaping to a [1,H,W,C] map with C > 1 is not supported");
    }
    if (*out == in) {
      alias(layer, *x);
      return;
    }
    const std::size_t before = m_graph.shapes.size();
    emit(layer, makeLayer(Op::Reshape, {*x}, name), name);
    if (m_graph.shapes.size() > before) m_hwc.back() = hwc;
  }

  // QUANTIZE and DEQUANTIZE: pass-throughs (the Graph is float); a Quantize's output scale
  // and zero point become its input's preset quantisation.
  void VisitQuantizeLayer(const armnn::IConnectableLayer* layer, const char* name) override {
    if (defer(layer, [=] { VisitQuantizeLayer(layer, name); })) return;
    if (m_problem) return;
    const auto x = input(layer, 0, name);
    if (!x) return;
    if (!preset(*x, layer->GetOutputSlot(0).GetTensorInfo(), name, true)) return;
    alias(layer, *x);
  }
  void VisitDequantizeLayer(const armnn::IConnectableLayer* layer, const char* name) override {
    if (defer(layer, [=] { VisitDequantizeLayer(layer, name); })) return;
    if (m_problem) return;
    const auto x = input(layer, 0, name);
    if (x) alias(layer, *x);
  }

  // A constant operand (of Add, Mul, ...): its consumer names itself as unsupported.
  void VisitConstantLayer(const armnn::IConnectableLayer* layer, const armnn::ConstTensor&,
                          const char*) override {
    m_constants.insert(&layer->GetOutputSlot(0));
  }

  // Layers Arm NN's TfLite parser makes that this import does not take.
  void VisitBatchToSpaceNdLayer(const armnn::IConnectableLayer*,
                                const armnn::BatchToSpaceNdDescriptor&, const char* name) override {
    unsupported(name);
  }
  void VisitConcatLayer(const armnn::IConnectableLayer*, const armnn::OriginsDescriptor&,
                        const char* name) override {
    unsupported(name);
  }
  void VisitDetectionPostProcessLayer(const armnn::IConnectableLayer*,
                                      const armnn::DetectionPostProcessDescriptor&,
                                      const armnn::ConstTensor&, const char* name) override {
    unsupported(name);
  }
  void VisitDivisionLayer(const armnn::IConnectableLayer*, const char* name) override {
    unsupported(name);
  }
  void VisitElementwiseUnaryLayer(const armnn::IConnectableLayer*,
                                  const armnn::ElementwiseUnaryDescriptor&,
                                  const char* name) override {
    unsupported(name);
  }
  void VisitL2NormalizationLayer(const armnn::IConnectableLayer*,
                                 const armnn::L2NormalizationDescriptor&,
                                 const char* name) override {
    unsupported(name);
  }
  void VisitMaximumLayer(const armnn::IConnectableLayer*, const char* name) override {
    unsupported(name);
  }
  void VisitMinimumLayer(const armnn::IConnectableLayer*, const char* name) override {
    unsupported(name);
  }
  void VisitMultiplicationLayer(const armnn::IConnectableLayer*, const char* name) override {
    unsupported(name);
  }
  void VisitPadLayer(const armnn::IConnectableLayer*, const armnn::PadDescriptor&,
                     const char* name) override {
    unsupported(name);
  }
  void VisitResizeLayer(const armnn::IConnectableLayer*, const armnn::ResizeDescriptor&,
                        const char* name) override {
    unsupported(name);
  }
  void VisitSliceLayer(const armnn::IConnectableLayer*, const armnn::SliceDescriptor&,
                       const char* name) override {
    unsupported(name);
  }
  void VisitSpaceToBatchNdLayer(const armnn::IConnectableLayer*,
                                const armnn::SpaceToBatchNdDescriptor&, const char* name) override {
    unsupported(name);
  }
  void VisitSplitterLayer(const armnn::IConnectableLayer*, const armnn::ViewsDescriptor&,
                          const char* name) override {
    unsupported(name);
  }
  void VisitStackLayer(const armnn::IConnectableLayer*, const armnn::StackDescriptor&,
                       const char* name) override {
    unsupported(name);
  }
  void VisitStandInLayer(const armnn::IConnectableLayer*, const armnn::StandInDescriptor&,
                         const char* name) override {
    unsupported(name);
  }
  void VisitStridedSliceLayer(const armnn::IConnectableLayer*, const armnn::StridedSliceDescriptor&,
                              const char* name) override {
    unsupported(name);
  }
  void VisitSubtractionLayer(const armnn::IConnectableLayer*, const char* name) override {
    unsupported(name);
  }
  void VisitTransposeLayer(const armnn::IConnectableLayer*, const armnn::TransposeDescriptor&,
                           const char* name) override {
    unsupported(name);
  }
  void VisitTransposeConvolution2dLayer(const armnn::IConnectableLayer*,
                                        const armnn::TransposeConvolution2dDescriptor&,
                                        const armnn::ConstTensor&,
                                        const armnn::Optional<armnn::ConstTensor>&,
                                        const char* name) override {
    unsupported(name);
  }

 private:
  struct Pending {
    const armnn::IConnectableLayer* layer;
    std::function<void()> take;
  };
  // While visiting: keeps TAKE (the visit again) for later and returns true.
  bool defer(const armnn::IConnectableLayer* layer, std::function<void()> take) {
    if (m_replaying) return false;
    m_pending.push_back({layer, std::move(take)});
    return true;
  }

  void fail(const char* layerName, const std::string& what) {
    if (!m_problem) m_problem = operatorLabel(layerName ? layerName : "?") + ": " + what;
  }
  void unsupported(const char* layerName) {
    fail(layerName, "not supported by edgejoule's import");
  }

  // The Graph value of input slot I of LAYER, or nullopt (and the problem kept).
  std::optional<int> input(const armnn::IConnectableLayer* layer, unsigned i, const char* name) {
    m_inRank = 0;
    if (i >= layer->GetNumInputSlots()) {
      fail(name, fmt::format("input {} is missing", i));
      return std::nullopt;
    }
    const armnn::IOutputSlot* src = layer->GetInputSlot(i).GetConnection();
    if (src && m_constants.count(src)) {
      fail(name, fmt::format("input {} is a constant tensor (not supported)", i));
      return std::nullopt;
    }
    auto it = src ? m_slots.find(src) : m_slots.end();
    if (it == m_slots.end()) {
      fail(name, fmt::format("input {} is not produced by a supported operator", i));
      return std::nullopt;
    }
    m_inRank = src->GetTensorInfo().GetShape().GetNumDimensions();
    return it->second;
  }

  // A new value for output slot 0 of LAYER, with its shape and (for int8/uint8 tensors) its
  // preset quantisation.
  int addValue(const armnn::IConnectableLayer* layer, const char* name) {
    const armnn::TensorInfo& info = layer->GetOutputSlot(0).GetTensorInfo();
    std::string problem;
    const auto shape = graphShape(info.GetShape(), problem);
    if (!shape) {
      fail(name, problem);
      return -1;
    }
    m_graph.shapes.push_back(*shape);
    m_graph.names.push_back(name ? name : "?");
    m_graph.preset.emplace_back();
    m_hwc.emplace_back();
    const int id = int(m_graph.shapes.size()) - 1;
    m_slots[&layer->GetOutputSlot(0)] = id;
    preset(id, info, name, false);
    return id;
  }
  void alias(const armnn::IConnectableLayer* layer, int x) {
    m_slots[&layer->GetOutputSlot(0)] = x;
  }

  // The int8 (uint8 shifted by -128) scale and zero point of an activation tensor.
  bool preset(int v, const armnn::TensorInfo& info, const char* name, bool override) {
    if (!quantisedType(info.GetDataType())) return true;
    const std::vector<float> scales = info.GetQuantizationScales();
    if (scales.size() != 1) {
      fail(name, "per-channel activation quantisation is not supported");
      return false;
    }
    if (!(std::isfinite(scales[0]) && scales[0] > 0)) {
      fail(name, fmt::format("activation scale {} is not a positive number", scales[0]));
      return false;
    }
    const int zp =
        info.GetQuantizationOffset() - (info.GetDataType() == armnn::DataType::QAsymmU8 ? 128 : 0);
    if (zp < -128 || zp > 127) {
      fail(name, fmt::format("zero point {} is outside the 8-bit range", zp));
      return false;
    }
    PresetQuant& q = m_graph.preset[std::size_t(v)];
    if (q.set && !override) return true;
    q.set = true, q.scale = scales[0], q.zeroPoint = zp;
    return true;
  }

  // The real values of a constant tensor, in its own (Arm NN) order: float32 as they are;
  // int8/uint8/int32 as (q - zero point) * scale, the scale per tensor or per element of the
  // quantisation axis. DEPTHWISE: Arm NN 20.08 keeps the [M, I, kH, kW] filter's per-channel
  // scales in TensorFlow Lite's channel order i * M + m.
  std::optional<std::vector<float>> values(const armnn::ConstTensor& t, const char* name,
                                           const char* what, bool depthwise = false) {
    const armnn::TensorInfo& info = t.GetInfo();
    const std::size_t n = info.GetNumElements();
    const armnn::TensorShape& shape = info.GetShape();
    std::vector<float> out(n);
    const void* data = t.GetMemoryArea();
    const armnn::DataType type = info.GetDataType();
    if (type == armnn::DataType::Float32) {
      std::memcpy(out.data(), data, n * sizeof(float));
      for (float v : out) {
        if (!std::isfinite(v)) {
          fail(name, fmt::format("the {} hold a value that is not finite", what));
          return std::nullopt;
        }
      }
      return out;
    }
    if (!quantisedType(type) && type != armnn::DataType::Signed32) {
      fail(name, fmt::format("the {} have data type {} (float32, int8, uint8 or int32 expected)",
                             what, armnn::GetDataTypeName(type)));
      return std::nullopt;
    }
    const std::vector<float> scales = info.GetQuantizationScales();
    for (float s : scales) {
      if (!(std::isfinite(s) && s > 0)) {
        fail(name, fmt::format("the {}' scale {} is not a positive number", what, s));
        return std::nullopt;
      }
    }
    if (scales.empty()) {
      fail(name, fmt::format("the {} have no scale", what));
      return std::nullopt;
    }
    // Which scale each element takes.
    std::size_t inner = 1, axisLen = 1;
    bool depthwiseOrder = false;
    if (scales.size() > 1) {
      const auto qdim = info.GetQuantizationDim();
      const unsigned dim = qdim.has_value() ? qdim.value() : 0;
      if (depthwise && shape.GetNumDimensions() == 4 &&
          scales.size() == std::size_t(shape[0]) * shape[1] && scales.size() != shape[dim]) {
        depthwiseOrder = true;
      } else {
        if (dim >= shape.GetNumDimensions() || scales.size() != shape[dim]) {
          fail(name, fmt::format("the {} have {} scales for an axis of {}", what, scales.size(),
                                 dim < shape.GetNumDimensions() ? shape[dim] : 0));
          return std::nullopt;
        }
        for (unsigned i = dim + 1; i < shape.GetNumDimensions(); ++i) inner *= shape[i];
        axisLen = shape[dim];
      }
    }
    const double zp = info.GetQuantizationOffset();
    for (std::size_t i = 0; i < n; ++i) {
      double q = 0;
      switch (type) {
        case armnn::DataType::QAsymmU8:
          q = static_cast<const std::uint8_t*>(data)[i];
          break;
        case armnn::DataType::Signed32:
          q = static_cast<const std::int32_t*>(data)[i];
          break;
        default:
          q = static_cast<const std::int8_t*>(data)[i];
      }
      std::size_t k = 0;
      if (depthwiseOrder) {
        // [M, I, kH, kW]: element i belongs to m = i / (I kH kW), channel ci = (i / kH kW) % I.
        const std::size_t hw = std::size_t(shape[2]) * shape[3];
        const std::size_t m = i / (hw * shape[1]), ci = (i / hw) % shape[1];
        k = ci * shape[0] + m;
      } else if (axisLen > 1) {
        k = (i / inner) % axisLen;
      }
      out[i] = float((q - zp) * double(scales[k]));
    }
    return out;
  }

  bool bias(Layer& l, const armnn::Optional<armnn::ConstTensor>& biases, int outC,
            const char* name) {
    if (!biases.has_value()) {
      l.bias.assign(std::size_t(outC), 0.0f);
      return true;
    }
    const auto b = values(biases.value(), name, "biases");
    if (!b) return false;
    if (b->size() != std::size_t(outC)) {
      fail(name, fmt::format("{} biases for {} output channels", b->size(), outC));
      return false;
    }
    l.bias = *b;
    return true;
  }

  Layer makeLayer(Op op, std::vector<int> inputs, const char* name) const {
    Layer l;
    l.op = op;
    l.name = name ? name : "?";
    l.inputs = std::move(inputs);
    return l;
  }
  static void window(Layer& l, int kH, int kW, unsigned sH, unsigned sW, unsigned pT, unsigned pL,
                     unsigned pB, unsigned pR) {
    l.kH = kH, l.kW = kW, l.strideH = int(sH), l.strideW = int(sW);
    l.padT = int(pT), l.padL = int(pL), l.padB = int(pB), l.padR = int(pR);
  }
  // The layer's output value (shape from Arm NN's output tensor) and the layer.
  void emit(const armnn::IConnectableLayer* layer, Layer l, const char* name) {
    const int out = addValue(layer, name);
    if (out < 0) return;
    l.output = out;
    m_graph.layers.push_back(std::move(l));
  }

  Graph m_graph;
  std::map<const armnn::IOutputSlot*, int> m_slots;
  std::set<const armnn::IOutputSlot*> m_constants;
  std::vector<std::optional<Shape>> m_hwc;  // per value: a flattened [1,H,W,C] map's shape
  unsigned m_inRank = 0;                    // the rank of the last input() looked up
  std::optional<std::string> m_problem;
  std::vector<Pending> m_pending;
  bool m_replaying = false;
};

}  // namespace

}  // namespace ej::nn

extern "C" EJ_TFLITE_EXPORT bool ej_tflite_read(const std::uint8_t* bytes, std::size_t size,
                                                ej::nn::Graph* graph,
                                                std::string* problem) noexcept {
  using ej::nn::ModelError;
  try {
    armnn::INetworkPtr network(nullptr, [](armnn::INetwork*) {});
    try {
      auto parser = armnnTfLiteParser::ITfLiteParser::Create();
      network = parser->CreateNetworkFromBinary(std::vector<std::uint8_t>(bytes, bytes + size));
    } catch (const std::exception& e) {
      // Arm NN's message ends with "at function ... [file:line]": kept to the reason.
      std::string what = e.what();
      if (const auto at = what.find(" at function "); at != std::string::npos) what.resize(at);
      static const std::regex unsupportedOp(
          R"(Operator not supported\. subgraph:\d+ operator:(\d+) opcode_index:\d+ opcode:[\s\S]*? / (\w+))");
      std::smatch m;
      if (std::regex_search(what, m, unsupportedOp)) {
        *problem = fmt::format("operator {} ({}): not supported by Arm NN 20.08's TfLite parser",
                               m[1].str(), m[2].str());
        return false;
      }
      // Arm NN prints the opcode, a byte, as a character: no control character in one line.
      for (char& c : what) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
      }
      while (!what.empty() && what.back() == ' ') what.pop_back();
      *problem =
          fmt::format("not a TensorFlow Lite model Arm NN can read ({})", what.substr(0, 200));
      return false;
    }
    ej::nn::Builder builder;
    network->Accept(builder);
    *graph = builder.finish();
    return true;
  } catch (const std::exception& e) {
    *problem = e.what();
    return false;
  }
}
