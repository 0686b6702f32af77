// MQTT over WiFi phases; see mqtt_wifi.h for the sources.
#include "sim/radio/mqtt_wifi.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ej::radio {

const char* wifiStateName(std::size_t state) {
  static const char* const kNames[kWifiStateCount] = {"off", "connected_idle", "listen", "rx",
                                                      "tx"};
  return state < kWifiStateCount ? kNames[state] : "?";
}

MqttWifiParams MqttWifiParams::fromConfig(const core::Config& cfg) {
  MqttWifiParams p;
  p.part = cfg.text("name", "WiFi radio");
  p.txCurrent = cfg.quantity<Current>("tx_current", core::Range::Positive);
  p.rxCurrent = cfg.quantity<Current>("rx_current", core::Range::Positive);
  p.modemSleepCurrent = cfg.quantity<Current>("modem_sleep_current", core::Range::Positive);
  p.lightSleepCurrent = cfg.quantity<Current>("light_sleep_current", core::Range::Positive);
  p.beaconListenTime = cfg.quantity<Time>("beacon_listen_time", core::Range::Positive);
  p.associationTime = cfg.quantity<Time>("association_time", core::Range::NonNegative);
  p.dhcpTime = cfg.quantity<Time>("dhcp_time", core::Range::NonNegative);

  p.policy = cfg.choice("policy", {"connect_per_report", "stay_connected"}, "connect_per_report") ==
                     "stay_connected"
                 ? MqttPolicy::StayConnected
                 : MqttPolicy::ConnectPerReport;
  p.staticIp = cfg.flag("static_ip", false);
  // The quantity parser has no bit-rate unit: the key names its unit (Mbit/s).
  p.phyRate_Mbps = cfg.number("phy_rate_mbps", 54.0, core::Range::Positive);
  const double allowed[] = {6, 9, 12, 18, 24, 36, 48, 54};
  bool ok = false;
  for (double a : allowed) ok = ok || std::abs(a - p.phyRate_Mbps) < 1e-9;
  if (!ok)
    cfg.fail("phy_rate_mbps", "802.11g OFDM rates are 6, 9, 12, 18, 24, 36, 48, 54 (Mbit/s)");
  p.brokerRtt = cfg.quantity<Time>("broker_rtt", core::Range::NonNegative);
  p.qos = static_cast<int>(cfg.integer("qos", 0, 0, 2));
  p.topic = cfg.text("topic", p.topic);
  if (p.topic.empty() || p.topic.size() > 65535) cfg.fail("topic", "must be 1..65535 bytes");
  p.connect.clientId = cfg.text("client_id", p.connect.clientId);
  p.tls = cfg.flag("tls", false);
  if (p.tls) {
    p.tlsComputeTime = cfg.quantity<Time>("tls_compute_time", core::Range::NonNegative);
    p.tlsServerFlightBytes =
        static_cast<std::size_t>(cfg.integer("tls_server_flight_bytes", 1, 1000000));
    p.tlsClientFlightBytes =
        static_cast<std::size_t>(cfg.integer("tls_client_flight_bytes", 1, 1000000));
  }
  p.keepAlive = cfg.quantity<Time>("keep_alive", p.keepAlive, core::Range::Positive);
  if (in_s(p.keepAlive) > 65535) cfg.fail("keep_alive", "MQTT 3.1.1 allows at most 65535 s");
  p.dtimPeriod = static_cast<int>(cfg.integer("dtim_period", 1, 1, 255));
  p.lightSleep = cfg.choice("sleep_mode", {"modem", "light"}, "modem") == "light";
  return p;
}

Time ofdmFrameTime(std::size_t length, double rate_Mbps) {
  const double nDbps = 4.0 * rate_Mbps;  // data bits per 4-us OFDM symbol
  const double symbols = std::ceil((16.0 + 8.0 * static_cast<double>(length) + 6.0) / nDbps);
  return seconds((20.0 + 4.0 * symbols + 6.0) * 1e-6);
}

