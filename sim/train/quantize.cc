// Post-training int8 quantization; see quantize.h.
#include "sim/train/quantize.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ej::train {
ActQuant actQuantFromRange(float lo, float hi) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  if (hi - lo <= 0.0f) hi = lo + 1.0f;
  ActQuant q;
  q.scale = (hi - lo) / 255.0f;
  q.zeroPoint =
      static_cast<int>(std::clamp(std::nearbyint(-128.0f - lo / q.scale), -128.0f, 127.0f));
  return q;
}

ActQuantSet calibrate(const LeNet5& net, const data::MnistSet& calib) {
  std::array<float, kQuantPoints> lo{}, hi{};
  lo.fill(0.0f);
  hi.fill(0.0f);
  Cache cache;
  Mat x;
  constexpr std::size_t kBatch = 250;
  for (std::size_t begin = 0; begin < calib.size(); begin += kBatch) {
    const std::size_t count = std::min(kBatch, calib.size() - begin);
    loadBatch(calib, {}, begin, count, x);
    forward(net, x, cache, nullptr);
    const Mat* points[kQuantPoints] = {&cache.x,  &cache.a1, &cache.a2,
                                       &cache.h1, &cache.h2, &cache.logits};
    for (std::size_t p = 0; p < kQuantPoints; ++p) {
      lo[p] = std::min(lo[p], points[p]->minCoeff());
      hi[p] = std::max(hi[p], points[p]->maxCoeff());
    }
  }
  ActQuantSet act;
  for (std::size_t p = 0; p < kQuantPoints; ++p) act[p] = actQuantFromRange(lo[p], hi[p]);
  return act;
}

Int8Model quantize(const LeNet5& net, const ActQuantSet& act) {
  Int8Model m;
  m.arch = net.arch;
  m.act = act;
  for (std::size_t l = 0; l < kLayers; ++l) {
    const Mat& w = net.W[l];
    Int8Layer& q = m.layers[l];
    const float inScale = act[l].scale;  // layer l reads quantization point l
    q.weight.resize(w.rows(), w.cols());
    q.weightScale.resize(w.rows());
    q.bias.resize(w.rows());
    q.biasScale.resize(w.rows());
    for (Eigen::Index r = 0; r < w.rows(); ++r) {
      const float maxAbs = w.row(r).cwiseAbs().maxCoeff();
      const float s = maxAbs > 0.0f ? maxAbs / 127.0f : 1.0f;
      q.weightScale[r] = s;
      for (Eigen::Index c = 0; c < w.cols(); ++c) {
        q.weight(r, c) =
            static_cast<int8_t>(std::clamp(std::nearbyint(w(r, c) / s), -127.0f, 127.0f));
      }
      q.biasScale[r] = inScale * s;
      q.bias[r] =
          static_cast<int>(std::nearbyint(static_cast<double>(net.b[l][r]) / q.biasScale[r]));
    }
  }
  return m;
}

LeNet5 Int8Model::dequantized() const {
  LeNet5 net;
  net.arch = arch;
  for (std::size_t l = 0; l < kLayers; ++l) {
    const Int8Layer& q = layers[l];
    net.W[l] = q.weightScale.asDiagonal() * q.weight.cast<float>();
    net.b[l] = q.bias.cast<float>().cwiseProduct(q.biasScale);
  }
  return net;
}

data::MnistSet calibrationSet(const data::MnistSet& trainSet, std::size_t count, uint64_t seed) {
  std::vector<int> order(trainSet.size());
  std::iota(order.begin(), order.end(), 0);
  data::SplitMix64 rng(seed);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  order.resize(std::min(count, order.size()));
  return data::subset(trainSet, order);
}

}  // namespace ej::train
