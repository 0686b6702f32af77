// KiBaM against hand calculations of Manwell & McGowan's closed form and an independent
// Runge-Kutta integration of the two-well equations.
#include "sim/power/battery/kibam_battery.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/power/battery/hand_cell.h"

namespace ej::battery {
namespace {

using test::handCell;  // tests/power/battery/hand_cell.h

TEST(KibamBatteryTest, ClosedFormMatchesHandCalculationAtConstantCurrent) {
  // 0.5 A for 600 s from full (y1 = y2 = 1800 C): k t = 0.6, e = exp(-0.6) = 0.548812,
  // y1 = 1800 e + (3600*1e-3*0.5 - 0.5)(1 - e)/1e-3 - 0.5*0.5*(0.6 - 1 + e)/1e-3 = 1537.203,
  // y2 = 1800 e + 3600*0.5*(1 - e) - 0.5*0.5*(0.6 - 1 + e)/1e-3 = 1762.797 C.
  KibamBattery b(handCell());
  const auto step = b.advance(amperes(0.5), seconds(600));
  EXPECT_NEAR(in_C(b.available()), 1537.203, 1e-3);
  EXPECT_NEAR(in_C(b.bound()), 1762.797, 1e-3);
  EXPECT_NEAR(in_C(step.drawn), 300.0, 1e-9);
  EXPECT_NEAR(in_C(b.remaining()), 3300.0, 1e-9);
}

// Independent reference: T seconds of test::rk4Step (hand_cell.h) in 100,000 steps.
void rk4(double c, double k, double i, double t, double& y1, double& y2) {
  const int n = 100000;
  for (int s = 0; s < n; ++s) test::rk4Step(c, k, i, t / n, y1, y2);
}

TEST(KibamBatteryTest, ClosedFormMatchesRungeKuttaOverALoadProfile) {
  auto p = handCell();
  p.kibamC = ratio(0.3);
  p.kibamK = hertz(2e-4);
  KibamBattery b(p);
  double y1 = 0.3 * 3600, y2 = 0.7 * 3600;
  // Pulse, rest, small load: the wells leave and re-approach equilibrium.
  const double profile[][2] = {{0.8, 900}, {0.0, 1800}, {0.05, 3000}};
  for (const auto& seg : profile) {
    b.advance(amperes(seg[0]), seconds(seg[1]));
    rk4(0.3, 2e-4, seg[0], seg[1], y1, y2);
    // RK4 at h = 0.009-0.03 s has a global error far below 1e-6 C on these smooth curves.
    EXPECT_NEAR(in_C(b.available()), y1, 1e-6);
    EXPECT_NEAR(in_C(b.bound()), y2, 1e-6);
  }
}

TEST(KibamBatteryTest, HigherCurrentDeliversLessCharge) {
  // Rate-capacity effect: the charge delivered before the available well empties falls with
  // the current, from C at a vanishing current towards c*C at a very high one.
  auto delivered = [](double amps) {
    KibamBattery b(handCell());
    const Time t = *b.timeToEmpty(amperes(amps));
    return amps * in_s(t);
  };
  const double slow = delivered(0.01), mid = delivered(0.5), fast = delivered(5.0);
  EXPECT_GT(slow, mid);
  EXPECT_GT(mid, fast);
  // 0.01 A: the wells stay in equilibrium to within I/k = 10 C, so nearly all 3600 C come out.
  EXPECT_NEAR(slow, 3600.0, 25.0);
  // 5 A empties y1 (1800 C) in ~6 min while only ~k*t*... flows in: a little above c*C.
  EXPECT_GT(fast, 1800.0);
  EXPECT_LT(fast, 2300.0);
}

TEST(KibamBatteryTest, RecoversAfterRest) {
  KibamBattery b(handCell());
  const Time t = *b.timeToEmpty(amperes(2.0));
  b.advance(amperes(2.0), t);
  EXPECT_TRUE(b.empty());
  const double bound = in_C(b.bound());
  // Rest 1 h: y1 = y0 c (1 - exp(-k t)) with y1(0) = 0 (eq. 6 at I = 0).
  b.advance(amperes(0), hours(1));
  EXPECT_NEAR(in_C(b.available()), bound * 0.5 * (1 - std::exp(-3.6)), 1e-6);
  EXPECT_FALSE(b.empty());
  ASSERT_TRUE(b.timeToEmpty(amperes(2.0)));
  EXPECT_GT(in_s(*b.timeToEmpty(amperes(2.0))), 0.0);
}

TEST(KibamBatteryTest, TimeToEmptyIsWhereAdvanceEmpties) {
  KibamBattery a(handCell());
  const Time t = *a.timeToEmpty(amperes(1.0));
  KibamBattery before(handCell());
  before.advance(amperes(1.0), t * 0.999);
  EXPECT_FALSE(before.empty());
  const auto step = a.advance(amperes(1.0), t * 2.0);
  // Delivered stops at empty: I * t, not I * 2t.
  EXPECT_NEAR(in_C(step.drawn), in_s(t) * 1.0, 1e-6);
  // The rest of the interval is a rest (the load browned out): the same as emptying
  // exactly and then resting for t.
  KibamBattery exact(handCell());
  exact.advance(amperes(1.0), t);
  EXPECT_TRUE(exact.empty());
  exact.advance(amperes(0), t);
  EXPECT_NEAR(in_C(a.available()), in_C(exact.available()), 1e-6);
  EXPECT_GT(in_C(a.available()), 0.0);
  EXPECT_FALSE(a.timeToEmpty(amperes(0)));
  EXPECT_FALSE(a.timeToEmpty(amperes(-1)));
}

TEST(KibamBatteryTest, ChargingFillsTheWellsAndWastesTheSurplus) {
  auto p = handCell();
  p.initialSoc = ratio(0.5);
  p.chargeEfficiency = ratio(0.9);
  KibamBattery b(p);
  // 1 A offered for 2 h = 7200 C; at most 1800 C can be stored (and the last part only at
  // the bound well's rate), so most is wasted. accepted + wasted = offered.
  const auto step = b.advance(amperes(-1.0), hours(2));
  EXPECT_NEAR(in_C(step.accepted + step.wasted), 7200.0, 1e-6);
  EXPECT_NEAR(in_C(step.accepted), in_C(b.remaining()) - 1800.0, 1e-6);
  // After 2 h with k c = 5e-4 /s the bound well is within exp(-3.6 + ...) of full.
  EXPECT_NEAR(in_C(b.remaining()), 3600.0, 50.0);
  EXPECT_LE(in_C(b.remaining()), 3600.0 + 1e-9);
  EXPECT_NEAR(in_C(b.available()), 1800.0, 1e-6);
}

TEST(KibamBatteryTest, SmallChargeIsStoredWithItsEfficiency) {
  auto p = handCell();
  p.initialSoc = ratio(0.5);
  p.chargeEfficiency = ratio(0.9);
  KibamBattery b(p);
  // 0.1 A for 10 min into a half-full cell: never reaches full, 90 % of 60 C stored.
  const auto step = b.advance(amperes(-0.1), seconds(600));
  EXPECT_NEAR(in_C(step.accepted), 54.0, 1e-9);
  EXPECT_NEAR(in_C(step.wasted), 6.0, 1e-9);
  EXPECT_NEAR(in_C(b.remaining()), 1854.0, 1e-6);
}

TEST(KibamBatteryTest, ChargeIsConservedAcrossFullAndEmpty) {
  // Whatever the sequence, stored charge changes by accepted - drawn (no self-discharge
  // here), and accepted + wasted equals what was offered.
  auto p = handCell();
  p.chargeEfficiency = ratio(0.95);
  KibamBattery b(p);
  double stored = in_C(b.remaining());
  const double profile[][2] = {{-1.0, 600},    {2.0, 3000}, {-0.01, 7200}, {-3.0, 7200},
                               {-0.001, 3600}, {0.3, 900},  {-0.5, 60}};
  for (const auto& seg : profile) {
    const auto step = b.advance(amperes(seg[0]), seconds(seg[1]));
    if (seg[0] < 0) {
      EXPECT_NEAR(in_C(step.accepted + step.wasted), -seg[0] * seg[1], 1e-6);
    }
    stored += in_C(step.accepted) - in_C(step.drawn);
    EXPECT_NEAR(in_C(b.remaining()), stored, 1e-6);
    EXPECT_LE(in_C(b.remaining()), 3600.0 + 1e-6);
  }
}

TEST(KibamBatteryTest, SelfDischargeAtRest) {
  auto p = handCell();
  p.selfDischargePerMonth = ratio(0.02);
  KibamBattery b(p);
  b.advance(amperes(0), days(30));
  // 2 % of 3600 C in 30 days, a constant leak: 3528 C left.
  EXPECT_NEAR(in_C(b.remaining()), 3528.0, 1e-6);
}

TEST(KibamBatteryTest, TerminalVoltageFollowsAvailableWellAndResistance) {
  KibamBattery b(handCell());
  EXPECT_NEAR(in_V(b.terminalVoltage(amperes(0))), 4.2, 1e-12);
  EXPECT_NEAR(in_V(b.terminalVoltage(amperes(1))), 4.1, 1e-12);  // 1 A * 0.1 Ohm
  b.advance(amperes(0.5), seconds(600));
  // Available well at 1537.203 / 1800 = 0.854: OCV 3.0 + 1.2 * 0.854 = 4.0248 V.
  EXPECT_NEAR(in_V(b.terminalVoltage(amperes(0))), 3.0 + 1.2 * 1537.203 / 1800, 1e-5);
}

}  // namespace
}  // namespace ej::battery
