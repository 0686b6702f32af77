#include "sim/power/ledger.h"

#include <gtest/gtest.h>

namespace ej::power {
namespace {

TEST(LedgerTest, IntegratesEachStateBetweenChanges) {
  Ledger ledger;
  const auto mcu =
      ledger.add("mcu", {{"sleep", milliamperes(5)}, {"active", milliamperes(120)}}, Flow::Load);
  const auto sun =
      ledger.add("harvester", {{"dark", Current()}, {"sun", milliamperes(200)}}, Flow::Source);
  // 22 h asleep, 2 h active, with 3 h of sun inside the sleep: the seed paper's day.
  ledger.advanceTo(hours(10), volts(3.7));
  ledger.setState(sun, 1);
  ledger.advanceTo(hours(13), volts(3.7));
  ledger.setState(sun, 0);
  ledger.advanceTo(hours(22), volts(3.7));
  ledger.setState(mcu, 1);
  ledger.advanceTo(hours(24), volts(3.7));

  // 5 mA * 22 h = 110 mAh; 120 mA * 2 h = 240 mAh; 200 mA * 3 h = 600 mAh. Sums of a few
  // doubles: 1e-9 mAh absolute is far above their rounding.
  const auto& m = ledger.component(mcu);
  EXPECT_NEAR(in_mAh(m.states[0].charge), 110.0, 1e-9);
  EXPECT_NEAR(in_mAh(m.states[1].charge), 240.0, 1e-9);
  EXPECT_NEAR(in_h(m.states[0].time), 22.0, 1e-12);
  EXPECT_NEAR(in_mAh(ledger.charge(Flow::Load)), 350.0, 1e-9);
  EXPECT_NEAR(in_mAh(ledger.charge(Flow::Source)), 600.0, 1e-9);
  // Energy at 3.7 V: 350 mAh * 3.6 C/mAh * 3.7 V = 4662 J.
  EXPECT_NEAR(in_J(ledger.energy(Flow::Load)), 4662.0, 1e-6);
  EXPECT_NEAR(in_mA(ledger.current(Flow::Load)), 120.0, 1e-12);
}

TEST(LedgerTest, RefusesUnknownStatesAndDuplicateNames) {
  Ledger ledger;
  const auto id = ledger.add("mcu", {{"sleep", milliamperes(5)}}, Flow::Load);
  EXPECT_THROW(ledger.setState(id, 1), std::out_of_range);
  EXPECT_THROW(ledger.add("mcu", {{"x", Current()}}, Flow::Load), std::invalid_argument);
  EXPECT_THROW(ledger.add("empty", {}, Flow::Load), std::invalid_argument);
}

}  // namespace
}  // namespace ej::power
