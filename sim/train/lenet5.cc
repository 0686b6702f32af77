// LeNet-5 forward and backward passes; see lenet5.h.
#include "sim/train/lenet5.h"

#include <algorithm>
#include <cmath>

namespace ej::train {
namespace {

constexpr int kSide = 28;
constexpr int kK = 5;

ConvShape conv1Shape(const Arch& a) { return {1, a.c1, kK, kSide, kSide}; }
ConvShape conv2Shape(const Arch& a) { return {a.c1, a.c2, kK, 12, 12}; }

void quantizeInPlace(Mat& m, const ActQuantSet* quant, int point) {
  if (!quant) return;
  const ActQuant& q = (*quant)[static_cast<std::size_t>(point)];
  m = m.unaryExpr([&q](float v) { return q.apply(v); });
}

std::vector<int> openIndex(const Vec& g) {
  std::vector<int> idx;
  for (Eigen::Index i = 0; i < g.size(); ++i) {
    if (g[i] > 0.5f) idx.push_back(static_cast<int>(i));
  }
  return idx;
}

// The rows ROWS of M.
Mat takeRows(const Mat& m, const std::vector<int>& rows) {
  Mat out(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
  return out;
}
Vec takeRows(const Vec& v, const std::vector<int>& rows) {
  Vec out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out[static_cast<Eigen::Index>(i)] = v[rows[i]];
  return out;
}
// The column blocks BLOCKS (each WIDTH wide) of M.
Mat takeColumnBlocks(const Mat& m, const std::vector<int>& blocks, int width) {
  Mat out(m.rows(), static_cast<Eigen::Index>(blocks.size()) * width);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    out.middleCols(static_cast<Eigen::Index>(i) * width, width) =
        m.middleCols(static_cast<Eigen::Index>(blocks[i]) * width, width);
  }
  return out;
}

}  // namespace

long Arch::paramCount() const {
  return static_cast<long>(c1) * (25 + 1) + static_cast<long>(c2) * (25L * c1 + 1) +
         static_cast<long>(f1) * (16L * c2 + 1) + static_cast<long>(f2) * (f1 + 1) + 10L * (f2 + 1);
}

float ActQuant::apply(float x) const {
  const float q = std::nearbyint(x / scale) + static_cast<float>(zeroPoint);
  return scale * (std::clamp(q, -128.0f, 127.0f) - static_cast<float>(zeroPoint));
}

LeNet5 LeNet5::init(const Arch& arch, uint64_t seed) {
  LeNet5 net;
  net.arch = arch;
  const int rows[kLayers] = {arch.c1, arch.c2, arch.f1, arch.f2, 10};
  const int fanIn[kLayers] = {25, 25 * arch.c1, 16 * arch.c2, arch.f1, arch.f2};
  data::SplitMix64 rng(seed);
  for (int l = 0; l < kLayers; ++l) {
    const float stddev = std::sqrt(2.0f / static_cast<float>(fanIn[l]));
    Mat& w = net.W[static_cast<std::size_t>(l)];
    w.resize(rows[l], fanIn[l]);
    // Box-Muller transform (Box & Muller 1958) on SplitMix64 uniforms: portable across
    // standard libraries, unlike std::normal_distribution.
    for (Eigen::Index i = 0; i < w.size(); ++i) {
      const double u1 = 1.0 - rng.uniform();
      const double u2 = rng.uniform();
      w.data()[i] =
          static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2)) * stddev;
    }
    net.b[static_cast<std::size_t>(l)] = Vec::Zero(rows[l]);
  }
  return net;
}

long LeNet5::nonzeroParams() const {
  long n = 0;
  for (int l = 0; l < kLayers; ++l) {
    n += static_cast<long>((W[static_cast<std::size_t>(l)].array() != 0.0f).count());
    n += static_cast<long>((b[static_cast<std::size_t>(l)].array() != 0.0f).count());
  }
  return n;
}

Vec LeNet5::gates(int layer) const {
  const Vec& s = score[static_cast<std::size_t>(layer)];
  if (s.size() == 0) {
    const int n[kGated] = {arch.c1, arch.c2, arch.f1, arch.f2};
    return Vec::Ones(n[layer]);
  }
  Vec g = s.unaryExpr([](float v) { return gateValue(v); });
  if (g.sum() == 0.0f) {
    Eigen::Index best = 0;
    s.maxCoeff(&best);
    g[best] = 1.0f;
  }
  return g;
}

