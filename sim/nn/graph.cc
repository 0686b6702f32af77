// Float reference forward pass (plain loops, ONNX operator semantics, opset 13).
#include "sim/nn/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ej::nn {

Shape checkedShape(std::int64_t c, std::int64_t h, std::int64_t w, const std::string& what) {
  if (c < 1 || h < 1 || w < 1) {
    throw ModelError(fmt::format("{}: shape [{}, {}, {}] has a dimension below 1", what, c, h, w));
  }
  if (h > kMaxSpatial || w > kMaxSpatial) {
    throw ModelError(fmt::format("{}: shape [{}, {}, {}] is taller or wider than {}", what, c, h, w,
                                 kMaxSpatial));
  }
  std::int64_t n = 0;
  if (__builtin_mul_overflow(c, h, &n) || __builtin_mul_overflow(n, w, &n) ||
      n > kMaxTensorElements) {
    throw ModelError(fmt::format("{}: shape [{}, {}, {}] holds more than {} values", what, c, h, w,
                                 kMaxTensorElements));
  }
  return {int(c), int(h), int(w)};
}

namespace {

[[noreturn]] void layerFail(const Layer& l, const std::string& problem) {
  throw ModelError(fmt::format("layer '{}' ({}): {}", l.name, opName(l.op), problem));
}

void validateWindow(const Layer& l, const Shape& in, const Shape& out) {
  if (l.kH < 1 || l.kW < 1 || l.kH > kMaxSpatial || l.kW > kMaxSpatial)
    layerFail(l, fmt::format("kernel {}x{} is not within 1..{}", l.kH, l.kW, kMaxSpatial));
  if (l.strideH < 1 || l.strideW < 1 || l.strideH > kMaxSpatial || l.strideW > kMaxSpatial)
    layerFail(l,
              fmt::format("strides {}x{} are not within 1..{}", l.strideH, l.strideW, kMaxSpatial));
  for (int p : {l.padT, l.padL, l.padB, l.padR}) {
    if (p < 0 || p > kMaxSpatial)
      layerFail(l, fmt::format("pad {} is not within 0..{}", p, kMaxSpatial));
  }
  const std::int64_t spanH = std::int64_t(in.h) + l.padT + l.padB - l.kH;
  const std::int64_t spanW = std::int64_t(in.w) + l.padL + l.padR - l.kW;
  if (spanH < 0 || spanW < 0) layerFail(l, "window larger than the padded input");
  if (out.h != spanH / l.strideH + 1 || out.w != spanW / l.strideW + 1)
    layerFail(l, "output height and width do not follow from the window");
}

}  // namespace

void validateGraph(const Graph& graph) {
  const std::size_t nv = graph.shapes.size();
  if (graph.names.size() != nv) throw ModelError("graph: one name per value expected");
  auto valid = [&](int v) { return v >= 0 && std::size_t(v) < nv; };
  if (!valid(graph.input) || !valid(graph.output)) throw ModelError("graph: no input or output");
  for (std::size_t v = 0; v < nv; ++v) {
    const Shape& s = graph.shapes[v];
    checkedShape(s.c, s.h, s.w, "value '" + graph.names[v] + "'");
  }
  std::int64_t macs = 0;
  for (const Layer& l : graph.layers) {
    if (!valid(l.output) || l.inputs.empty()) layerFail(l, "no output or no input");
    for (int v : l.inputs) {
      if (!valid(v)) layerFail(l, "an input is not a value of the graph");
    }
    const Shape& in = graph.shapes[std::size_t(l.inputs[0])];
    const Shape& out = graph.shapes[std::size_t(l.output)];
    if (!(l.actMin <= l.actMax)) layerFail(l, "activation minimum above its maximum");
    switch (l.op) {
      case Op::Conv: {
        validateWindow(l, in, out);
        if (l.groups < 1 || in.c % l.groups || out.c % l.groups)
          layerFail(l, fmt::format("group {} does not divide {} input and {} output channels",
                                   l.groups, in.c, out.c));
        std::int64_t n = 0;
        if (__builtin_mul_overflow(std::int64_t(out.c), in.c / l.groups, &n) ||
            __builtin_mul_overflow(n, std::int64_t(l.kH) * l.kW, &n) ||
            std::int64_t(l.weights.size()) != n)
          layerFail(l, fmt::format("{} weights, its shapes need {}", l.weights.size(), n));
        if (l.bias.size() != std::size_t(out.c))
          layerFail(l, fmt::format("{} biases for {} output channels", l.bias.size(), out.c));
        break;
      }
      case Op::Gemm: {
        const std::int64_t n = std::int64_t(out.size()) * in.size();
        if (out.h != 1 || out.w != 1 || std::int64_t(l.weights.size()) != n)
          layerFail(l, fmt::format("{} weights, its shapes need {}", l.weights.size(), n));
        if (l.bias.size() != std::size_t(out.c))
          layerFail(l, fmt::format("{} biases for {} outputs", l.bias.size(), out.c));
        break;
      }
      case Op::Add: {
        // The second operand broadcasts over the first (each of its C, H, W is 1 or the
        // first's); the output has the first's shape.
        if (l.inputs.size() != 2 || !(out == in))
          layerFail(l, "two operands and an output of the first's shape expected");
        const Shape& b = graph.shapes[std::size_t(l.inputs[1])];
        if ((b.c != 1 && b.c != in.c) || (b.h != 1 && b.h != in.h) || (b.w != 1 && b.w != in.w))
          layerFail(l, "the second operand does not broadcast over the first");
        break;
      }
      case Op::MaxPool:
      case Op::AvgPool:
        validateWindow(l, in, out);
        if (out.c != in.c) layerFail(l, "a pool keeps the channels");
        break;
      case Op::Clamp:
      case Op::Softmax:
        if (!(out == in)) layerFail(l, "the output must have the input's shape");
        break;
      case Op::Reshape:
        if (out.size() != in.size()) layerFail(l, "the output must hold the input's size");
        break;
    }
    macs += macCount(graph, l);
    if (macs > kMaxModelMacs)
      layerFail(l, fmt::format("the model needs more than {:.0e} multiply-accumulates",
                               double(kMaxModelMacs)));
  }
}

