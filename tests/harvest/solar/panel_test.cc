// Borowy-Salameh panel curve, NOCT cell temperature and the chargers against hand values.
#include "sim/harvest/solar/panel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/special_functions/lambert_w.hpp>
#include <cmath>
#include <cstdio>

#include "sim/harvest/solar/charger.h"

namespace ej::solar {
namespace {

Irradiance wm2(double v) { return Irradiance::from_value(v); }
Temperature celsius(double c) { return (c + 273.15) * si::kelvin; }

// A 6 V / 1 W class panel: Voc 7.2 V, Isc 0.2 A, Vmp 6.0 V, Imp 0.167 A (round numbers for
// hand checks, not a part).
PanelParams sixVolt() {
  PanelParams p;
  p.voc = volts(7.2);
  p.isc = amperes(0.2);
  p.vmp = volts(6.0);
  p.imp = amperes(0.167);
  return p;
}

TEST(PanelTest, CurvePassesThroughDatasheetPointsAtStc) {
  const Panel panel(sixVolt());
  const auto stc = wm2(1000);
  EXPECT_NEAR(in_A(panel.current(volts(0), stc, celsius(25))), 0.2, 1e-12);
  // Borowy's C1 drops the '-1' of the exponential, so the curve misses (Vmp, Imp) by
  // Isc * C1: C2 = (6/7.2 - 1)/ln(1 - 0.835) = 0.0925, C1 = 0.165 exp(-6/(0.0925*7.2))
  // = 2.0e-5, i.e. 4 uA here; 1e-5 A tolerance.
  EXPECT_NEAR(in_A(panel.current(volts(6.0), stc, celsius(25))), 0.167, 1e-5);
  EXPECT_NEAR(in_A(panel.current(volts(7.2), stc, celsius(25))), 0.0, 1e-12);
  // Maximum power is at least Vmp * Imp = 1.002 W and, for this curve, within 2 % of it
  // (the explicit curve's knee sits close to the datasheet MPP).
  const double pmax = in_W(panel.maxPower(stc, celsius(25)));
  EXPECT_GE(pmax, 1.002 - 1e-9);
  EXPECT_LT(pmax, 1.002 * 1.02);
}

TEST(PanelTest, ScalesWithIrradianceAndTemperature) {
  const Panel panel(sixVolt());
  // Half the sun, half the short-circuit current.
  EXPECT_NEAR(in_A(panel.current(volts(0), wm2(500), celsius(25))), 0.1, 1e-12);
  // At 45 degC: Isc * (1 + 0.0005 * 20) = 0.202 A; Voc * (1 - 0.003 * 20) = 6.768 V.
  EXPECT_NEAR(in_A(panel.current(volts(0), wm2(1000), celsius(45))), 0.202, 1e-12);
  EXPECT_NEAR(in_V(panel.openCircuitVoltage(celsius(45))), 6.768, 1e-12);
}

// Borowy & Salameh's eq. 1 and its maximum power point computed directly at G and TC, as the
// panel did at every step before it kept the curve's shape: the curve's four points scaled,
// C1 and C2 from them, the point by Lambert's W, P = V I(V).
struct Direct {
  double maxPower_W, current_A;
};
Direct direct(const PanelParams& p, double g, double tc, double v) {
  const double dT = tc - 298.15;
  const double ki = (g / 1000.0) * (1 + p.tempCoeffIsc_perK * dT);
  const double kv = std::max(0.0, 1 + p.tempCoeffVoc_perK * dT);
  const double isc = p.isc->value() * ki, imp = p.imp->value() * ki;
  const double voc = p.voc->value() * kv, vmp = p.vmp->value() * kv;
  const double c2 = (vmp / voc - 1.0) / std::log(1.0 - imp / isc);
  const double c1 = (1.0 - imp / isc) * std::exp(-vmp / (c2 * voc));
  auto current = [&](double at) {
    if (at >= voc) return 0.0;
    return std::max(0.0, isc * (1.0 - c1 * (std::exp(std::max(0.0, at) / (c2 * voc)) - 1.0)));
  };
  const double w = boost::math::lambert_w0(std::exp(1.0) * (1.0 + c1) / c1);
  const double vmpp = std::clamp((w - 1.0) * c2 * voc, 0.0, voc);
  return {vmpp * current(vmpp), current(v)};
}

// The shape kept once (C1, C2, the maximum power point as fractions of Voc and Isc) against
// the direct computation, over 1..1200 W/m2 and -30..80 degC cells, for the 6 V panel and the
// shipped 0.5 W and 2.5 W Seeed panels' figures (hw/solar/): the same formulas, so they differ
// by rounding alone: C1 and C2 from the datasheet's ratios instead of from the scaled points'
// (an ulp or two), carried through exp(-Vmp/(C2 Voc)) and the product of the scale factors:
// measured 6.7e-16 in the power and 4.4e-16 in the current; 1e-14 relative bounds that with
// room, where any change of the model would be far larger.
TEST(PanelTest, KeptShapeEqualsTheDirectFormula) {
  // hw/solar/seeed_panel_0w5_55x70.yaml: Voc 6.8 V, Isc 108 mA, Vmp 5.5 V, Imp 100 mA.
  PanelParams half = sixVolt();
  half.voc = volts(6.8);
  half.isc = amperes(0.108);
  half.vmp = volts(5.5);
  half.imp = amperes(0.1);
  // hw/solar/seeed_panel_2w5_116x160.yaml: Voc 6.8 V, Isc 490 mA, Vmp 5.5 V, Imp 450 mA.
  PanelParams two = half;
  two.isc = amperes(0.49);
  two.imp = amperes(0.45);
  double worstPower = 0, worstCurrent = 0;
  for (const PanelParams& p : {sixVolt(), half, two}) {
    const Panel panel(p);
    for (double g = 1; g <= 1200; g += 7.3) {
      for (double c = -30; c <= 80; c += 2.9) {
        const Direct want = direct(p, g, c + 273.15, 4.2);
        const double power = in_W(panel.maxPower(wm2(g), celsius(c)));
        const double current = in_A(panel.current(volts(4.2), wm2(g), celsius(c)));
        ASSERT_GT(want.maxPower_W, 0);
        worstPower = std::max(worstPower, std::abs(power / want.maxPower_W - 1));
        if (want.current_A > 0) {
          worstCurrent = std::max(worstCurrent, std::abs(current / want.current_A - 1));
        }
      }
    }
  }
  EXPECT_LT(worstPower, 1e-14);
  EXPECT_LT(worstCurrent, 1e-14);
  std::printf("kept shape vs direct: max power %.2g, current at 4.2 V %.2g relative\n", worstPower,
              worstCurrent);
}

TEST(PanelTest, NoctCellTemperatureByHand) {
  const Panel panel(sixVolt());
  // At the NOCT conditions (800 W/m2, 20 degC air) the cell is at NOCT, 45 degC.
  EXPECT_NEAR(panel.cellTemperature(wm2(800), celsius(20)).value(), 318.15, 1e-9);
  // 400 W/m2, 5 degC: 5 + 25 * 0.5 = 17.5 degC.
  EXPECT_NEAR(panel.cellTemperature(wm2(400), celsius(5)).value(), 290.65, 1e-9);
}

TEST(PanelTest, AreaEfficiencyPanel) {
  PanelParams p;
  p.area = 0.01 * si::square_meters;
  p.efficiency = ratio(0.15);
  const Panel panel(p);
  // 0.01 m2 * 15 % * 1000 W/m2 = 1.5 W at 25 degC; at 35 degC, -0.4 %/K: 1.44 W.
  EXPECT_NEAR(in_W(panel.maxPower(wm2(1000), celsius(25))), 1.5, 1e-12);
  EXPECT_NEAR(in_W(panel.maxPower(wm2(1000), celsius(35))), 1.44, 1e-12);
}

TEST(ChargerTest, LinearChargerPullsPanelToBatteryVoltage) {
  const Panel panel(sixVolt());
  ChargerParams c;
  c.kind = ChargerParams::Kind::Linear;
  c.dropout = volts(0.3);
  c.currentLimit = amperes(1);
  // A 3.7 V battery holds the panel at 4.0 V, on the flat part of the curve: close to Isc.
  const double i = in_A(chargeCurrent(c, panel, wm2(1000), celsius(25), volts(3.7)));
  EXPECT_GT(i, 0.19);
  EXPECT_LE(i, 0.2);
  // A battery above Voc - dropout gets nothing.
  EXPECT_EQ(in_A(chargeCurrent(c, panel, wm2(1000), celsius(25), volts(7.0))), 0.0);
  // The limit applies.
  c.currentLimit = amperes(0.05);
  EXPECT_EQ(in_A(chargeCurrent(c, panel, wm2(1000), celsius(25), volts(3.7))), 0.05);
}

TEST(ChargerTest, MpptDeliversEfficiencyTimesMaxPower) {
  PanelParams p;
  p.area = 0.01 * si::square_meters;
  p.efficiency = ratio(0.15);
  const Panel panel(p);
  ChargerParams c;
  c.kind = ChargerParams::Kind::Mppt;
  c.efficiency = ratio(0.8);
  // 0.8 * 1.5 W / 3.0 V = 0.4 A.
  EXPECT_NEAR(in_A(chargeCurrent(c, panel, wm2(1000), celsius(25), volts(3.0))), 0.4, 1e-12);
  EXPECT_EQ(in_A(chargeCurrent(c, panel, wm2(0), celsius(25), volts(3.0))), 0.0);
}

}  // namespace
}  // namespace ej::solar
