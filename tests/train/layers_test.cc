// Gradient checks of the LeNet-5 building blocks against central finite differences.
#include "sim/train/layers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "sim/data/mnist.h"

namespace ej::train {
namespace {

Mat randomMat(Eigen::Index r, Eigen::Index c, uint64_t seed) {
  data::SplitMix64 rng(seed);
  Mat m(r, c);
  for (Eigen::Index i = 0; i < m.size(); ++i)
    m.data()[i] = static_cast<float>(2.0 * rng.uniform() - 1.0);
  return m;
}

// Central difference of F with respect to *X (restored afterwards).
double numericGradient(float* x, const std::function<double()>& f, float eps) {
  const float saved = *x;
  *x = saved + eps;
  const double up = f();
  *x = saved - eps;
  const double down = f();
  *x = saved;
  return (up - down) / (2.0 * static_cast<double>(eps));
}

// The loss sum(R .* out) makes dL/dout = R. Convolution and dense layers are linear in each of
// W, b and the input, so the central difference is exact up to float rounding: with eps = 0.01
// and |L| < 50, rounding of ~50 * 6e-8 over 0.02 gives < 2e-4; we allow 1e-3.
constexpr double kLinearTol = 1e-3;

TEST(LayersTest, ConvolutionGradientsMatchFiniteDifferences) {
  const ConvShape s{2, 3, 3, 5, 6};
  const int batch = 2;
  Mat in = randomMat(s.cin, batch * s.hin * s.win, 1);
  Mat W = randomMat(s.cout, s.patch(), 2);
  Vec b = randomMat(s.cout, 1, 3);
  const Mat R = randomMat(s.cout, batch * s.hout() * s.wout(), 4);
  auto loss = [&] {
    Mat cols, out;
    im2col(in, batch, s, cols);
    affineForward(W, b, cols, out);
    return static_cast<double>((out.array() * R.array()).sum());
  };
  Mat cols, dW, dCols, dIn;
  Vec db;
  im2col(in, batch, s, cols);
  affineBackward(W, cols, R, dW, db, &dCols);
  col2im(dCols, batch, s, dIn);
  for (Eigen::Index i : {0, 5, 11, 17}) {
    EXPECT_NEAR(dW.data()[i], numericGradient(&W.data()[i], loss, 1e-2f), kLinearTol) << i;
  }
  for (Eigen::Index i = 0; i < b.size(); ++i) {
    EXPECT_NEAR(db[i], numericGradient(&b[i], loss, 1e-2f), kLinearTol);
  }
  // Corner, edge and inner pixels of both channels and both samples.
  for (Eigen::Index i : {0, 1, 7, 30, 59, 77, 119}) {
    EXPECT_NEAR(dIn.data()[i], numericGradient(&in.data()[i], loss, 1e-2f), kLinearTol) << i;
  }
}

TEST(LayersTest, Im2colPlacesPatchesInOnnxWeightOrder) {
  // One 1-channel 3x3 image 0..8, kernel 2: the patch of output (0, 1) is pixels 1, 2, 4, 5.
  const ConvShape s{1, 1, 2, 3, 3};
  Mat in(1, 9);
  for (int i = 0; i < 9; ++i) in(0, i) = static_cast<float>(i);
  Mat cols;
  im2col(in, 1, s, cols);
  ASSERT_EQ(cols.rows(), 4);
  ASSERT_EQ(cols.cols(), 4);
  EXPECT_EQ(cols(0, 1), 1.0f);
  EXPECT_EQ(cols(1, 1), 2.0f);
  EXPECT_EQ(cols(2, 1), 4.0f);
  EXPECT_EQ(cols(3, 1), 5.0f);
}

TEST(LayersTest, DenseGradientsMatchFiniteDifferences) {
  Mat in = randomMat(7, 3, 5);
  Mat W = randomMat(4, 7, 6);
  Vec b = randomMat(4, 1, 7);
  const Mat R = randomMat(4, 3, 8);
  auto loss = [&] {
    Mat out;
    affineForward(W, b, in, out);
    return static_cast<double>((out.array() * R.array()).sum());
  };
  Mat dW, dIn;
  Vec db;
  affineBackward(W, in, R, dW, db, &dIn);
  for (Eigen::Index i = 0; i < W.size(); i += 3) {
    EXPECT_NEAR(dW.data()[i], numericGradient(&W.data()[i], loss, 1e-2f), kLinearTol) << i;
  }
  for (Eigen::Index i = 0; i < b.size(); ++i) {
    EXPECT_NEAR(db[i], numericGradient(&b[i], loss, 1e-2f), kLinearTol);
  }
  for (Eigen::Index i = 0; i < in.size(); i += 2) {
    EXPECT_NEAR(dIn.data()[i], numericGradient(&in.data()[i], loss, 1e-2f), kLinearTol) << i;
  }
}

TEST(LayersTest, ReluAndMaxPoolGradientsMatchFiniteDifferences) {
  // Values on a 0.1 grid, all distinct, none within 0.05 of zero: a 1e-3 step crosses no kink
  // of ReLU or max, so the function is linear there and the difference is exact up to rounding.
  const int batch = 2;
  const int h = 4;
  const int w = 4;
  Mat in(2, batch * h * w);
  data::SplitMix64 rng(9);
  std::vector<int> perm(static_cast<std::size_t>(in.size()));
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int>(i);
  for (std::size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(i + 1)]);
  for (Eigen::Index i = 0; i < in.size(); ++i) {
    in.data()[i] = 0.1f * static_cast<float>(perm[static_cast<std::size_t>(i)]) - 3.15f;
  }
  const Mat R = randomMat(2, batch * 4, 10);
  auto loss = [&] {
    Mat a = in, out;
    std::vector<int> arg;
    reluForward(a);
    maxPool2Forward(a, batch, h, w, out, arg);
    return static_cast<double>((out.array() * R.array()).sum());
  };
  Mat a = in, out, dA;
  std::vector<int> arg;
  reluForward(a);
  maxPool2Forward(a, batch, h, w, out, arg);
  maxPool2Backward(R, arg, a.rows(), a.cols(), dA);
  reluBackward(a, dA);
  for (Eigen::Index i = 0; i < in.size(); ++i) {
    // |R| <= 1, rounding of the loss ~1e-6 over 2e-3: tolerance 2e-3.
    EXPECT_NEAR(dA.data()[i], numericGradient(&in.data()[i], loss, 1e-3f), 2e-3) << i;
  }
}

TEST(LayersTest, GateGradientsMatchFiniteDifferencesInTheGateValue) {
  // gateForward is linear in g and in the input: exact differences.
  Mat in = randomMat(3, 8, 11);
  Vec g(3);
  g << 1.0f, 0.0f, 1.0f;
  const Mat R = randomMat(3, 8, 12);
  auto loss = [&] {
    Mat out;
    gateForward(in, g, out);
    return static_cast<double>((out.array() * R.array()).sum());
  };
  Mat dIn;
  Vec dG;
  gateBackward(in, g, R, dIn, dG);
  for (Eigen::Index r = 0; r < 3; ++r) {
    EXPECT_NEAR(dG[r], numericGradient(&g[r], loss, 1e-2f), kLinearTol) << r;
  }
  for (Eigen::Index i = 0; i < in.size(); i += 3) {
    EXPECT_NEAR(dIn.data()[i], numericGradient(&in.data()[i], loss, 1e-2f), kLinearTol) << i;
  }
  // A closed gate passes no gradient to its input, but still gets one itself (it can reopen).
  EXPECT_EQ(dIn.row(1).cwiseAbs().maxCoeff(), 0.0f);
  EXPECT_NE(dG[1], 0.0f);
}

TEST(LayersTest, GateIsHeavisideOfSigmoidWithStraightThroughGradient) {
  // H(sigmoid(S)) with H = 1 for sigmoid > 0.5, i.e. S > 0; sigmoid(0) = 0.5 exactly is closed.
  EXPECT_EQ(gateValue(0.3f), 1.0f);
  EXPECT_EQ(gateValue(-0.3f), 0.0f);
  EXPECT_EQ(gateValue(0.0f), 0.0f);
  // Straight-through: dg/dS = sigmoid'(S) = sigmoid (1 - sigmoid): 0.25 at 0; at S = 2,
  // sigmoid = 0.8807970780, times 0.1192029220 = 0.1049935854 (by hand). Float: 1e-6.
  EXPECT_NEAR(gateScoreGradient(0.0f), 0.25, 1e-6);
  EXPECT_NEAR(gateScoreGradient(2.0f), 0.1049935854, 1e-6);
  EXPECT_NEAR(gateScoreGradient(-2.0f), 0.1049935854, 1e-6);
}

TEST(LayersTest, SoftmaxCrossEntropyOfEqualLogitsIsLnTen) {
  const Mat logits = Mat::Zero(10, 2);
  Mat d;
  // -ln(1/10) = 2.302585093; gradient (0.1 - onehot) / batch.
  EXPECT_NEAR(softmaxCrossEntropy(logits, {3, 7}, d), 2.302585093, 1e-6);
  EXPECT_NEAR(d(3, 0), (0.1 - 1.0) / 2.0, 1e-7);
  EXPECT_NEAR(d(0, 0), 0.1 / 2.0, 1e-7);
  EXPECT_NEAR(d(7, 1), (0.1 - 1.0) / 2.0, 1e-7);
}

TEST(LayersTest, DistillationLossByHand) {
  // alpha = 1 (soft term only), T = 2, one sample. Student logits (2 ln 3, 0, ..., 0): at T = 2
  // its soft probabilities are 3/12 = 0.25 and 1/12 for the nine others; the teacher's logits are
  // equal, so its soft targets are 0.1 each. KL = 0.1 ln(0.1/0.25) + 0.9 ln(1.2) = 0.0724603,
  // times T^2 = 0.2898413. Gradient T (p_s - p_t): 2 (0.25 - 0.1) = 0.3 and 2 (1/12 - 0.1).
  Mat s = Mat::Zero(10, 1);
  s(0, 0) = 2.0f * std::log(3.0f);
  const Mat t = Mat::Zero(10, 1);
  Mat d;
  // Tolerance 1e-6: float logits (2 ln 3 rounded to 1e-7 relative), the sum in double.
  EXPECT_NEAR(distillationLoss(s, t, {5}, 2.0f, 1.0f, d), 0.2898413, 1e-6);
  EXPECT_NEAR(d(0, 0), 0.3, 1e-6);
  EXPECT_NEAR(d(1, 0), 2.0 * (1.0 / 12.0 - 0.1), 1e-6);
  // alpha = 0 is the plain cross-entropy at T = 1: probabilities 9/18 and 1/18, so for
  // label 5 the loss is -ln(1/18) = ln 18.
  EXPECT_NEAR(distillationLoss(s, t, {5}, 2.0f, 0.0f, d), std::log(18.0), 1e-6);
  // A student equal to its teacher has no soft loss and no soft gradient.
  EXPECT_NEAR(distillationLoss(t, t, {5}, 4.0f, 1.0f, d), 0.0, 1e-9);
  EXPECT_NEAR(d.norm(), 0.0, 1e-9);
}

TEST(LayersTest, DistillationGradientMatchesFiniteDifferences) {
  Mat s = 3.0f * randomMat(10, 3, 41);
  const Mat t = 3.0f * randomMat(10, 3, 42);
  const std::vector<uint8_t> labels{2, 9, 0};
  Mat d;
  distillationLoss(s, t, labels, 3.0f, 0.7f, d);
  Mat scratch;
  for (Eigen::Index i = 0; i < s.size(); ++i) {
    const double num = numericGradient(
        s.data() + i, [&] { return distillationLoss(s, t, labels, 3.0f, 0.7f, scratch); }, 1e-2f);
    // The loss is smooth (softmax): truncation eps^2/6 |f'''| < 1e-5 for logits of size ~3
    // (third derivatives of log-softmax are below 1 in these units), float rounding of a loss
    // ~2 over 0.02 about 1e-5; we allow 2e-4.
    EXPECT_NEAR(d.data()[i], num, 2e-4) << "logit " << i;
  }
}

}  // namespace
}  // namespace ej::train
