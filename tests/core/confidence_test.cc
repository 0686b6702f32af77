// The Wilson score interval against values worked out by hand.
#include "sim/core/confidence.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ej::core {
namespace {

TEST(ConfidenceTest, WilsonIntervalAtZeroSuccessesIsZSquaredOverNPlusZSquared) {
  // p = 0: centre = half = (z^2 / 2n) / (1 + z^2/n), so the interval is [0, z^2 / (n + z^2)];
  // z^2 = 3.841459, n = 10: 3.841459 / 13.841459 = 0.2775328.
  const Interval ci = wilsonInterval(0, 10);
  EXPECT_DOUBLE_EQ(ci.low, 0.0);
  EXPECT_NEAR(ci.high, 0.2775328, 1e-7);  // 7 digits of the hand value
  // p = 1 mirrors it.
  const Interval all = wilsonInterval(10, 10);
  EXPECT_NEAR(all.low, 1.0 - 0.2775328, 1e-7);
  EXPECT_DOUBLE_EQ(all.high, 1.0);
}

TEST(ConfidenceTest, WilsonIntervalOfHalfIsSymmetric) {
  // p = 1/2, n = 100: centre 1/2; half = z sqrt(1/400 + z^2/40000) / (1 + z^2/100)
  // = 1.959964 * sqrt(0.0025 + 0.0000960365) / 1.03841459 = 0.0961685.
  const Interval ci = wilsonInterval(50, 100);
  EXPECT_NEAR(ci.low, 0.5 - 0.0961685, 1e-7);
  EXPECT_NEAR(ci.high, 0.5 + 0.0961685, 1e-7);
}

TEST(ConfidenceTest, WilsonIntervalOfATestSetAccuracy) {
  // 1,965 of 2,000 (98.25 %): p = 0.9825, z^2/n = 0.00192073;
  // centre = (0.9825 + 0.00096036) / 1.00192073 = 0.9815751;
  // half = 1.959964 sqrt(0.9825 * 0.0175 / 2000 + 3.841459 / 16e6) / 1.00192073 = 0.0058152.
  const Interval ci = wilsonInterval(1965, 2000);
  EXPECT_NEAR(ci.low, 0.9757598, 1e-6);  // hand arithmetic to 7 digits
  EXPECT_NEAR(ci.high, 0.9873902, 1e-6);
  EXPECT_LT(ci.low, 0.9825);
  EXPECT_GT(ci.high, 0.9825);
}

TEST(ConfidenceTest, NoTrialsGivesTheWholeRange) {
  const Interval ci = wilsonInterval(0, 0);
  EXPECT_DOUBLE_EQ(ci.low, 0.0);
  EXPECT_DOUBLE_EQ(ci.high, 1.0);
}

}  // namespace
}  // namespace ej::core
