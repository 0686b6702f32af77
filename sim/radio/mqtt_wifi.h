// MQTT 3.1.1 over TCP/IPv4 (and optionally TLS 1.2) over 802.11g WiFi, as lists of radio
// phases: frame durations from the OFDM PHY (IEEE Std 802.11-2016 clause 17/18, TXTIME
// eq. 17-29, ERP signal extension), channel access from DCF (DIFS, mean backoff at CWmin),
// header sizes from RFC 791 (IPv4), RFC 793 (TCP), RFC 5246/5288 (TLS 1.2 AES-GCM records),
// IEEE 802.11 MAC/CCMP and RFC 1042 LLC/SNAP. Plain C++, no SystemC.
#pragma once

#include <cstddef>
#include <string>

#include "sim/core/config.h"
#include "sim/radio/lorawan_class_a.h"
#include "sim/radio/mqtt_packets.h"

namespace ej::radio {

// WiFi radio power states, in the order the module attaches them to the power bus.
enum WifiState : std::size_t { kWifiOff = 0, kWifiIdle, kWifiListen, kWifiRx, kWifiTx };
constexpr std::size_t kWifiStateCount = 5;
// "off", "connected_idle", "listen", "rx", "tx".
const char* wifiStateName(std::size_t state);

enum class MqttPolicy { ConnectPerReport, StayConnected };

struct MqttWifiParams {
  // --- the chip (part file) ---
  std::string part;           // the part's name
  Current txCurrent;          // transmitting OFDM frames (802.11g 54 Mbps figure)
  Current rxCurrent;          // receiving or listening
  Current modemSleepCurrent;  // associated, RF off between beacons, CPU running
  Current lightSleepCurrent;  // associated, RF off, CPU paused (auto light sleep)
  Time beaconListenTime;      // radio on per DTIM beacon wake-up
  Time associationTime;       // scan + authenticate + associate + WPA2 4-way handshake
  Time dhcpTime;              // DHCP DISCOVER..ACK

  // --- the scenario ---
  MqttPolicy policy = MqttPolicy::ConnectPerReport;
  bool staticIp = false;                  // skip DHCP
  double phyRate_Mbps = 54;               // OFDM data rate 6..54 Mbit/s (phy_rate_mbps)
  Time brokerRtt;                         // round trip node -> broker -> node
  int qos = 0;                            // MQTT QoS 0, 1, 2
  std::string topic = "edgejoule/node";   // PUBLISH topic name
  MqttConnect connect;                    // CONNECT contents (client id...)
  bool tls = false;                       // MQTT over TLS 1.2 (AES-128-GCM records)
  Time tlsComputeTime;                    // node's handshake crypto time (tls only)
  std::size_t tlsServerFlightBytes = 0;   // ServerHello..ServerHelloDone (tls only)
  std::size_t tlsClientFlightBytes = 0;   // ClientKeyExchange..Finished (tls only)
  Time keepAlive = seconds(60);           // MQTT keep alive (stay connected)
  Time beaconInterval = seconds(0.1024);  // 100 TU (IEEE 802.11 dot11BeaconPeriod default)
  int dtimPeriod = 1;                     // beacons per DTIM
  bool lightSleep = false;                // stay connected in auto light sleep

  static MqttWifiParams fromConfig(const core::Config& cfg);
};

// 802.11 constants (IEEE Std 802.11-2016): ERP-OFDM with short slot.
constexpr double kSlot_us = 9;
constexpr double kSifs_us = 10;
constexpr double kDifs_us = kSifs_us + 2 * kSlot_us;  // 28 us
constexpr double kCwMin = 15;                         // mean backoff CWmin/2 slots
// MAC header 24 + LLC/SNAP 8 + CCMP header 8 + MIC 8 + FCS 4 around each IP packet.
constexpr std::size_t kWifiDataOverheadBytes = 52;
constexpr std::size_t kWifiAckBytes = 14;
constexpr std::size_t kIpTcpHeaderBytes = 40;        // IPv4 20 + TCP 20, no options
constexpr std::size_t kTcpSynBytes = 44;             // + MSS option 4
constexpr std::size_t kTcpMss = 1460;                // Ethernet-sized MSS
constexpr std::size_t kTlsRecordOverhead = 29;       // header 5 + explicit nonce 8 + GCM tag 16
constexpr std::size_t kTlsClientHelloBytes = 512;    // measured ESP32 ClientHello record
constexpr std::size_t kTlsServerFinishedBytes = 51;  // ChangeCipherSpec 6 + Finished 45

// Duration of an OFDM PPDU of LENGTH bytes (MPDU incl. FCS) at RATE_Mbps:
// 20 us preamble+SIGNAL + 4 us x ceil((16 + 8 LENGTH + 6) / N_DBPS) + 6 us ERP extension.
Time ofdmFrameTime(std::size_t length, double rate_Mbps);
// The control-response rate for RATE_Mbps: the highest mandatory rate (6, 12, 24) not above.
double controlRate_Mbps(double rate_Mbps);

// The phases of the connection set-up: association, DHCP, TCP, TLS, CONNECT/CONNACK.
PhaseList mqttConnectPhases(const MqttWifiParams& params);
// One PUBLISH of PAYLOAD_BYTES with its QoS flow.
PhaseList mqttPublishPhases(const MqttWifiParams& params, std::size_t payloadBytes);
// DISCONNECT and the TCP close.
PhaseList mqttDisconnectPhases(const MqttWifiParams& params);
// PINGREQ / PINGRESP.
PhaseList mqttPingPhases(const MqttWifiParams& params);
// The whole of one report under the connect-per-report policy.
PhaseList mqttReportPhases(const MqttWifiParams& params, std::size_t payloadBytes);

// Mean current while connected and idle (stay-connected): the sleep current plus the
// DTIM beacon wake-ups and the keep-alive PINGREQ exchange folded in exactly per period:
//   I = I_sleep + (I_rx - I_sleep) t_beacon / (DTIM x beacon interval)
//       + (Q_ping - I_sleep t_ping) / keep_alive
Current connectedIdleCurrent(const MqttWifiParams& params);

// The three terms of connectedIdleCurrent(), each a period mean.
struct ConnectedIdle {
  Current sleep;      // modem (or auto light) sleep floor
  Current beacons;    // DTIM beacon wake-ups above the floor
  Current keepAlive;  // PINGREQ/PINGRESP every keep_alive above the floor
  Current total() const { return sleep + beacons + keepAlive; }
};
ConnectedIdle connectedIdle(const MqttWifiParams& params);

// The charge of PHASES with the currents of PARAMS (state kWifiIdle at its mean current).
Charge phaseCharge(const MqttWifiParams& params, const PhaseList& phases);

}  // namespace ej::radio
