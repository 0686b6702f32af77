// LDO and buck regulators against hand calculations from their datasheet parameters.
#include "sim/power/regulator/regulator.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace ej::regulator {
namespace {

Regulator loadPart(const std::string& name) {
  const auto cfg =
      core::Config::load(std::string(EJ_SOURCE_DIR) + "/hw/regulator/" + name + ".yaml");
  Regulator r(RegulatorParams::fromConfig(cfg));
  cfg.requireAllRead();
  return r;
}

TEST(RegulatorTest, Mcp1700InputIsLoadPlusQuiescent) {
  const Regulator ldo = loadPart("mcp1700");
  // 10 mA at 3.7 V in: 10 mA + 1.6 uA.
  EXPECT_NEAR(in_A(ldo.inputCurrent(milliamperes(10), volts(3.7))), 0.0100016, 1e-12);
  // Asleep at 5 uA: 6.6 uA from the battery, efficiency 3.3*5 / (3.7*6.6) = 67.6 %.
  EXPECT_NEAR(in_A(ldo.inputCurrent(microamperes(5), volts(3.7))), 6.6e-6, 1e-15);
  EXPECT_NEAR(ldo.efficiency(microamperes(5), volts(3.7)).value(), 16.5 / 24.42, 1e-9);
  EXPECT_TRUE(ldo.inRegulation(milliamperes(100), volts(3.7)));
}

TEST(RegulatorTest, Mcp1700DropoutByHand) {
  const Regulator ldo = loadPart("mcp1700");
  // R = 178 mV / 250 mA = 0.712 Ohm. At 3.4 V in and 200 mA: 3.4 - 0.1424 = 3.2576 V < 3.3 V.
  EXPECT_FALSE(ldo.inRegulation(milliamperes(200), volts(3.4)));
  EXPECT_NEAR(in_V(ldo.outputVoltage(milliamperes(200), volts(3.4))), 3.2576, 1e-9);
  // At 3.4 V and 100 mA: 3.4 - 0.0712 = 3.3288 V, in regulation at 3.3 V.
  EXPECT_NEAR(in_V(ldo.outputVoltage(milliamperes(100), volts(3.4))), 3.3, 1e-12);
  EXPECT_THROW(ldo.inputCurrent(milliamperes(300), volts(3.7)), std::domain_error);
}

TEST(RegulatorTest, Tps62740LightLoadMatchesDatasheetAnchor) {
  auto p = loadPart("tps62740").params();
  p.output = volts(1.8);
  const Regulator buck(p);
  // The anchor the loss term was derived from: 90 % at 10 uA, 3.6 V -> 1.8 V.
  EXPECT_NEAR(buck.efficiency(microamperes(10), volts(3.6)).value(), 0.90, 0.001);
}

TEST(RegulatorTest, Tps62740PowerBalanceByHand) {
  const Regulator buck = loadPart("tps62740");
  // 3.3 V at 50 mA from 3.7 V: P_out = 165 mW; P_in = 165 * 1.039 + 3.7 * 0.36e-3
  // + 0.05^2 * 0.6 * 1e3 = 171.435 + 0.001332 + 1.5 = 172.936 mW; I_in = 46.740 mA.
  EXPECT_NEAR(in_mA(buck.inputCurrent(milliamperes(50), volts(3.7))), 172.936332 / 3.7, 1e-6);
  // Draws less from the battery than the load draws: it steps the voltage down.
  EXPECT_LT(in_mA(buck.inputCurrent(milliamperes(50), volts(3.7))), 50.0);
  // Sleep at 2 uA: the buck beats the LDO (2 + 1.6 uA = 3.6 uA):
  // (6.6 uW * 1.039 + 1.332 uW) / 3.7 V = 2.213 uA.
  EXPECT_NEAR(in_A(buck.inputCurrent(microamperes(2), volts(3.7))),
              (6.6e-6 * 1.039 + 3.7 * 0.36e-6) / 3.7, 1e-12);
}

TEST(RegulatorTest, Tps62740HundredPercentModeAndUvlo) {
  const Regulator buck = loadPart("tps62740");
  // 3.35 V in, 100 mA: 3.35 - 0.1 * 0.6 = 3.29 V < 3.3 V: 100 % mode, input = load + IQ.
  EXPECT_FALSE(buck.inRegulation(milliamperes(100), volts(3.35)));
  EXPECT_NEAR(in_A(buck.inputCurrent(milliamperes(100), volts(3.35))), 0.1 + 0.36e-6, 1e-12);
  EXPECT_NEAR(in_V(buck.outputVoltage(milliamperes(100), volts(3.35))), 3.29, 1e-9);
  // Below the 1.925 V UVLO the output is off.
  EXPECT_EQ(in_V(buck.outputVoltage(milliamperes(1), volts(1.8))), 0.0);
}

}  // namespace
}  // namespace ej::regulator
