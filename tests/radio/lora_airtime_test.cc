// LoRa time on air against the SX1276 datasheet formula worked by hand and against a
// published calculator table.
#include "sim/radio/lora_airtime.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ej::radio {
namespace {

// Times are products of exact binary fractions (2^SF / 125000) and small integers: 1 ns
// covers the floating-point rounding of the products only.
constexpr double kTol_s = 1e-9;

LoraModulation sf(int spreadingFactor) {
  LoraModulation m;
  m.spreadingFactor = spreadingFactor;
  return m;  // 125 kHz, CR 4/5, 8-symbol preamble, explicit header, CRC on, LDRO auto
}

TEST(LoraAirtimeTest, Sf7At125kHzWith20BytesMatchesHandCalculation) {
  // T_sym = 2^7 / 125 kHz = 1.024 ms; LDRO off (1.024 ms < 16 ms)
  // T_preamble = (8 + 4.25) * 1.024 = 12.544 ms
  // numerator = 8*20 - 4*7 + 28 + 16*1 - 20*0 = 176; denominator = 4*(7 - 0) = 28
  // ceil(176/28) = ceil(6.29) = 7; payloadSymbNb = 8 + 7*(1+4) = 43
  // T_payload = 43 * 1.024 = 44.032 ms; total = 56.576 ms
  const auto a = timeOnAir(sf(7), 20);
  EXPECT_NEAR(in_s(a.symbolTime), 1.024e-3, kTol_s);
  EXPECT_NEAR(in_s(a.preambleTime), 12.544e-3, kTol_s);
  EXPECT_EQ(a.payloadSymbols, 43);
  EXPECT_NEAR(in_s(a.payloadTime), 44.032e-3, kTol_s);
  EXPECT_NEAR(in_s(a.total), 56.576e-3, kTol_s);
  EXPECT_FALSE(a.lowDataRateOptimize);
}

TEST(LoraAirtimeTest, Sf12At125kHzWith20BytesMatchesHandCalculation) {
  // T_sym = 2^12 / 125 kHz = 32.768 ms >= 16 ms, so LDRO on (DE = 1)
  // T_preamble = 12.25 * 32.768 = 401.408 ms
  // numerator = 160 - 48 + 28 + 16 = 156; denominator = 4*(12 - 2) = 40
  // ceil(3.9) = 4; payloadSymbNb = 8 + 4*5 = 28; T_payload = 28 * 32.768 = 917.504 ms
  // total = 1318.912 ms
  const auto a = timeOnAir(sf(12), 20);
  EXPECT_TRUE(a.lowDataRateOptimize);
  EXPECT_NEAR(in_s(a.symbolTime), 32.768e-3, kTol_s);
  EXPECT_NEAR(in_s(a.preambleTime), 401.408e-3, kTol_s);
  EXPECT_EQ(a.payloadSymbols, 28);
  EXPECT_NEAR(in_s(a.total), 1318.912e-3, kTol_s);
}

TEST(LoraAirtimeTest, Sf8ToSf11At125kHzWith20BytesMatchHandCalculation) {
  // SF8:  T_sym 2.048 ms, ceil(172/32)=6 -> 38 symbols; 12.25*2.048 + 38*2.048 = 102.912 ms
  // SF9:  T_sym 4.096 ms, ceil(168/36)=5 -> 33 symbols; 50.176 + 135.168 = 185.344 ms
  // SF10: T_sym 8.192 ms, ceil(164/40)=5 -> 33 symbols; 100.352 + 270.336 = 370.688 ms
  // SF11: T_sym 16.384 ms, DE=1, ceil(160/36)=5 -> 33 symbols; 200.704 + 540.672 = 741.376 ms
  EXPECT_NEAR(in_s(timeOnAir(sf(8), 20).total), 102.912e-3, kTol_s);
  EXPECT_NEAR(in_s(timeOnAir(sf(9), 20).total), 185.344e-3, kTol_s);
  EXPECT_NEAR(in_s(timeOnAir(sf(10), 20).total), 370.688e-3, kTol_s);
  EXPECT_NEAR(in_s(timeOnAir(sf(11), 20).total), 741.376e-3, kTol_s);
  EXPECT_TRUE(timeOnAir(sf(11), 20).lowDataRateOptimize);
  EXPECT_FALSE(timeOnAir(sf(10), 20).lowDataRateOptimize);
}

TEST(LoraAirtimeTest, MatchesPublishedAn1200CalculatorSheet) {
  // The public "LoRa airtime" sheet built from AN1200.13 (docs.google.com/spreadsheets/d/
  // 1voGAtQAjC1qBmaVuP1ApNKs1ekgUjavHuVQIXyYSvNc): SF9, 125 kHz, CR 4/5, 13 bytes,
  // explicit header, LDRO off, 8 preamble symbols -> T_sym 4.096 ms, T_preamble 50.176 ms,
  // payloadSymbNb 28, T_payload 114.688 ms, T_packet 164.864 ms.
  const auto a = timeOnAir(sf(9), 13);
  EXPECT_NEAR(in_s(a.preambleTime), 50.176e-3, kTol_s);
  EXPECT_EQ(a.payloadSymbols, 28);
  EXPECT_NEAR(in_s(a.payloadTime), 114.688e-3, kTol_s);
  EXPECT_NEAR(in_s(a.total), 164.864e-3, kTol_s);
}

TEST(LoraAirtimeTest, ImplicitHeaderNoCrcAndForcedLdroChangeTheSymbolCount) {
  // SF7, 20 bytes, implicit header, CRC off: numerator = 160 - 28 + 28 + 0 - 20 = 140;
  // 140/28 = 5 exactly -> 5 blocks -> 8 + 25 = 33 symbols.
  auto m = sf(7);
  m.explicitHeader = false;
  m.crc = false;
  EXPECT_EQ(timeOnAir(m, 20).payloadSymbols, 33);
  // SF7 with LDRO forced on: denominator 4*(7-2) = 20, ceil(176/20) = 9 -> 8 + 45 = 53.
  auto forced = sf(7);
  forced.ldro = Ldro::On;
  EXPECT_EQ(timeOnAir(forced, 20).payloadSymbols, 53);
  // SF12 with LDRO forced off: ceil(156/48) = 4 -> 28 symbols, as with it on here.
  auto off = sf(12);
  off.ldro = Ldro::Off;
  EXPECT_FALSE(timeOnAir(off, 20).lowDataRateOptimize);
  // An empty payload with a negative numerator keeps the 8 header-block symbols:
  // SF12, DE=1, 0 bytes, implicit, no CRC: numerator = -48 + 28 - 20 = -40 -> max(.,0) = 0.
  auto empty = sf(12);
  empty.explicitHeader = false;
  empty.crc = false;
  EXPECT_EQ(timeOnAir(empty, 0).payloadSymbols, 8);
}

TEST(LoraAirtimeTest, Sx126xSf5UsesItsOwnPreambleAndNumerator) {
  // SX1261/2 datasheet 6.1.4, SF5, 125 kHz, CR 4/5, 20 bytes, explicit, CRC on:
  // T_sym = 32/125000 = 0.256 ms; preamble 8 + 6.25 = 14.25 symbols = 3.648 ms
  // numerator = 160 + 16 - 20 + 20 = 176; denominator = 20; ceil(8.8) = 9 -> 8 + 45 = 53
  // total = (14.25 + 53) * 0.256 = 17.216 ms
  auto m = sf(5);
  m.family = LoraFamily::Sx126x;
  const auto a = timeOnAir(m, 20);
  EXPECT_EQ(a.payloadSymbols, 53);
  EXPECT_NEAR(in_s(a.total), 17.216e-3, kTol_s);
  EXPECT_THROW(timeOnAir(sf(5), 20), std::invalid_argument);  // no SF5 on SX127x
}

TEST(LoraAirtimeTest, OutOfDomainInputsAreRefused) {
  EXPECT_THROW(timeOnAir(sf(13), 20), std::invalid_argument);
  auto m = sf(7);
  m.codingRateDenominator = 9;
  EXPECT_THROW(timeOnAir(m, 20), std::invalid_argument);
}

}  // namespace
}  // namespace ej::radio
