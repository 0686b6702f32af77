// MLPerf Tiny layer shapes as graphs.
#include "tests/nn/layer_shapes.h"

#include "sim/data/mnist.h"

namespace ej::nn::testing {

namespace {

struct Spec {
  const char* name;
  int cin, h, w, cout, kh, kw, stride, padT, padL, padB, padR, groups;
  bool relu;
};

NamedGraph build(const Spec& s, data::SplitMix64& rng) {
  Graph g;
  g.shapes.push_back({s.cin, s.h, s.w});
  Layer l;
  l.name = s.name, l.inputs = {0}, l.output = 1;
  if (s.kh == 0) {
    l.op = Op::Gemm;
    g.shapes.push_back({s.cout, 1, 1});
    l.weights.resize(std::size_t(s.cout) * s.cin * s.h * s.w);
  } else {
    l.op = Op::Conv, l.kH = s.kh, l.kW = s.kw, l.strideH = l.strideW = s.stride;
    l.padT = s.padT, l.padL = s.padL, l.padB = s.padB, l.padR = s.padR, l.groups = s.groups;
    const int oh = (s.h + s.padT + s.padB - s.kh) / s.stride + 1;
    const int ow = (s.w + s.padL + s.padR - s.kw) / s.stride + 1;
    g.shapes.push_back({s.cout, oh, ow});
    l.weights.resize(std::size_t(s.cout) * (s.cin / s.groups) * s.kh * s.kw);
  }
  for (auto& x : l.weights) x = float(rng.uniform() - 0.5);
  l.bias.resize(std::size_t(s.cout));
  for (auto& x : l.bias) x = float(rng.uniform() - 0.5) * 0.1f;
  if (s.relu) l.actMin = 0;
  g.names = {"in", "out"};
  g.input = 0, g.output = 1, g.layers = {l};
  return {s.name, g};
}

}  // namespace

std::vector<NamedGraph> mlperfLayerShapes() {
  data::SplitMix64 rng(1234);
  std::vector<NamedGraph> out;
  for (const Spec& s : std::vector<Spec>{
           {"dscnn-conv1", 1, 49, 10, 64, 10, 4, 2, 4, 1, 5, 2, 1, true},
           {"dscnn-dw", 64, 25, 5, 64, 3, 3, 1, 1, 1, 1, 1, 64, true},
           {"dscnn-pw", 64, 25, 5, 64, 1, 1, 1, 0, 0, 0, 0, 1, true},
           {"dscnn-fc", 64, 1, 1, 12, 0, 0, 1, 0, 0, 0, 0, 1, false},
           {"resnet8-conv", 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, true},
           {"resnet8-conv-s2", 16, 32, 32, 32, 3, 3, 2, 0, 0, 1, 1, 1, true},
           {"resnet8-proj", 16, 32, 32, 32, 1, 1, 2, 0, 0, 0, 0, 1, false},
           {"mbv1-dw-s2", 16, 48, 48, 16, 3, 3, 2, 0, 0, 1, 1, 16, true},
           {"mbv1-pw", 32, 12, 12, 64, 1, 1, 1, 0, 0, 0, 0, 1, true},
           {"ae-fc", 640, 1, 1, 128, 0, 0, 1, 0, 0, 0, 0, 1, true},
       }) {
    out.push_back(build(s, rng));
  }
  return out;
}

}  // namespace ej::nn::testing
