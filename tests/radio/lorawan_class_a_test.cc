// LoRaWAN class A phases and the EU868 duty cycle, against hand-worked timings.
#include "sim/radio/lorawan_class_a.h"

#include <gtest/gtest.h>

namespace ej::radio {
namespace {

// Sums of a few exact products; 1 ns is far below any modelled duration.
constexpr double kTol_s = 1e-9;

LoraRadioParams sx1276(int sf, bool confirmed = false) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  const auto cfg =
      core::Config::parse("part: hw/radio/sx1276.yaml\nspreading_factor: " + std::to_string(sf) +
                              "\nconfirmed: " + (confirmed ? "true" : "false") + "\n",
                          "s.yaml");
  return LoraRadioParams::fromConfig(cfg);
}

TEST(LorawanClassATest, UnconfirmedSf7UplinkOpensBothWindows) {
  // 12-byte payload + 13 = 25-byte frame at SF7: ceil((200-28+28+16)/28) = ceil(7.71) = 8
  // -> 8 + 40 = 48 symbols; ToA = (12.25 + 48) * 1.024 ms = 61.696 ms.
  // RX1 empty: 8 symbols * 1.024 ms = 8.192 ms; RX2 at SF12: 8 * 32.768 = 262.144 ms.
  // Wake-up 250 us + synthesiser 60 us before each window (SX1276 TS_OSC, TS_FS), so
  // rx1_wait = 1 s - 0.31 ms and rx2_wait = 2 - 1 - 8.192 ms - 0.31 ms = 0.991498 s.
  const auto phases = uplinkAttempt(sx1276(7), 12, false);
  ASSERT_EQ(phases.size(), 11u);
  EXPECT_EQ(phases[2].name, "uplink_tx");
  EXPECT_EQ(phases[2].state, kLoraTx);
  EXPECT_NEAR(in_s(phases[2].duration), 61.696e-3, kTol_s);
  EXPECT_EQ(phases[3].state, kLoraSleep);
  EXPECT_NEAR(in_s(phases[3].duration), 0.99969, kTol_s);
  EXPECT_EQ(phases[6].name, "uplink_rx1");
  EXPECT_NEAR(in_s(phases[6].duration), 8.192e-3, kTol_s);
  EXPECT_NEAR(in_s(phases[7].duration), 0.991498, kTol_s);
  EXPECT_EQ(phases[10].name, "uplink_rx2");
  EXPECT_EQ(phases[10].state, kLoraRx);
  EXPECT_NEAR(in_s(phases[10].duration), 262.144e-3, kTol_s);
  // From wake-up to the end of RX2: 0.31 ms + 61.696 ms + 2 s + 262.144 ms = 2.32415 s.
  EXPECT_NEAR(in_s(totalDuration(phases)), 2.32415, kTol_s);
  EXPECT_NEAR(in_s(airtimeOf(phases)), 61.696e-3, kTol_s);
}

TEST(LorawanClassATest, AcknowledgedConfirmedUplinkStopsAfterRx1) {
  // The empty ACK is a 12-byte downlink without CRC at SF7: ceil((96-28+28)/28) = 4 ->
  // 28 symbols; ToA = (12.25 + 28) * 1.024 ms = 41.216 ms of listening in RX1.
  const auto phases = uplinkAttempt(sx1276(7, true), 12, true);
  ASSERT_EQ(phases.size(), 7u);
  EXPECT_EQ(phases.back().name, "uplink_rx1");
  EXPECT_NEAR(in_s(phases.back().duration), 41.216e-3, kTol_s);
}

TEST(LorawanClassATest, OtaaJoinReceivesTheAcceptInRx1AfterFiveSeconds) {
  // Join-request 23 bytes at SF7: ceil((184-28+28+16)/28) = 8 -> 48 symbols, 61.696 ms.
  // Join-accept 17 bytes, no CRC: ceil((136-28+28)/28) = 5 -> 33 symbols,
  // (12.25 + 33) * 1.024 = 46.336 ms. RX1 opens JOIN_ACCEPT_DELAY1 = 5 s after the request.
  const auto phases = joinExchange(sx1276(7));
  ASSERT_EQ(phases.size(), 7u);
  EXPECT_NEAR(in_s(phases[2].duration), 61.696e-3, kTol_s);
  EXPECT_NEAR(in_s(phases[3].duration), 5.0 - 310e-6, kTol_s);
  EXPECT_NEAR(in_s(phases[6].duration), 46.336e-3, kTol_s);
}

TEST(LorawanClassATest, DutyCycleClosesTheBandFor99TimesTheAirtime) {
  // SF12, 20-byte payload -> 33-byte frame: ceil((264-48+28+16)/40) = 7 -> 43 symbols;
  // ToA = (12.25 + 43) * 32.768 ms = 1810.432 ms. At 1 % the next transmission may start
  // 1.810432 / 0.01 = 181.0432 s after this one started (off-time 99 x ToA after its end).
  const auto p = sx1276(12);
  const auto phases = uplinkAttempt(p, 20, false);
  const Time airtime = airtimeOf(phases);
  EXPECT_NEAR(in_s(airtime), 1.810432, kTol_s);
  DutyCycleTracker dc(p.dutyCycle);
  EXPECT_TRUE(dc.allows(seconds(0)));
  dc.record(seconds(10), airtime);
  EXPECT_NEAR(in_s(dc.nextAllowed()), 191.0432, 1e-9);
  EXPECT_FALSE(dc.allows(seconds(191.04)));
  EXPECT_TRUE(dc.allows(seconds(191.05)));
  // A later, shorter transmission cannot reopen the band earlier.
  dc.record(seconds(11), seconds(0.1));
  EXPECT_NEAR(in_s(dc.nextAllowed()), 191.0432, 1e-9);
}

}  // namespace
}  // namespace ej::radio
