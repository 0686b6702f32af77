// LDO, buck, boost and buck-boost converters against hand calculations from their
// datasheet parameters.
#include "sim/power/regulator/regulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace ej::regulator {
namespace {

core::Config partConfig(const std::string& name) {
  return core::Config::load(std::string(EJ_SOURCE_DIR) + "/hw/regulator/" + name + ".yaml");
}

Regulator loadPart(const std::string& name) {
  const auto cfg = partConfig(name);
  Regulator r(RegulatorSpec::fromConfig(cfg));
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

TEST(RegulatorTest, Tps62740OnALoadedSourceByHand) {
  const Regulator buck = loadPart("tps62740");
  // 50 mA out from a source of 3.7 V open circuit behind 0.5 Ohm: the quadratic
  //   0.5 I^2 - (3.7 + 0.5 * 0.36e-6) I + (0.171435 + 0.0015 + 3.7 * 0.36e-6) = 0
  // has its smaller root at I = 47.0386 mA (the input then sees 3.6765 V): more than the
  // 46.740 mA the same load draws from a stiff 3.7 V, for the voltage lost in the source.
  const double b = 3.7 + 0.5 * 0.36e-6, c = 0.171435 + 0.0015 + 3.7 * 0.36e-6;
  const double hand = (b - std::sqrt(b * b - 4 * 0.5 * c)) / (2 * 0.5);
  const auto in = buck.inputCurrentOn(milliamperes(50), volts(3.7), Resistance::from_value(0.5));
  ASSERT_TRUE(in.has_value());
  EXPECT_NEAR(in_A(*in), hand, 1e-15);
  EXPECT_NEAR(in_mA(*in), 47.0386, 1e-4);
  // The fixed point: the input current at the voltage it causes is itself (rounding only).
  const Voltage vin = volts(3.7) - *in * Resistance::from_value(0.5);
  EXPECT_NEAR(in_A(buck.inputCurrent(milliamperes(50), vin)), in_A(*in), 1e-15);
  // No closed form in 100 % mode (3.35 V open: the output cannot hold 3.3 V at 100 mA) or
  // over the rated load: the caller iterates, and inputCurrent() throws for the overload.
  EXPECT_FALSE(buck.inputCurrentOn(milliamperes(100), volts(3.35), Resistance::from_value(0.1)));
  EXPECT_FALSE(buck.inputCurrentOn(milliamperes(400), volts(3.7), Resistance::from_value(0.1)));
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

TEST(RegulatorTest, PointAtIsTheThreeReadingsOfTheOperatingPoint) {
  // The bus reads the operating point once per change (pointAt): it must be the three
  // separate readings, exactly, in regulation, in dropout or 100 % mode, pass-through and
  // below the UVLO, for each kind of converter.
  for (const char* part : {"mcp1700", "tps62740", "tps61291", "tps63802"}) {
    const Regulator reg = loadPart(part);
    for (const double mA : {0.001, 1.0, 100.0}) {
      for (const double v : {0.5, 1.8, 2.5, 3.0, 3.29, 3.35, 3.7, 4.2}) {
        const auto p = reg.pointAt(milliamperes(mA), volts(v));
        SCOPED_TRACE(std::string(part) + " " + std::to_string(mA) + " mA " + std::to_string(v));
        EXPECT_EQ(in_V(p.output), in_V(reg.outputVoltage(milliamperes(mA), volts(v))));
        EXPECT_EQ(p.passingThrough, reg.passingThrough(milliamperes(mA), volts(v)));
        EXPECT_EQ(p.inRegulation, reg.inRegulation(milliamperes(mA), volts(v)));
      }
    }
  }
  // One case of each by hand: the TPS62740 at 3.35 V and 100 mA is in 100 % mode (above).
  const auto p = loadPart("tps62740").pointAt(milliamperes(100), volts(3.35));
  EXPECT_TRUE(p.passingThrough);
  EXPECT_FALSE(p.inRegulation);
  EXPECT_NEAR(in_V(p.output), 3.29, 1e-9);
}

TEST(RegulatorTest, Tps61291EfficiencyAtThreeLoadsIsItsCurve) {
  const Regulator boost = loadPart("tps61291");
  // hw/regulator/tps61291.yaml, VIN = 2.4 V curve: 1 mA 0.90, 10 mA 0.92, 100 mA 0.92; the
  // input current is P_out / (eta V_in). Tolerance 1e-12: rounding only.
  for (const auto& [mA, eta] : {std::pair{1.0, 0.90}, {10.0, 0.92}, {100.0, 0.92}}) {
    SCOPED_TRACE(mA);
    EXPECT_NEAR(boost.efficiency(milliamperes(mA), volts(2.4)).value(), eta, 1e-12);
    EXPECT_NEAR(in_A(boost.inputCurrent(milliamperes(mA), volts(2.4))),
                3.3 * mA * 1e-3 / (2.4 * eta), 1e-12);
  }
  // Log-linear between loads: at sqrt(1 x 10) mA, halfway: 0.91. Linear between input
  // voltages: at 2.1 V, 10 mA, halfway between 0.90 (1.8 V) and 0.92 (2.4 V): 0.91.
  EXPECT_NEAR(boost.efficiency(milliamperes(std::sqrt(10.0)), volts(2.4)).value(), 0.91, 1e-12);
  EXPECT_NEAR(boost.efficiency(milliamperes(10), volts(2.1)).value(), 0.91, 1e-12);
  EXPECT_TRUE(boost.inRegulation(milliamperes(10), volts(2.4)));
  EXPECT_NEAR(in_V(boost.outputVoltage(milliamperes(10), volts(2.4))), 3.3, 1e-12);
}

TEST(RegulatorTest, Tps61291BelowItsLowestLoadFallsToTheQuiescentPower) {
  const Regulator boost = loadPart("tps61291");
  // No load: V_in I_q / V_in = 5.7 uA. Half of the lowest load (0.5 uA) at 2.4 V: halfway
  // between 2.4 V x 5.7 uA = 13.68 uW and 3.3 V x 1 uA / 0.147 = 22.449 uW: 18.0645 uW,
  // 7.5269 uA. Tolerance 1e-12 A: rounding only.
  EXPECT_NEAR(in_A(boost.inputCurrent(Current(), volts(2.4))), 5.7e-6, 1e-15);
  EXPECT_NEAR(in_A(boost.inputCurrent(microamperes(0.5), volts(2.4))),
              (13.68e-6 + 0.5 * (3.3e-6 / 0.147 - 13.68e-6)) / 2.4, 1e-12);
}

TEST(RegulatorTest, Tps61291InputCurrentLimitFromItsRating) {
  const Regulator boost = loadPart("tps61291");
  // 200 mA at 3.3 V from 1.8 V, where the curve gives 0.86 at 200 mA: 0.66 / 1.548 A.
  ASSERT_TRUE(boost.inputCurrentLimit());
  EXPECT_NEAR(in_A(*boost.inputCurrentLimit()), 3.3 * 0.2 / (1.8 * 0.86), 1e-12);
  // A load above the rating is not an error for a boost: the limit browns the node out.
  EXPECT_NO_THROW(boost.inputCurrent(milliamperes(285), volts(3.0)));
  EXPECT_FALSE(loadPart("tps62740").inputCurrentLimit());
}

TEST(RegulatorTest, Tps63802HoldsItsOutputAcrossTheCellsRange) {
  const Regulator bb = loadPart("tps63802");
  for (double vin : {2.8, 3.3, 3.7, 4.2}) {
    EXPECT_TRUE(bb.inRegulation(milliamperes(100), volts(vin)));
    EXPECT_NEAR(in_V(bb.outputVoltage(milliamperes(100), volts(vin))), 3.3, 1e-12);
  }
  // 100 mA from 3.7 V at the curve's 0.94: 0.33 W / (3.7 V x 0.94) = 94.88 mA.
  EXPECT_NEAR(in_A(bb.inputCurrent(milliamperes(100), volts(3.7))), 0.33 / (3.7 * 0.94), 1e-12);
  // Below its 1.3 V minimum input the output is off.
  EXPECT_EQ(in_V(bb.outputVoltage(milliamperes(1), volts(1.2))), 0.0);
}

TEST(RegulatorTest, AWrongRailIsRefusedAtItsKey) {
  // A 3.3 V buck on a 3.0 V (nominal) pack would sit in dropout: refused at output_voltage.
  const auto buck = partConfig("tps62740");
  try {
    RegulatorSpec::fromConfig(buck).checkSupply(buck, volts(3.0), volts(3.2));
    FAIL() << "expected a ConfigError";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("tps62740.yaml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("output_voltage: a buck"), std::string::npos) << e.what();
  }
  // A boost that cannot start from one 1.2 V cell (start-up 1.5 V): refused at its key.
  const auto boost = partConfig("tps61291");
  try {
    RegulatorSpec::fromConfig(boost).checkSupply(boost, volts(1.2), volts(1.2));
    FAIL() << "expected a ConfigError";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("start_up_voltage"), std::string::npos) << e.what();
  }
  // The same boost on 2 x AA (3.0 V nominal, 3.2 V full) is fine.
  EXPECT_NO_THROW(RegulatorSpec::fromConfig(boost).checkSupply(boost, volts(3.0), volts(3.2)));
}

TEST(RegulatorTest, AnOverloadNamesThePart) {
  const Regulator buck = loadPart("tps62740");
  try {
    buck.inputCurrent(milliamperes(305), volts(3.7));
    FAIL() << "expected a domain_error";
  } catch (const std::domain_error& e) {
    EXPECT_EQ(std::string(e.what()), "TPS62740: load 305.0 mA exceeds its 300.0 mA");
  }
  EXPECT_NE(buck.spec().maxOutputAt.find("tps62740.yaml:"), std::string::npos);
  EXPECT_NE(buck.spec().maxOutputAt.find("max_output_current"), std::string::npos);
}

}  // namespace
}  // namespace ej::regulator
