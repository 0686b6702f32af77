// The DS-CNN and the ResNet (sim/train/convnet.h): finite-difference gradient checks of every
// layer (strided and padded conv, depthwise conv, residual add, global average pooling, dense,
// gates), exact compaction, parameter counts by hand, ONNX export read back by our reader and by
// sim/nn's importer, and a short S-method run.
#include "sim/train/convnet.h"

#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <fstream>

#include "sim/core/config.h"
#include "sim/data/mnist.h"
#include "sim/nn/graph.h"
#include "sim/nn/onnx_import.h"
#include "sim/train/onnx_io.h"
#include "sim/train/trainer.h"

namespace ej::train {
namespace {

// Two 28x28 inputs with pixels in [0, 1) from SplitMix64.
Mat randomInput(uint64_t seed, int batch = 2) {
  data::SplitMix64 rng(seed);
  Mat x(1, batch * 784);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>(rng.uniform());
  return x;
}

// The scalar L = sum(R .* logits) for a fixed R, in double; its dL/dlogits is R.
double linearLoss(const ConvNet& net, const Mat& x, const Mat& r) {
  NetCache c;
  forward(net, x, c);
  return (logits(c).cast<double>().array() * r.cast<double>().array()).sum();
}

Mat randomMat(Eigen::Index rows, Eigen::Index cols, uint64_t seed) {
  data::SplitMix64 rng(seed);
  Mat m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] = static_cast<float>(2.0 * rng.uniform() - 1.0);
  return m;
}

// Every weight and bias gradient of NET checked against central differences on up to 12
// entries of each tensor. Step 1e-3 on float32 weights of size ~0.3: the logits (~1-10) carry
// float rounding of ~1e-6 relative, so the difference quotient has ~1e-2 absolute noise at
// worst; a ReLU kink crossed by the step adds an error of the same order only for the few
// entries whose pre-activation is within 1e-3 of zero. Tolerance 2e-2 + 2e-2 |g|: an error in
// a backward formula (a missing term, a wrong index or stride) changes gradients by O(|g|).
void checkGradients(ConvNet net, uint64_t seed) {
  initConvNet(net, seed);
  // Nonzero biases, so that bias gradients and padded borders matter.
  for (std::size_t i = 0; i < net.b.size(); ++i) {
    if (net.b[i].size()) net.b[i] = 0.1f * randomMat(net.b[i].size(), 1, seed + i);
  }
  const Mat x = randomInput(seed);
  NetCache c;
  forward(net, x, c);
  const Mat r = randomMat(10, 2, seed + 99);
  NetGrads g;
  backward(net, c, r, g);
  int checked = 0;
  for (std::size_t i = 0; i < net.W.size(); ++i) {
    if (net.W[i].size() == 0) continue;
    for (int which = 0; which < 2; ++which) {
      const Eigen::Index size = which == 0 ? net.W[i].size() : net.b[i].size();
      const Eigen::Index step = std::max<Eigen::Index>(1, size / 12);
      for (Eigen::Index j = 0; j < size; j += step) {
        float& p = which == 0 ? net.W[i].data()[j] : net.b[i].data()[j];
        const float old = p;
        const float h = 1e-3f;
        p = old + h;
        const double up = linearLoss(net, x, r);
        p = old - h;
        const double down = linearLoss(net, x, r);
        p = old;
        const double fd = (up - down) / (2.0 * h);
        const double an = which == 0 ? g.W[i].data()[j] : g.b[i].data()[j];
        EXPECT_NEAR(an, fd, 2e-2 + 2e-2 * std::abs(an))
            << net.nodes[i].name << (which == 0 ? " weight " : " bias ") << j;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(ConvNetTest, DsCnnGradientsMatchFiniteDifferences) {
  checkGradients(makeDsCnn(3, 4, 5, 4), 11);
}

TEST(ConvNetTest, ResNetGradientsMatchFiniteDifferences) {
  checkGradients(makeResNet(3, 4, 4, 5), 12);
}

// With closed gates the backward pass must still be right: the gated network's gradients
// against finite differences (closed channels give zero, and the shared gates of a space
// appear at several nodes).
TEST(ConvNetTest, GatedGradientsMatchFiniteDifferences) {
  for (ConvNet net : {makeDsCnn(3, 4, 5, 4), makeResNet(3, 4, 4, 5)}) {
    for (std::size_t s = 2; s < net.width.size(); ++s) {
      net.score[s] = Vec::Constant(net.width[s], 1.0f);
      net.score[s][1] = -1.0f;  // channel 1 of every hidden space closed
    }
    checkGradients(net, 13);
  }
}

// dL/dg of a gate whose channel only feeds linear layers (the last space: gate -> global
// average pool -> dense) equals L(open) - L(closed) exactly, L being linear in g there.
TEST(ConvNetTest, GateGradientIsTheEffectOfClosingTheLastChannel) {
  for (ConvNet net : {makeDsCnn(3, 4, 5, 4), makeResNet(3, 4, 4, 5)}) {
    initConvNet(net, 5);
    const std::size_t last = net.width.size() - 1;
    for (std::size_t s = 2; s < net.width.size(); ++s)
      net.score[s] = Vec::Constant(net.width[s], 1.0f);
    const Mat x = randomInput(6);
    const Mat r = randomMat(10, 2, 7);
    NetCache c;
    forward(net, x, c);
    NetGrads g;
    backward(net, c, r, g);
    for (int j = 0; j < net.width[last]; ++j) {
      const double open = linearLoss(net, x, r);
      net.score[last][j] = -1.0f;
      const double closed = linearLoss(net, x, r);
      net.score[last][j] = 1.0f;
      // float32 sums of ~100 terms of size ~1: 1e-4 covers their rounding.
      EXPECT_NEAR(g.gate[last][j], open - closed, 1e-4 + 1e-4 * std::abs(open - closed))
          << net.family << " channel " << j;
    }
  }
}

// Removing the channels whose gates are closed leaves the function unchanged: a closed
// channel is zero wherever it is read (in a depthwise conv's output and after a residual sum
// too, which are gated again).
TEST(ConvNetTest, CompactNetworkComputesTheGatedOne) {
  for (ConvNet net : {makeDsCnn(), makeResNet()}) {
    initConvNet(net, 21);
    for (std::size_t i = 0; i < net.b.size(); ++i) {
      if (net.b[i].size()) net.b[i] = 0.1f * randomMat(net.b[i].size(), 1, 30 + i);
    }
    data::SplitMix64 rng(22);
    for (std::size_t s = 2; s < net.width.size(); ++s) {
      net.score[s].resize(net.width[s]);
      for (auto& v : net.score[s]) v = rng.uniform() < 0.4 ? -1.0f : 1.0f;
    }
    const ConvNet small = net.compact();
    EXPECT_FALSE(small.gated());
    EXPECT_EQ(small.paramCount(), net.paramCount(net.openWidths()));
    EXPECT_LT(small.paramCount(), net.paramCount());
    const Mat x = randomInput(23, 3);
    NetCache a, b;
    forward(net, x, a);
    forward(small, x, b);
    // The same sums in the same order minus exact zeros: equal to float rounding (1e-5).
    EXPECT_LT((logits(a) - logits(b)).cwiseAbs().maxCoeff(), 1e-5f) << net.family;
  }
}

// Parameters by hand. DS-CNN 16-32-64-64: conv0 16*(9+1) + dw1 16*(9+1) + pw1 32*(16+1) + dw2
// 32*(9+1) + pw2 64*(32+1) + dw3 64*(9+1) + pw3 64*(64+1) + fc 10*(64+1) = 160 + 160 + 544 +
// 320 + 2,112 + 640 + 4,160 + 650 = 8,746.
// ResNet 8-8-16-16: stem 8*10 + block1 8*(72+1) * 2 + block2 16*(72+1) + 16*(144+1) + shortcut
// 16*(8+1) + fc 10*17 = 80 + 1,168 + 1,168 + 2,320 + 144 + 170 = 5,050.
TEST(ConvNetTest, ParameterCountsByHand) {
  EXPECT_EQ(makeDsCnn().paramCount(), 8746);
  EXPECT_EQ(makeResNet().paramCount(), 5050);
  const ConvNet ds = makeDsCnn();
  EXPECT_EQ(ds.paramCount({1, 10, 1, 1, 1, 1}), 10 + 10 + 2 + 10 + 2 + 10 + 2 + 20);
}

// The float export read back by our reader gives the same weights, and sim/nn's importer
// computes the same logits as our forward pass; the QDQ export passes ONNX's checker and its
// weights read back are the dequantized int8 ones.
TEST(ConvNetTest, OnnxExportMatchesTheTrainerAndSimNn) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ej_convnet_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  const data::MnistSplit split = data::loadMnistSplit();
  for (ConvNet net : {makeDsCnn(6, 7, 9, 5), makeResNet(5, 4, 6, 7)}) {
    initConvNet(net, 31);
    for (std::size_t i = 0; i < net.b.size(); ++i) {
      if (net.b[i].size()) net.b[i] = 0.1f * randomMat(net.b[i].size(), 1, 40 + i);
    }
    const auto file = dir / (net.family + ".onnx");
    writeConvNetOnnx(net, file, {{"edgejoule.method", "test"}});
    onnx::ModelProto m;
    {
      std::ifstream in(file, std::ios::binary);
      ASSERT_TRUE(m.ParseFromIstream(&in));
    }
    EXPECT_NO_THROW(onnx::checker::check_model(m));
    EXPECT_EQ(onnxFamily(file), net.family);
    const ConvNet back = readConvNetOnnx(file);
    EXPECT_EQ(back.width, net.width);
    for (std::size_t i = 0; i < net.W.size(); ++i) {
      EXPECT_EQ(back.W[i], net.W[i]) << net.nodes[i].name;
      EXPECT_EQ(back.b[i], net.b[i]) << net.nodes[i].name;
    }
    const nn::Graph graph = nn::importOnnx(file);
    const Mat x = randomInput(32, 1);
    const std::vector<float> input(x.data(), x.data() + x.size());
    const auto values = nn::runFloat(graph, input);
    const auto& out = values[static_cast<std::size_t>(graph.output)];
    NetCache c;
    forward(net, x, c);
    ASSERT_EQ(out.size(), 10u);
    // Two float32 implementations summing in different orders: 1e-4 on logits of size ~1.
    for (int k = 0; k < 10; ++k) EXPECT_NEAR(out[k], logits(c)(k, 0), 1e-4f) << net.family;

    const ConvNetInt8 q = quantizeConvNet(net, calibrationSet(split.train, 100));
    const auto qfile = dir / (net.family + "-int8.onnx");
    writeConvNetQdqOnnx(net, q, qfile);
    onnx::ModelProto qm;
    {
      std::ifstream in(qfile, std::ios::binary);
      ASSERT_TRUE(qm.ParseFromIstream(&in));
    }
    EXPECT_NO_THROW(onnx::checker::check_model(qm));
    const ConvNet qback = readConvNetOnnx(qfile);
    for (std::size_t i = 0; i < net.W.size(); ++i) {
      // DequantizeLinear computes (q - 0) * scale in float32, as dequantized does.
      EXPECT_EQ(qback.W[i], q.dequantized.W[i]) << net.nodes[i].name;
    }
    // The int8 model's own accuracy within 2 points of the float one on 500 test digits
    // (random weights classify near chance; the check is that quantization does not break it:
    // 8-bit activations change the argmax of only a few near-ties).
    const data::MnistSet test = data::subset(split.test, [] {
      std::vector<int> idx(500);
      for (int i = 0; i < 500; ++i) idx[static_cast<std::size_t>(i)] = i;
      return idx;
    }());
    EXPECT_NEAR(accuracy(q.dequantized, test, &q.act), accuracy(net, test), 0.02) << net.family;
  }
  std::filesystem::remove_all(dir);
}

// A short S-method run on 1,000 training digits (evenly spaced: the split's sets are sorted by
// package index) with a narrower DS-CNN: the result fits the target, has fewer channels, is a
// working classifier (well above the 10 % of chance), and the run is reproducible bit for bit.
TEST(ConvNetTest, SMethodPrunesDsCnnToTheTarget) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  const data::MnistSplit split = data::loadMnistSplit();
  std::vector<int> idx;
  for (int i = 0; i < 1000; ++i) idx.push_back(i * 7);
  const data::MnistSet small = data::subset(split.train, idx);
  TrainOptions o;
  o.epochs = 15;
  o.learningRate = 3e-3f;
  o.seed = 3;
  ConvNet net = makeDsCnn(8, 16, 16, 16);
  initConvNet(net, 3);
  train(net, small, o);
  const double dense = accuracy(net, split.validation);
  // 0.595 in our run: this narrow network learns slowly from 1,000 digits (no batch
  // normalisation); 0.5 is five times chance (0.1).
  EXPECT_GT(dense, 0.5);
  SMethodOptions so;
  const long target = net.paramCount() / 2;
  so.targetParams = target;
  so.lambda = 20.0f;  // start where the gates close within a few epochs on this small set
  so.pruneEpochs = 30;
  so.lambdaGrowth = 2.0f;
  so.finetuneEpochs = 5;
  const ConvNet pruned = pruneSMethod(net, small, o, so);
  EXPECT_LE(pruned.paramCount(), target);
  EXPECT_GT(pruned.paramCount(), target * 3 / 4);  // the refill reopens channels up to the target
  EXPECT_FALSE(pruned.gated());
  // Half the parameters after 5 fine-tuning epochs on 1,000 digits: 0.499 in our run, and
  // 0.3 is three times chance (a broken compaction or fine-tuning leaves ~0.1).
  EXPECT_GT(accuracy(pruned, split.validation), 0.3);
  const ConvNet again = pruneSMethod(net, small, o, so);
  EXPECT_EQ(again.width, pruned.width);
  EXPECT_EQ(again.W.back(), pruned.W.back());
}

}  // namespace
}  // namespace ej::train
