// LeNet-5 shapes, parameter counting, gating and compaction, and a whole-network gradient check.
#include "sim/train/lenet5.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ej::train {
namespace {

Mat randomImages(int batch, uint64_t seed) {
  data::SplitMix64 rng(seed);
  Mat x(1, batch * data::kMnistPixels);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform());
  return x;
}

TEST(LeNet5Test, DenseLeNet5HasExactly44426Parameters) {
  // conv1 6*(25+1) = 156, conv2 16*(150+1) = 2416, fc1 256*120+120 = 30840,
  // fc2 120*84+84 = 10164, fc3 84*10+10 = 850: 44,426.
  EXPECT_EQ(Arch{}.paramCount(), 44426);
  const LeNet5 net = LeNet5::init({}, 1);
  const long sizes[kLayers] = {156, 2416, 30840, 10164, 850};
  long total = 0;
  for (std::size_t l = 0; l < kLayers; ++l) {
    EXPECT_EQ(net.W[l].size() + net.b[l].size(), sizes[l]) << l;
    total += net.W[l].size() + net.b[l].size();
  }
  EXPECT_EQ(total, 44426);
  EXPECT_EQ(net.W[2].cols(), 256);  // 16 channels x 4 x 4 after the second pooling
  // The smallest network (one neuron per layer): 26 + 26 + 17 + 2 + 20 = 91.
  EXPECT_EQ((Arch{1, 1, 1, 1}.paramCount()), 91);
}

TEST(LeNet5Test, ForwardGivesTenLogitsPerImage) {
  const LeNet5 net = LeNet5::init({}, 2);
  Cache c;
  forward(net, randomImages(3, 3), c);
  EXPECT_EQ(c.logits.rows(), 10);
  EXPECT_EQ(c.logits.cols(), 3);
  EXPECT_EQ(c.a1.cols(), 3 * 24 * 24);
  EXPECT_EQ(c.p2.cols(), 3 * 16);
}

TEST(LeNet5Test, CompactNetworkComputesWhatTheGatedOneComputes) {
  LeNet5 net = LeNet5::init({}, 4);
  data::SplitMix64 rng(5);
  const int widths[kGated] = {6, 16, 120, 84};
  for (std::size_t l = 0; l < kGated; ++l) {
    net.score[l].resize(widths[l]);
    for (auto& s : net.score[l]) s = static_cast<float>(rng.uniform() - 0.4);
  }
  const Arch open = net.openArch();
  EXPECT_LT(open.c2, 16);
  const LeNet5 small = net.compact();
  EXPECT_TRUE(small.arch == open);
  EXPECT_FALSE(small.gated());
  EXPECT_EQ(small.paramCount(), open.paramCount());
  long total = 0;
  for (std::size_t l = 0; l < kLayers; ++l) total += small.W[l].size() + small.b[l].size();
  EXPECT_EQ(total, open.paramCount());
  const Mat x = randomImages(2, 6);
  Cache a, b;
  forward(net, x, a);
  forward(small, x, b);
  // Same sums in a different order: float rounding only.
  EXPECT_LT((a.logits - b.logits).cwiseAbs().maxCoeff(), 1e-4f);
}

TEST(LeNet5Test, AllClosedLayerKeepsItsBestNeuronOpen) {
  LeNet5 net = LeNet5::init({}, 7);
  const int widths[kGated] = {6, 16, 120, 84};
  for (std::size_t l = 0; l < kGated; ++l) net.score[l] = Vec::Constant(widths[l], -1.0f);
  net.score[1][9] = -0.5f;
  const Vec g = net.gates(1);
  EXPECT_EQ(g.sum(), 1.0f);
  EXPECT_EQ(g[9], 1.0f);
  EXPECT_TRUE((net.openArch() == Arch{1, 1, 1, 1}));
}

TEST(LeNet5Test, WholeNetworkGradientMatchesFiniteDifferences) {
  // A small gated network (all gates open); cross-entropy loss. ReLU and max kinks make the
  // loss only piecewise smooth, so: step 1e-3, compared where |grad| > 1e-3, relative
  // tolerance 5 % or 2e-3 absolute (float32 loss rounding ~1e-7 / 2e-3 = 5e-5 is far below).
  LeNet5 net = LeNet5::init({3, 4, 8, 6}, 8);
  for (auto& s : net.score) s.resize(0);
  const Mat x = randomImages(4, 9);
  const std::vector<uint8_t> labels{1, 7, 3, 0};
  Cache c;
  Grads g;
  Mat d;
  forward(net, x, c);
  softmaxCrossEntropy(c.logits, labels, d);
  backward(net, c, d, g);
  auto loss = [&] {
    Cache cc;
    Mat dd;
    forward(net, x, cc);
    return static_cast<double>(softmaxCrossEntropy(cc.logits, labels, dd));
  };
  int checked = 0;
  for (std::size_t l = 0; l < kLayers; ++l) {
    for (Eigen::Index i = 0; i < net.W[l].size();
         i += std::max<Eigen::Index>(1, net.W[l].size() / 5)) {
      float& w = net.W[l].data()[i];
      const float saved = w;
      w = saved + 1e-3f;
      const double up = loss();
      w = saved - 1e-3f;
      const double down = loss();
      w = saved;
      const double numeric = (up - down) / 2e-3;
      const double analytic = g.W[l].data()[i];
      EXPECT_NEAR(analytic, numeric, std::max(2e-3, 0.05 * std::abs(numeric))) << l << " " << i;
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace ej::train