Arch LeNet5::openArch() const {
  auto open = [this](int l) { return static_cast<int>(gates(l).sum()); };
  return {open(0), open(1), open(2), open(3)};
}

LeNet5 LeNet5::compact() const {
  const auto k1 = openIndex(gates(0));
  const auto k2 = openIndex(gates(1));
  const auto k3 = openIndex(gates(2));
  const auto k4 = openIndex(gates(3));
  LeNet5 out;
  out.arch = openArch();
  out.W[0] = takeRows(W[0], k1);
  out.b[0] = takeRows(b[0], k1);
  out.W[1] = takeColumnBlocks(takeRows(W[1], k2), k1, 25);
  out.b[1] = takeRows(b[1], k2);
  out.W[2] = takeColumnBlocks(takeRows(W[2], k3), k2, 16);
  out.b[2] = takeRows(b[2], k3);
  out.W[3] = takeColumnBlocks(takeRows(W[3], k4), k3, 1);
  out.b[3] = takeRows(b[3], k4);
  out.W[4] = takeColumnBlocks(W[4], k4, 1);
  out.b[4] = b[4];
  if (masked()) {
    out.maskW[0] = takeRows(maskW[0], k1);
    out.maskB[0] = takeRows(maskB[0], k1);
    out.maskW[1] = takeColumnBlocks(takeRows(maskW[1], k2), k1, 25);
    out.maskB[1] = takeRows(maskB[1], k2);
    out.maskW[2] = takeColumnBlocks(takeRows(maskW[2], k3), k2, 16);
    out.maskB[2] = takeRows(maskB[2], k3);
    out.maskW[3] = takeColumnBlocks(takeRows(maskW[3], k4), k3, 1);
    out.maskB[3] = takeRows(maskB[3], k4);
    out.maskW[4] = takeColumnBlocks(maskW[4], k4, 1);
    out.maskB[4] = maskB[4];
  }
  return out;
}

void LeNet5::applyMasks() {
  if (!masked()) return;
  for (std::size_t l = 0; l < kLayers; ++l) {
    W[l].array() *= maskW[l].array();
    b[l].array() *= maskB[l].array();
  }
}

void loadBatch(const data::MnistSet& set, const std::vector<int>& index, std::size_t begin,
               std::size_t count, Mat& x, const std::vector<std::array<int, 2>>* shifts) {
  x.resize(1, static_cast<Eigen::Index>(count) * data::kMnistPixels);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t src = index.empty() ? begin + i : static_cast<std::size_t>(index[begin + i]);
    const auto& image = set.images[src];
    float* dst = x.data() + i * data::kMnistPixels;
    if (!shifts) {
      std::copy(image.begin(), image.end(), dst);
      continue;
    }
    const int dy = (*shifts)[i][0];
    const int dx = (*shifts)[i][1];
    for (int y = 0; y < kSide; ++y) {
      for (int xx = 0; xx < kSide; ++xx) {
        const int sy = y - dy;
        const int sx = xx - dx;
        dst[y * kSide + xx] = (sy >= 0 && sy < kSide && sx >= 0 && sx < kSide)
                                  ? image[static_cast<std::size_t>(sy * kSide + sx)]
                                  : 0.0f;
      }
    }
  }
}

