// Int8 quantization arithmetic against hand-worked values.
#include "sim/train/quantize.h"

#include <gtest/gtest.h>

namespace ej::train {
namespace {

TEST(QuantizeTest, ActivationQuantizationRoundsAndSaturates) {
  const ActQuant q{0.1f, -128};
  // 0.26 / 0.1 = 2.6 -> 3, q = -125, back to 0.3.
  EXPECT_NEAR(q.apply(0.26f), 0.3f, 1e-6f);
  // 30 / 0.1 = 300 - 128 = 172 saturates at 127: (127 + 128) * 0.1 = 25.5.
  EXPECT_NEAR(q.apply(30.0f), 25.5f, 1e-5f);
  // Below the range: -1 / 0.1 - 128 = -138 saturates at -128 -> 0.
  EXPECT_EQ(q.apply(-1.0f), 0.0f);
  // Half-way cases round to even (ONNX QuantizeLinear): 2.5 -> 2, 3.5 -> 4.
  const ActQuant unit{1.0f, 0};
  EXPECT_EQ(unit.apply(2.5f), 2.0f);
  EXPECT_EQ(unit.apply(3.5f), 4.0f);
}

TEST(QuantizeTest, WeightsArePerChannelSymmetricAndBiasesInt32) {
  LeNet5 net = LeNet5::init({1, 1, 1, 1}, 1);
  net.W[0].setZero();
  net.W[0](0, 0) = 0.5f;
  net.W[0](0, 1) = -1.27f;
  net.W[0](0, 2) = 0.1f;
  net.b[0][0] = 0.3f;
  ActQuantSet act;
  act[0] = {1.0f / 255.0f, -128};
  const Int8Model q = quantize(net, act);
  // Scale = max|w| / 127 = 1.27 / 127 = 0.01; q = 50, -127, 10.
  EXPECT_NEAR(q.layers[0].weightScale[0], 0.01f, 1e-8f);
  EXPECT_EQ(q.layers[0].weight(0, 0), 50);
  EXPECT_EQ(q.layers[0].weight(0, 1), -127);
  EXPECT_EQ(q.layers[0].weight(0, 2), 10);
  EXPECT_EQ(q.layers[0].weight(0, 3), 0);
  // Bias scale = (1/255) * 0.01 = 3.9216e-5; 0.3 / that = 7650.
  EXPECT_EQ(q.layers[0].bias[0], 7650);
}

TEST(QuantizeTest, CalibratedInputRangeIsZeroToOne) {
  // Digits span [0, 1]: scale 1/255, zero point round(-128 - 0) = -128.
  data::MnistSet set;
  data::MnistImage img{};
  img[100] = 1.0f;
  set.images = {img};
  set.labels = {0};
  set.packageIndex = {0};
  const ActQuantSet act = calibrate(LeNet5::init({}, 1), set);
  EXPECT_NEAR(act[0].scale, 1.0f / 255.0f, 1e-9f);
  EXPECT_EQ(act[0].zeroPoint, -128);
  // ReLU outputs are >= 0: their zero point is -128 too.
  EXPECT_EQ(act[1].zeroPoint, -128);
}

}  // namespace
}  // namespace ej::train
