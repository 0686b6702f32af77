// The `edgejoule airtime` calculator's parsing and output (the command calls these).
#include "sim/radio/airtime_calculator.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ej::radio {
namespace {

TEST(AirtimeReportTest, Sf9At125kHzJsonCarriesTheCalculatorFigures) {
  AirtimeRequest req;
  req.spreadingFactor = 9;
  req.bandwidth = "125kHz";
  req.codingRate = "4/5";
  req.payloadBytes = 20;
  const auto mod = modulationFrom(req);
  const auto j = airtimeJson(mod, req.payloadBytes, timeOnAir(mod, req.payloadBytes));
  // Hand-worked in lora_airtime_test.cc: SF9, 20 bytes -> 33 payload symbols, 185.344 ms.
  EXPECT_EQ(j["payload_symbols"], 33);
  EXPECT_NEAR(j["symbol_time_ms"].get<double>(), 4.096, 1e-9);
  EXPECT_NEAR(j["preamble_time_ms"].get<double>(), 50.176, 1e-9);
  EXPECT_NEAR(j["time_on_air_ms"].get<double>(), 185.344, 1e-9);
  // SX1276 datasheet 4.1.1.3: Rb = 9 * 4/5 / 4.096 ms = 1757.8 bit/s.
  EXPECT_NEAR(j["equivalent_bit_rate_bps"].get<double>(), 1757.8125, 1e-6);
  EXPECT_EQ(j["coding_rate"], "4/5");
  EXPECT_EQ(j["low_data_rate_optimize"], false);
}

TEST(AirtimeReportTest, TextShowsTimeOnAirInMilliseconds) {
  AirtimeRequest req;
  req.spreadingFactor = 12;
  req.bandwidth = "125 kHz";
  req.payloadBytes = 20;
  const auto mod = modulationFrom(req);
  const auto text = airtimeText(mod, 20, timeOnAir(mod, 20));
  EXPECT_NE(text.find("time on air                 1318.912 ms"), std::string::npos) << text;
  EXPECT_NE(text.find("low data rate optimisation  on"), std::string::npos) << text;
}

TEST(AirtimeReportTest, OptionsChangeTheModulation) {
  AirtimeRequest req;
  req.spreadingFactor = 7;
  req.bandwidth = "250kHz";
  req.codingRate = "4/8";
  req.preambleSymbols = 10;
  req.implicitHeader = true;
  req.noCrc = true;
  req.ldro = "on";
  const auto mod = modulationFrom(req);
  EXPECT_DOUBLE_EQ(in_Hz(mod.bandwidth), 250e3);
  EXPECT_EQ(mod.codingRateDenominator, 8);
  EXPECT_EQ(mod.preambleSymbols, 10);
  EXPECT_FALSE(mod.explicitHeader);
  EXPECT_FALSE(mod.crc);
  EXPECT_EQ(mod.ldro, Ldro::On);
}

TEST(AirtimeReportTest, BadOptionsNameTheOption) {
  auto message = [](AirtimeRequest req) -> std::string {
    try {
      modulationFrom(req);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  AirtimeRequest bw;
  bw.bandwidth = "125 mA";
  EXPECT_EQ(message(bw), "--bw: expected a bandwidth such as 125kHz, got '125 mA'");
  AirtimeRequest cr;
  cr.codingRate = "4/9";
  EXPECT_EQ(message(cr), "--cr: expected 4/5, 4/6, 4/7 or 4/8, got '4/9'");
  AirtimeRequest sf;
  sf.spreadingFactor = 5;
  EXPECT_EQ(message(sf), "--sf: 5 is outside 6..12 for sx127x");
  AirtimeRequest big;
  big.payloadBytes = 256;
  EXPECT_EQ(message(big), "--payload: 256 bytes is over the 255-byte LoRa maximum");
}

}  // namespace
}  // namespace ej::radio