const char* opName(Op op) {
  switch (op) {
    case Op::Conv:
      return "Conv";
    case Op::Gemm:
      return "Gemm";
    case Op::Add:
      return "Add";
    case Op::Clamp:
      return "Clamp";
    case Op::MaxPool:
      return "MaxPool";
    case Op::AvgPool:
      return "AveragePool";
    case Op::Reshape:
      return "Reshape";
    case Op::Softmax:
      return "Softmax";
  }
  return "?";
}

std::int64_t macCount(const Graph& graph, const Layer& layer) {
  const Shape& out = graph.shapes[layer.output];
  if (layer.op == Op::Conv) {
    const Shape& in = graph.shapes[layer.inputs[0]];
    return std::int64_t(out.size()) * (in.c / layer.groups) * layer.kH * layer.kW;
  }
  if (layer.op == Op::Gemm) return std::int64_t(layer.weights.size());
  return 0;
}

ParameterCount countParameters(const Graph& graph) {
  ParameterCount p;
  for (const auto& l : graph.layers) {
    if (l.op != Op::Conv && l.op != Op::Gemm) continue;
    p.weights += std::int64_t(l.weights.size());
    p.biases += std::int64_t(l.bias.size());
    for (const auto* v : {&l.weights, &l.bias})
      p.nonZero += std::count_if(v->begin(), v->end(), [](float x) { return x != 0.0f; });
  }
  return p;
}

int fuseActivations(Graph& graph) {
  int fused = 0;
  for (std::size_t i = 0; i < graph.layers.size(); ++i) {
    Layer& clamp = graph.layers[i];
    if (clamp.op != Op::Clamp) continue;
    const int value = clamp.inputs[0];
    if (value == graph.input) continue;
    int uses = 0;
    for (const auto& l : graph.layers)
      uses += int(std::count(l.inputs.begin(), l.inputs.end(), value));
    if (uses != 1 || value == graph.output) continue;
    auto producer = std::find_if(graph.layers.begin(), graph.layers.end(),
                                 [&](const Layer& l) { return l.output == value; });
    if (producer == graph.layers.end()) continue;
    const Op p = producer->op;
    if (p != Op::Conv && p != Op::Gemm && p != Op::Add && p != Op::MaxPool && p != Op::AvgPool &&
        p != Op::Clamp) {
      continue;
    }
    producer->actMin = std::max(producer->actMin, clamp.actMin);
    producer->actMax = std::min(producer->actMax, clamp.actMax);
    producer->output = clamp.output;
    graph.layers.erase(graph.layers.begin() + long(i));
    --i;
    ++fused;
  }
  return fused;
}

