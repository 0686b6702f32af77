// Float reference forward pass (plain loops, ONNX operator semantics, opset 13).
#include "sim/nn/graph.h"

#include <algorithm>
#include <cmath>

namespace ej::nn {

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

void conv(const Layer& l, const Shape& is, const Shape& os, const float* in, float* out) {
  const int cinG = is.c / l.groups, coutG = os.c / l.groups;
  for (int oc = 0; oc < os.c; ++oc) {
    const int g = oc / coutG;
    for (int oy = 0; oy < os.h; ++oy) {
      for (int ox = 0; ox < os.w; ++ox) {
        double acc = l.bias[oc];
        for (int ci = 0; ci < cinG; ++ci) {
          for (int ky = 0; ky < l.kH; ++ky) {
            const int iy = oy * l.strideH - l.padT + ky;
            if (iy < 0 || iy >= is.h) continue;
            for (int kx = 0; kx < l.kW; ++kx) {
              const int ix = ox * l.strideW - l.padL + kx;
              if (ix < 0 || ix >= is.w) continue;
              acc += double(in[((g * cinG + ci) * is.h + iy) * is.w + ix]) *
                     l.weights[((oc * cinG + ci) * l.kH + ky) * l.kW + kx];
            }
          }
        }
        out[(oc * os.h + oy) * os.w + ox] = act(l, float(acc));
      }
    }
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