double controlRate_Mbps(double rate_Mbps) {
  if (rate_Mbps >= 24) return 24;
  if (rate_Mbps >= 12) return 12;
  return 6;
}

namespace {

class Builder {
 public:
  explicit Builder(const MqttWifiParams& p) : m_p(p) {}

  // The node sends APP_BYTES of TCP payload (split into MSS segments) and receives the
  // 802.11 ACK of each frame.
  void send(const std::string& name, std::size_t appBytes,
            std::size_t headerBytes = kIpTcpHeaderBytes) {
    forEachFrame(appBytes, headerBytes, [&](Time frame, Time ack) {
      m_out.push_back(
          {name + "_access", kWifiListen, seconds((kDifs_us + kSlot_us * kCwMin / 2) * 1e-6)});
      m_out.push_back({name + "_tx", kWifiTx, frame, true});
      m_out.push_back({name + "_ack_rx", kWifiRx, seconds(kSifs_us * 1e-6) + ack});
    });
  }
  // The node receives APP_BYTES (split into MSS segments) and acknowledges each frame.
  void receive(const std::string& name, std::size_t appBytes,
               std::size_t headerBytes = kIpTcpHeaderBytes) {
    forEachFrame(appBytes, headerBytes, [&](Time frame, Time ack) {
      m_out.push_back({name + "_rx", kWifiRx, frame + seconds(kSifs_us * 1e-6)});
      m_out.push_back({name + "_ack_tx", kWifiTx, ack, true});
    });
  }
  void wait(const std::string& name, Time t) { m_out.push_back({name, kWifiListen, t}); }
  void rtt(const std::string& name) { wait(name + "_wait", m_p.brokerRtt); }
  // An MQTT packet of BYTES on the connection, inside a TLS record when TLS is on.
  std::size_t mqtt(std::size_t bytes) const { return bytes + (m_p.tls ? kTlsRecordOverhead : 0); }

  PhaseList take() { return std::move(m_out); }

 private:
  // Calls EACH(frame, ack) per MSS segment of APP_BYTES (at least one): the data frame's
  // time on air at the PHY rate, and its 802.11 ACK's at the control rate.
  template <class Each>
  void forEachFrame(std::size_t appBytes, std::size_t headerBytes, Each&& each) const {
    const double ctrl = controlRate_Mbps(m_p.phyRate_Mbps);
    std::size_t left = appBytes;
    do {
      const std::size_t seg = std::min(left, kTcpMss);
      left -= seg;
      each(ofdmFrameTime(seg + headerBytes + kWifiDataOverheadBytes, m_p.phyRate_Mbps),
           ofdmFrameTime(kWifiAckBytes, ctrl));
    } while (left > 0);
  }

  const MqttWifiParams& m_p;
  PhaseList m_out;
};

}  // namespace

PhaseList mqttConnectPhases(const MqttWifiParams& p) {
  Builder b(p);
  b.wait("association", p.associationTime);
  if (!p.staticIp) b.wait("dhcp", p.dhcpTime);
  // TCP three-way handshake (RFC 793 3.4): SYN, SYN-ACK, ACK.
  b.send("tcp_syn", 0, kTcpSynBytes);
  b.rtt("tcp_syn");
  b.receive("tcp_synack", 0, kTcpSynBytes);
  b.send("tcp_ack", 0);
  if (p.tls) {
    // TLS 1.2 full handshake (RFC 5246 7.3): two round trips and the node's crypto.
    b.send("tls_client_hello", kTlsClientHelloBytes);
    b.rtt("tls_client_hello");
    b.receive("tls_server_hello", p.tlsServerFlightBytes);
    b.wait("tls_compute", p.tlsComputeTime);
    b.send("tls_client_finished", p.tlsClientFlightBytes);
    b.rtt("tls_client_finished");
    b.receive("tls_server_finished", kTlsServerFinishedBytes);
  }
  b.send("mqtt_connect", b.mqtt(connectBytes(p.connect)));
  b.rtt("mqtt_connect");
  b.receive("mqtt_connack", b.mqtt(kConnackBytes));
  return b.take();
}

