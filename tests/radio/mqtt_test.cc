// MQTT 3.1.1 packet sizes (OASIS examples worked by hand) and the WiFi phases.
#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/radio/mqtt_packets.h"
#include "sim/radio/mqtt_wifi.h"

namespace ej::radio {
namespace {

TEST(MqttPacketsTest, RemainingLengthFieldFollowsTable2_4) {
  // OASIS MQTT 3.1.1 Table 2.4: 1 byte 0..127, 2 bytes 128..16383, 3 bytes up to 2097151,
  // 4 bytes up to 268435455.
  EXPECT_EQ(remainingLengthBytes(0), 1u);
  EXPECT_EQ(remainingLengthBytes(127), 1u);
  EXPECT_EQ(remainingLengthBytes(128), 2u);
  EXPECT_EQ(remainingLengthBytes(16383), 2u);
  EXPECT_EQ(remainingLengthBytes(16384), 3u);
  EXPECT_EQ(remainingLengthBytes(2097151), 3u);
  EXPECT_EQ(remainingLengthBytes(2097152), 4u);
  EXPECT_EQ(remainingLengthBytes(268435455), 4u);
  EXPECT_THROW(remainingLengthBytes(268435456), std::invalid_argument);
}

TEST(MqttPacketsTest, ConnectAndPublishMatchTheStandardsLayouts) {
  // CONNECT, section 3.1.2 example variable header: "MQTT" (2+4) + level + flags + keep
  // alive (2) = 10 bytes; payload client id "edgejoule" = 2 + 9. RL = 21 -> 1 + 1 + 21 = 23.
  MqttConnect c;
  c.clientId = "edgejoule";
  EXPECT_EQ(connectBytes(c), 23u);
  // With user name "u1" and password "pw": + (2+2) + (2+2) -> RL 29 -> 31 bytes.
  c.hasUserName = true;
  c.userNameBytes = 2;
  c.hasPassword = true;
  c.passwordBytes = 2;
  EXPECT_EQ(connectBytes(c), 31u);
  // PUBLISH, section 3.3.2 example: topic "a/b" (2+3) and packet identifier 10 (2) = 7-byte
  // variable header. QoS 1 with 12 payload bytes: RL 19 -> 21 bytes; QoS 0: RL 17 -> 19.
  EXPECT_EQ(publishBytes(3, 12, 1), 21u);
  EXPECT_EQ(publishBytes(3, 12, 0), 19u);
  // 200 payload bytes at QoS 2: RL 207 needs a 2-byte Remaining Length -> 1 + 2 + 207.
  EXPECT_EQ(publishBytes(3, 200, 2), 210u);
  EXPECT_EQ(kPubackBytes, 4u);
  EXPECT_EQ(kPingreqBytes, 2u);
}

TEST(WifiPhyTest, OfdmFrameTimesFollowTxtime) {
  // ACK, 14 bytes at 24 Mbit/s: N_DBPS 96, ceil((16 + 112 + 6)/96) = 2 symbols ->
  // 20 + 8 + 6 (ERP signal extension) = 34 us (28 us in 802.11a, which has no extension).
  EXPECT_NEAR(in_s(ofdmFrameTime(14, 24)), 34e-6, 1e-12);
  // 113-byte MPDU at 54 Mbit/s: ceil((16 + 904 + 6)/216) = 5 -> 20 + 20 + 6 = 46 us.
  EXPECT_NEAR(in_s(ofdmFrameTime(113, 54)), 46e-6, 1e-12);
  // 1500-byte MPDU at 6 Mbit/s: ceil((16 + 12000 + 6)/24) = 501 -> 20 + 2004 + 6 = 2030 us.
  EXPECT_NEAR(in_s(ofdmFrameTime(1500, 6)), 2030e-6, 1e-12);
}

MqttWifiParams esp32c3(const std::string& keys) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  return MqttWifiParams::fromConfig(core::Config::parse(
      "part: hw/radio/esp32c3-wifi.yaml\nbroker_rtt: 20 ms\n" + keys, "s.yaml"));
}

TEST(MqttWifiTest, Qos1PublishPhasesMatchHandCalculation) {
  // Topic "a/b", 12 bytes, QoS 1, 54 Mbit/s, RTT 20 ms, no TLS:
  //  PUBLISH 21 B + IP/TCP 40 + 802.11 52 = 113 B: access (DIFS 28 + 7.5 x 9 = 95.5 us,
  //  listening), TX 46 us, 802.11 ACK RX SIFS 10 + 34 = 44 us; broker RTT 20 ms;
  //  PUBACK 4 + 40 + 52 = 96 B: ceil(790/216) = 4 symbols -> 42 us + SIFS 10 = 52 us RX,
  //  our 802.11 ACK 34 us TX.
  // Total 95.5 + 46 + 44 + 20000 + 52 + 34 = 20271.5 us; TX 80 us.
  const auto p = esp32c3("qos: 1\ntopic: a/b\n");
  const auto phases = mqttPublishPhases(p, 12);
  ASSERT_EQ(phases.size(), 6u);
  EXPECT_NEAR(in_s(totalDuration(phases)), 20271.5e-6, 1e-12);
  EXPECT_NEAR(in_s(airtimeOf(phases)), 80e-6, 1e-12);
  // Charge: 285 mA x 80 us + 84 mA x 20191.5 us = 22.8 + 1696.086 = 1718.886 uC.
  EXPECT_NEAR(in_C(phaseCharge(p, phases)), 1718.886e-6, 1e-12);
}

TEST(MqttWifiTest, ConnectPerReportStartsWithAssociationAndDhcp) {
  const auto p = esp32c3("qos: 0\n");
  const auto phases = mqttReportPhases(p, 12);
  ASSERT_GE(phases.size(), 2u);
  EXPECT_EQ(phases[0].name, "association");
  EXPECT_NEAR(in_s(phases[0].duration), 0.664, 1e-12);
  EXPECT_EQ(phases[1].name, "dhcp");
  // Without TLS the broker is waited for four times: SYN, CONNECT, PUBLISH, FIN.
  int waits = 0;
  for (const auto& ph : phases)
    waits += ph.name.size() > 5 && ph.name.rfind("_wait") == ph.name.size() - 5;
  EXPECT_EQ(waits, 4);
  // Static IP drops the DHCP phase (892 ms).
  const auto fixed = mqttReportPhases(esp32c3("static_ip: true\n"), 12);
  EXPECT_NEAR(in_s(totalDuration(phases)) - in_s(totalDuration(fixed)), 0.892, 1e-9);
}

TEST(MqttWifiTest, StayConnectedIdleCurrentFoldsBeaconsAndKeepAlive) {
  // Modem sleep 20.5 mA; DTIM 1 x 102.4 ms with 1.6 ms at 84 mA: + 63.5 x 1.6/102.4
  // = 0.9921875 mA.
  // PINGREQ 94-byte MPDU: 95.5 us access + 42 us TX + 44 us ACK RX; RTT 20 ms; PINGRESP
  // 42 + 10 = 52 us RX, 34 us ACK TX. Q = 285 x 76 us + 84 x 20191.5 us = 1717.746 uC over
  // 20267.5 us; (1717.746 - 20.5 x 20267.5) uC / 60 s = 0.0217043708 mA.
  // Total 20.5 + 0.9921875 + 0.0217043708 = 21.5138918708 mA.
  const auto p = esp32c3("policy: stay_connected\n");
  const auto idle = connectedIdle(p);
  EXPECT_NEAR(in_mA(idle.sleep), 20.5, 1e-9);
  EXPECT_NEAR(in_mA(idle.beacons), 0.9921875, 1e-9);
  EXPECT_NEAR(in_mA(idle.keepAlive), 0.0217043708, 1e-9);
  EXPECT_NEAR(in_mA(connectedIdleCurrent(p)), 21.5138918708, 1e-9);
}

TEST(MqttWifiTest, ConnectedIdleMatchesEspressifsEsp32c3Measurements) {
  // ESP-IDF Programming Guide, "Low Power Mode in Wi-Fi Scenarios", esp32c3 sleep-current
  // tables (160 MHz, connected, average mA): modem sleep DTIM 1/3/10: 21.47, 20.82, 20.67;
  // auto light sleep: 1.4, 0.62, 0.31. The keep-alive is pushed to 65535 s (the tables have
  // no MQTT traffic; it then adds 0.03 uA). The part's beacon time was fitted to the DTIM 1
  // and 3 averages, so those are in-sample; DTIM 10 is not. Tolerances: 1 % for modem sleep
  // (largest deviation -0.34 %, at DTIM 10); 15 % for light sleep (+3.6, -7.0, -12.6 %: at
  // DTIM 10 the beacon term alone gives 0.27 mA against the 0.31 mA measured).
  struct Case {
    const char* mode;
    int dtim;
    double measured_mA;
    double tolerance;
  };
  const Case cases[] = {{"modem", 1, 21.47, 0.01},  {"modem", 3, 20.82, 0.01},
                        {"modem", 10, 20.67, 0.01}, {"light", 1, 1.4, 0.15},
                        {"light", 3, 0.62, 0.15},   {"light", 10, 0.31, 0.15}};
  for (const auto& c : cases) {
    const auto p =
        esp32c3(std::string("policy: stay_connected\nkeep_alive: 65535 s\nsleep_mode: ") + c.mode +
                "\ndtim_period: " + std::to_string(c.dtim) + "\n");
    EXPECT_NEAR(in_mA(connectedIdleCurrent(p)) / c.measured_mA, 1.0, c.tolerance)
        << c.mode << " sleep, DTIM " << c.dtim;
  }
}

TEST(MqttWifiTest, TlsAddsTwoRoundTripsTheComputeTimeAndRecordOverhead) {
  const auto plain = esp32c3("qos: 0\n");
  const auto tls = esp32c3(
      "qos: 0\ntls: true\ntls_compute_time: 500 ms\ntls_server_flight_bytes: 3000\n"
      "tls_client_flight_bytes: 300\n");
  const auto a = mqttConnectPhases(plain);
  const auto b = mqttConnectPhases(tls);
  // Two more broker round trips (2 x 20 ms) and the 500 ms of handshake crypto at least.
  EXPECT_GT(in_s(totalDuration(b)) - in_s(totalDuration(a)), 0.540);
  // The 3000-byte server flight needs ceil(3000/1460) = 3 TCP segments.
  int serverSegments = 0;
  for (const auto& ph : b) serverSegments += ph.name == "tls_server_hello_rx";
  EXPECT_EQ(serverSegments, 3);
  // CONNECT in a TLS record: 23 + 29 = 52 B + 40 + 52 = 144-byte MPDU:
  // ceil((16 + 1152 + 6)/216) = 6 symbols -> 50 us, against 46 us for the 115-byte plain one.
  auto connectTx = [](const PhaseList& phases) {
    for (const auto& ph : phases) {
      if (ph.name == "mqtt_connect_tx") return in_s(ph.duration);
    }
    return -1.0;
  };
  EXPECT_NEAR(connectTx(b), 50e-6, 1e-12);
  EXPECT_NEAR(connectTx(a), 46e-6, 1e-12);
}

TEST(MqttWifiTest, BadRateAndMissingTlsFiguresAreLocated) {
  auto error = [](const std::string& keys) -> std::string {
    try {
      esp32c3(keys);
    } catch (const core::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error("phy_rate_mbps: 11\n"),
            "s.yaml:3:16: phy_rate_mbps: 802.11g OFDM rates are 6, 9, 12, 18, 24, 36, 48, 54 "
            "(Mbit/s)");
  EXPECT_EQ(error("tls: true\n").find("tls_compute_time: missing") != std::string::npos, true);
}

}  // namespace
}  // namespace ej::radio