void forward(const LeNet5& net, const Mat& x, Cache& c, const ActQuantSet* quant) {
  const Arch& a = net.arch;
  const int batch = static_cast<int>(x.cols() / data::kMnistPixels);
  c.batch = batch;
  const bool gated = net.gated();
  for (int l = 0; l < kGated; ++l) c.gates[static_cast<std::size_t>(l)] = net.gates(l);

  c.x = x;
  quantizeInPlace(c.x, quant, 0);
  im2col(c.x, batch, conv1Shape(a), c.cols1);
  affineForward(net.W[0], net.b[0], c.cols1, c.a1);
  reluForward(c.a1);
  quantizeInPlace(c.a1, quant, 1);
  maxPool2Forward(c.a1, batch, 24, 24, c.p1, c.arg1);
  if (gated) gateForward(c.p1, c.gates[0], c.g1);
  const Mat& in2 = gated ? c.g1 : c.p1;

  im2col(in2, batch, conv2Shape(a), c.cols2);
  affineForward(net.W[1], net.b[1], c.cols2, c.a2);
  reluForward(c.a2);
  quantizeInPlace(c.a2, quant, 2);
  maxPool2Forward(c.a2, batch, 8, 8, c.p2, c.arg2);
  if (gated) gateForward(c.p2, c.gates[1], c.g2);
  flatten(gated ? c.g2 : c.p2, batch, 16, c.flat);

  affineForward(net.W[2], net.b[2], c.flat, c.h1);
  reluForward(c.h1);
  quantizeInPlace(c.h1, quant, 3);
  if (gated) gateForward(c.h1, c.gates[2], c.g3);
  affineForward(net.W[3], net.b[3], gated ? c.g3 : c.h1, c.h2);
  reluForward(c.h2);
  quantizeInPlace(c.h2, quant, 4);
  if (gated) gateForward(c.h2, c.gates[3], c.g4);
  affineForward(net.W[4], net.b[4], gated ? c.g4 : c.h2, c.logits);
  quantizeInPlace(c.logits, quant, 5);
}

void backward(const LeNet5& net, Cache& c, const Mat& dLogits, Grads& g) {
  const Arch& a = net.arch;
  const bool gated = net.gated();
  const int batch = c.batch;
  Mat d, dIn;

  affineBackward(net.W[4], gated ? c.g4 : c.h2, dLogits, g.W[4], g.b[4], &d);
  if (gated) {
    gateBackward(c.h2, c.gates[3], d, dIn, g.gate[3]);
    d.swap(dIn);
  }
  reluBackward(c.h2, d);
  affineBackward(net.W[3], gated ? c.g3 : c.h1, d, g.W[3], g.b[3], &dIn);
  d.swap(dIn);
  if (gated) {
    gateBackward(c.h1, c.gates[2], d, dIn, g.gate[2]);
    d.swap(dIn);
  }
  reluBackward(c.h1, d);
  affineBackward(net.W[2], c.flat, d, g.W[2], g.b[2], &dIn);
  unflatten(dIn, batch, 16, d);
  if (gated) {
    gateBackward(c.p2, c.gates[1], d, dIn, g.gate[1]);
    d.swap(dIn);
  }
  maxPool2Backward(d, c.arg2, c.a2.rows(), c.a2.cols(), dIn);
  d.swap(dIn);
  reluBackward(c.a2, d);
  Mat dCols;
  affineBackward(net.W[1], c.cols2, d, g.W[1], g.b[1], &dCols);
  col2im(dCols, batch, conv2Shape(a), d);
  if (gated) {
    gateBackward(c.p1, c.gates[0], d, dIn, g.gate[0]);
    d.swap(dIn);
  }
  maxPool2Backward(d, c.arg1, c.a1.rows(), c.a1.cols(), dIn);
  d.swap(dIn);
  reluBackward(c.a1, d);
  affineBackward(net.W[0], c.cols1, d, g.W[0], g.b[0], nullptr);
}

std::vector<int> predict(const LeNet5& net, const data::MnistSet& set, const ActQuantSet* quant) {
  constexpr std::size_t kBatch = 250;
  std::vector<int> out;
  out.reserve(set.size());
  Cache cache;
  Mat x;
  for (std::size_t begin = 0; begin < set.size(); begin += kBatch) {
    const std::size_t count = std::min(kBatch, set.size() - begin);
    loadBatch(set, {}, begin, count, x);
    forward(net, x, cache, quant);
    for (Eigen::Index j = 0; j < cache.logits.cols(); ++j) {
      Eigen::Index best = 0;
      cache.logits.col(j).maxCoeff(&best);
      out.push_back(static_cast<int>(best));
    }
  }
  return out;
}

double accuracy(const LeNet5& net, const data::MnistSet& set, const ActQuantSet* quant) {
  if (set.size() == 0) return 0.0;
  const auto pred = predict(net, set, quant);
  std::size_t right = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) right += (pred[i] == set.labels[i]);
  return static_cast<double>(right) / static_cast<double>(set.size());
}

}  // namespace ej::train
