#include "sim/core/quantity.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ej::core {
namespace {

// Exact decimal conversions; 1e-12 relative covers the binary rounding of the factors.
void expectParsed(const char* text, double si, Dimension dimension) {
  const auto q = parseQuantity(text);
  ASSERT_TRUE(q.has_value()) << text;
  EXPECT_EQ(q->dimension, dimension) << text;
  EXPECT_NEAR(q->value, si, std::abs(si) * 1e-12) << text;
}

TEST(QuantityTest, CurrentsWithPrefixes) {
  expectParsed("120 mA", 0.120, Dimension::Current);
  expectParsed("5mA", 0.005, Dimension::Current);
  expectParsed("1.5 uA", 1.5e-6, Dimension::Current);
  expectParsed(
      "1.5 \xC2\xB5"
      "A",
      1.5e-6, Dimension::Current);
  expectParsed("2 A", 2.0, Dimension::Current);
}

TEST(QuantityTest, ChargeAndEnergy) {
  expectParsed("2000 mAh", 2000 * 3.6, Dimension::Charge);  // 1 mAh = 3.6 C
  expectParsed("2.6 Ah", 2.6 * 3600, Dimension::Charge);
  expectParsed("7.4 Wh", 7.4 * 3600, Dimension::Energy);
  expectParsed("12 mWh", 12 * 3.6, Dimension::Energy);
  expectParsed("3 uJ", 3e-6, Dimension::Energy);
  expectParsed("50 mW", 0.05, Dimension::Power);
}

TEST(QuantityTest, Durations) {
  expectParsed("2 h", 7200, Dimension::Time);
  expectParsed("365 d", 365 * 86400.0, Dimension::Time);
  expectParsed("100 y", 100 * 365 * 86400.0, Dimension::Time);
  expectParsed("15 min", 900, Dimension::Time);
  expectParsed("250 ms", 0.25, Dimension::Time);
  expectParsed("40 us", 40e-6, Dimension::Time);
}

TEST(QuantityTest, OtherDimensions) {
  expectParsed("3.7 V", 3.7, Dimension::Voltage);
  expectParsed("64 MHz", 64e6, Dimension::Frequency);
  expectParsed("12 /h", 12.0 / 3600, Dimension::Frequency);
  expectParsed("90 %", 0.9, Dimension::Ratio);
  expectParsed("0.25", 0.25, Dimension::Ratio);
  expectParsed("14 dBm", 14, Dimension::PowerLevel);
  expectParsed("25 degC", 298.15, Dimension::Temperature);
  expectParsed("100 cm2", 0.01, Dimension::Area);
  expectParsed("1000 W/m2", 1000, Dimension::Irradiance);
  // Irradiation as climatologies publish it: 1 kWh/m2 = 3.6 MJ/m2.
  expectParsed("4.5 kWh/m2", 4.5 * 3.6e6, Dimension::InsolationPerArea);
  expectParsed("16.2 MJ/m2", 16.2e6, Dimension::InsolationPerArea);
  expectParsed("16.2 MJ/m\xC2\xB2", 16.2e6, Dimension::InsolationPerArea);
}

TEST(QuantityTest, RejectsUnknownUnitsAndText) {
  EXPECT_FALSE(parseQuantity("12 furlongs"));
  EXPECT_FALSE(parseQuantity("mA"));
  EXPECT_FALSE(parseQuantity(""));
  EXPECT_FALSE(parseQuantity("5 mA extra"));
}

}  // namespace
}  // namespace ej::core
