// LoRa radio parameters: the part files, PA choice and current, and located errors.
#include "sim/radio/lora_radio_params.h"

#include <gtest/gtest.h>

#include <string>

namespace ej::radio {
namespace {

core::Config radioConfig(const std::string& keys, const std::string& part = "sx1276") {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  return core::Config::parse("radio:\n  part: hw/radio/" + part + ".yaml\n" + keys, "s.yaml")
      .child("radio");
}

std::string errorOf(const core::Config& cfg) {
  try {
    LoraRadioParams::fromConfig(cfg);
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(LoraRadioParamsTest, Sx1276PartAndScenarioKeysAreRead) {
  const auto p = LoraRadioParams::fromConfig(
      radioConfig("  spreading_factor: 9\n  bandwidth: 125 kHz\n  tx_power: 17 dBm\n"
                  "  confirmed: true\n  retries: 3\n  duty_cycle_policy: drop\n"));
  EXPECT_EQ(p.part, "SX1276");
  EXPECT_EQ(p.modulation.spreadingFactor, 9);
  EXPECT_EQ(p.eu868DataRate, 3);
  EXPECT_EQ(p.maxApplicationPayload, 115u);
  EXPECT_TRUE(p.confirmed);
  EXPECT_EQ(p.maxRetries, 3);
  EXPECT_EQ(p.dutyCyclePolicy, DutyCyclePolicy::Drop);
  EXPECT_NEAR(in_mA(p.standbyCurrent), 1.6, 1e-12);
  EXPECT_NEAR(in_s(p.wakeUpTime), 250e-6, 1e-15);
  // +17 dBm: only PA_BOOST reaches it; the datasheet point itself (Table 6: 87 mA).
  EXPECT_EQ(p.amplifier, "pa_boost");
  EXPECT_NEAR(in_mA(p.txCurrent), 87.0, 1e-9);
}

TEST(LoraRadioParamsTest, FourteenDbmUsesTheCheaperRfoPa) {
  // RFO_HF: 20 mA at 7 dBm, 29 mA at 13 dBm -> 1.5 mA/dB -> 29 + 1.5 = 30.5 mA at 14 dBm.
  // PA_BOOST has no datasheet point below 17 dBm, so it is held at its 87 mA there (an
  // upper bound) and RFO wins.
  const auto p = LoraRadioParams::fromConfig(radioConfig("  spreading_factor: 7\n"));
  EXPECT_EQ(p.amplifier, "rfo_hf");
  EXPECT_NEAR(in_mA(p.txCurrent), 30.5, 1e-9);
  // Forcing PA_BOOST at 14 dBm: its lowest point's 87 mA.
  const auto boost = LoraRadioParams::fromConfig(
      radioConfig("  spreading_factor: 7\n  power_amplifier: pa_boost\n"));
  EXPECT_NEAR(in_mA(boost.txCurrent), 87.0, 1e-9);
}

TEST(LoraRadioParamsTest, Sx1262At22dBmDrawsItsDatasheetCurrent) {
  const auto p = LoraRadioParams::fromConfig(
      radioConfig("  spreading_factor: 12\n  tx_power: 22 dBm\n", "sx1262"));
  EXPECT_EQ(p.family, LoraFamily::Sx126x);
  EXPECT_EQ(p.amplifier, "hp");
  EXPECT_NEAR(in_mA(p.txCurrent), 118.0, 1e-9);
  EXPECT_EQ(p.maxApplicationPayload, 51u);
}

TEST(LoraRadioParamsTest, BadInputsAreLocatedErrors) {
  EXPECT_EQ(errorOf(radioConfig("  spreading_factor: 7\n  tx_power: 21 dBm\n")),
            "s.yaml:4:13: radio.tx_power: 21 dBm is beyond what SX1276 can give "
            "(rfo_hf -4..14 dBm; pa_boost 2..20 dBm)");
  EXPECT_EQ(errorOf(radioConfig("  spreading_factor: 5\n")),
            "s.yaml:3:21: radio.spreading_factor: SX1276 supports SF6..SF12, not SF5");
  EXPECT_EQ(errorOf(radioConfig("  spreading_factor: 7\n  bandwidth: 200 kHz\n")),
            "s.yaml:4:14: radio.bandwidth: SX1276 supports 7.8, 10.4, 15.6, 20.8, 31.25, 41.7, "
            "62.5, 125, 250, 500 kHz, not 200 kHz");
  EXPECT_EQ(errorOf(radioConfig("  spreading_factor: 12\n  bandwidth: 250 kHz\n")),
            "s.yaml:3:21: radio.spreading_factor: SF12 at 250 kHz is not an EU868 LoRaWAN data "
            "rate (DR0..DR6: SF12..SF7 at 125 kHz, SF7 at 250 kHz)");
  EXPECT_EQ(errorOf(radioConfig("  spreading_factor: 7\n  power_amplifier: rfo_hf\n"
                                "  tx_power: 17 dBm\n")),
            "s.yaml:5:13: radio.tx_power: 17 dBm is beyond what rfo_hf can give "
            "(rfo_hf -4..14 dBm; pa_boost 2..20 dBm)");
}

}  // namespace
}  // namespace ej::radio