namespace {

float act(const Layer& l, float v) { return std::min(std::max(v, l.actMin), l.actMax); }

// The first output index o in [0, n) whose input position o * stride - pad + k is >= 0, and
// the end of those whose position is < size: the outputs a kernel tap (k) reaches.
int firstOutput(int k, int stride, int pad) {
  const int need = pad - k;
  return need <= 0 ? 0 : (need + stride - 1) / stride;
}
int endOutput(int k, int stride, int pad, int size, int n) {
  const int lim = size + pad - k;
  return lim <= 0 ? 0 : std::min(n, (lim + stride - 1) / stride);
}

// Weight-stationary: each tap is added to every output it reaches (a loop the compiler
// vectorises). Every output still receives its taps in (ci, ky, kx) order, starting from the
// bias, exactly as a loop per output that skips the taps outside the input: the double sums,
// and so the outputs, are the same bit for bit.
void conv(const Layer& l, const Shape& is, const Shape& os, const float* in, float* out) {
  const int cinG = is.c / l.groups, coutG = os.c / l.groups;
  const int plane = is.h * is.w, taps = l.kH * l.kW, outPlane = os.h * os.w;
  std::vector<double> acc(static_cast<std::size_t>(outPlane));
  for (int oc = 0; oc < os.c; ++oc) {
    std::fill(acc.begin(), acc.end(), double(l.bias[oc]));
    const float* inG = in + std::size_t(oc / coutG) * cinG * plane;
    const float* wOc = l.weights.data() + std::size_t(oc) * cinG * taps;
    for (int ci = 0; ci < cinG; ++ci) {
      const float* x = inG + ci * plane;
      for (int ky = 0; ky < l.kH; ++ky) {
        const int oy0 = firstOutput(ky, l.strideH, l.padT);
        const int oy1 = endOutput(ky, l.strideH, l.padT, is.h, os.h);
        for (int kx = 0; kx < l.kW; ++kx) {
          const double w = wOc[(ci * l.kH + ky) * l.kW + kx];
          const int ox0 = firstOutput(kx, l.strideW, l.padL);
          const int ox1 = endOutput(kx, l.strideW, l.padL, is.w, os.w);
          for (int oy = oy0; oy < oy1; ++oy) {
            const float* xr = x + (oy * l.strideH - l.padT + ky) * is.w - l.padL + kx;
            double* a = acc.data() + oy * os.w;
            if (l.strideW == 1) {
              for (int ox = ox0; ox < ox1; ++ox) a[ox] += double(xr[ox]) * w;
            } else {
              for (int ox = ox0; ox < ox1; ++ox) a[ox] += double(xr[ox * l.strideW]) * w;
            }
          }
        }
      }
    }
    float* o = out + std::size_t(oc) * outPlane;
    for (int i = 0; i < outPlane; ++i) o[i] = act(l, float(acc[std::size_t(i)]));
  }
}

void pool(const Layer& l, const Shape& is, const Shape& os, const float* in, float* out) {
  for (int c = 0; c < os.c; ++c) {
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        double acc = l.op == Op::MaxPool ? -INFINITY : 0.0;
        int count = 0;
        for (int ky = 0; ky < l.kH; ++ky) {
          const int iy = oy * l.strideH - l.padT + ky;
          if (iy < 0 || iy >= is.h) continue;
          for (int kx = 0; kx < l.kW; ++kx) {
            const int ix = ox * l.strideW - l.padL + kx;
            if (ix < 0 || ix >= is.w) continue;
            const double v = in[(c * is.h + iy) * is.w + ix];
            acc = l.op == Op::MaxPool ? std::max(acc, v) : acc + v;
            ++count;
          }
        }
        if (l.op == Op::AvgPool && count > 0) acc /= count;
        out[(c * os.h + oy) * os.w + ox] = act(l, float(acc));
      }
    }
  }
}

}  // namespace

std::vector<std::vector<float>> runFloat(const Graph& graph, const std::vector<float>& input) {
  std::vector<std::vector<float>> v(graph.shapes.size());
  if (int(input.size()) != graph.shapes[graph.input].size()) {
    throw ModelError("input has " + std::to_string(input.size()) + " values, the model takes " +
                     std::to_string(graph.shapes[graph.input].size()));
  }
  v[graph.input] = input;
  for (const auto& l : graph.layers) {
    const Shape& os = graph.shapes[l.output];
    const Shape& is = graph.shapes[l.inputs[0]];
    const std::vector<float>& in = v[l.inputs[0]];
    std::vector<float> out(os.size());
    switch (l.op) {
      case Op::Conv:
        conv(l, is, os, in.data(), out.data());
        break;
      case Op::Gemm:
        for (int o = 0; o < os.size(); ++o) {
          double acc = l.bias[o];
          for (int i = 0; i < is.size(); ++i) acc += double(in[i]) * l.weights[o * is.size() + i];
          out[o] = act(l, float(acc));
        }
        break;
      case Op::Add: {  // the second input broadcast along its dimensions of 1 (numpy rules)
        const Shape& bs = graph.shapes[l.inputs[1]];
        const std::vector<float>& b = v[l.inputs[1]];
        for (int c = 0; c < os.c; ++c) {
          for (int y = 0; y < os.h; ++y) {
            for (int x = 0; x < os.w; ++x) {
              const int i = (c * os.h + y) * os.w + x;
              const int j =
                  ((bs.c == 1 ? 0 : c) * bs.h + (bs.h == 1 ? 0 : y)) * bs.w + (bs.w == 1 ? 0 : x);
              out[i] = act(l, in[i] + b[j]);
            }
          }
        }
        break;
      }
      case Op::Clamp:
        for (int i = 0; i < os.size(); ++i) out[i] = act(l, in[i]);
        break;
      case Op::MaxPool:
      case Op::AvgPool:
        pool(l, is, os, in.data(), out.data());
        break;
      case Op::Reshape:
        out = in;
        break;
      case Op::Softmax: {
        const float mx = *std::max_element(in.begin(), in.end());
        double sum = 0;
        for (int i = 0; i < os.size(); ++i) sum += std::exp(double(in[i]) - mx);
        for (int i = 0; i < os.size(); ++i) out[i] = float(std::exp(double(in[i]) - mx) / sum);
        break;
      }
    }
    v[l.output] = std::move(out);
  }
  return v;
}

}  // namespace ej::nn
