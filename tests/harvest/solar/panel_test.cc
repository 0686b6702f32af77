// Borowy-Salameh panel curve, NOCT cell temperature and the chargers against hand values.
#include "sim/harvest/solar/panel.h"

#include <gtest/gtest.h>

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