PhaseList mqttPublishPhases(const MqttWifiParams& p, std::size_t payloadBytes) {
  Builder b(p);
  b.send("mqtt_publish", b.mqtt(publishBytes(p.topic.size(), payloadBytes, p.qos)));
  b.rtt("mqtt_publish");
  if (p.qos == 0) {
    b.receive("tcp_ack", 0);  // the broker's TCP acknowledgement, no MQTT reply
  } else if (p.qos == 1) {
    b.receive("mqtt_puback", b.mqtt(kPubackBytes));
  } else {
    b.receive("mqtt_pubrec", b.mqtt(kPubrecBytes));
    b.send("mqtt_pubrel", b.mqtt(kPubrelBytes));
    b.rtt("mqtt_pubrel");
    b.receive("mqtt_pubcomp", b.mqtt(kPubcompBytes));
  }
  return b.take();
}

PhaseList mqttDisconnectPhases(const MqttWifiParams& p) {
  Builder b(p);
  b.send("mqtt_disconnect", b.mqtt(kDisconnectBytes));
  // TCP close (RFC 793 3.5): FIN, the broker's FIN+ACK, the last ACK.
  b.send("tcp_fin", 0);
  b.rtt("tcp_fin");
  b.receive("tcp_finack", 0);
  b.send("tcp_last_ack", 0);
  return b.take();
}

PhaseList mqttPingPhases(const MqttWifiParams& p) {
  Builder b(p);
  b.send("mqtt_pingreq", b.mqtt(kPingreqBytes));
  b.rtt("mqtt_pingreq");
  b.receive("mqtt_pingresp", b.mqtt(kPingrespBytes));
  return b.take();
}

PhaseList mqttReportPhases(const MqttWifiParams& p, std::size_t payloadBytes) {
  PhaseList all = mqttConnectPhases(p);
  const auto publish = mqttPublishPhases(p, payloadBytes);
  const auto close = mqttDisconnectPhases(p);
  all.insert(all.end(), publish.begin(), publish.end());
  all.insert(all.end(), close.begin(), close.end());
  return all;
}

namespace {
Current stateCurrent(const MqttWifiParams& p, std::size_t state) {
  switch (state) {
    case kWifiTx:
      return p.txCurrent;
    case kWifiRx:
    case kWifiListen:
      return p.rxCurrent;
    case kWifiIdle:
      return connectedIdleCurrent(p);
    default:
      return amperes(0);
  }
}
}  // namespace

Charge phaseCharge(const MqttWifiParams& p, const PhaseList& phases) {
  Charge q = coulombs(0);
  for (const auto& ph : phases) q += stateCurrent(p, ph.state) * ph.duration;
  return q;
}

Current connectedIdleCurrent(const MqttWifiParams& p) { return connectedIdle(p).total(); }

ConnectedIdle connectedIdle(const MqttWifiParams& p) {
  const Current sleep = p.lightSleep ? p.lightSleepCurrent : p.modemSleepCurrent;
  const Time dtim = static_cast<double>(p.dtimPeriod) * p.beaconInterval;
  const auto ping = mqttPingPhases(p);
  Charge pingCharge = coulombs(0);
  for (const auto& ph : ping) {
    pingCharge += (ph.state == kWifiTx ? p.txCurrent : p.rxCurrent) * ph.duration;
  }
  const Time pingTime = totalDuration(ping);
  return {sleep, (p.rxCurrent - sleep) * (p.beaconListenTime / dtim),
          (pingCharge - sleep * pingTime) / p.keepAlive};
}

}  // namespace ej::radio
