// One-layer and few-layer graphs with the shapes of the MLPerf Tiny reference networks'
// layers (Banbury et al., "MLPerf Tiny Benchmark", NeurIPS 2021 datasets track; the
// structures of their reference models: DS-CNN keyword spotting, ResNet-8 CIFAR-10,
// MobileNetV1-0.25 visual wake words, the FC autoencoder), with deterministic random weights,
// for cycle counts and the analytic backend's check on layers it was not fitted on.
#pragma once

#include <string>
#include <vector>

#include "sim/nn/graph.h"

namespace ej::nn::testing {

struct NamedGraph {
  std::string name;
  Graph graph;
};

// The layer shapes, each a one-layer graph (ReLU fused where the network has it):
// dscnn-conv1 (1x49x10 -> 64, 10x4, stride 2, pad t4 l1 b5 r2), dscnn-dw (64x25x5,
// depthwise 3x3, pad 1), dscnn-pw (64x25x5 -> 64, 1x1), dscnn-fc (64 -> 12),
// resnet8-conv (16x32x32 -> 16, 3x3, pad 1), resnet8-conv-s2 (16x32x32 -> 32, 3x3, stride 2,
// pad t0 l0 b1 r1), resnet8-proj (16x32x32 -> 32, 1x1, stride 2), mbv1-dw-s2 (16x48x48,
// depthwise 3x3, stride 2, pad b1 r1), mbv1-pw (32x12x12 -> 64, 1x1), ae-fc (640 -> 128).
std::vector<NamedGraph> mlperfLayerShapes();

}  // namespace ej::nn::testing
