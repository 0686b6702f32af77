// MQTT 3.1.1 control packet sizes (OASIS Standard "MQTT Version 3.1.1", 29 October 2014,
// chapters 2 and 3). Plain C++, no SystemC.
#pragma once

#include <cstddef>
#include <string>

namespace ej::radio {

// Bytes of the Remaining Length field for a remaining length of N (section 2.2.3, Table 2.4):
// 7 bits per byte, 1..4 bytes for 0..268,435,455. Throws std::invalid_argument above.
std::size_t remainingLengthBytes(std::size_t remainingLength);

// A whole packet: fixed header (1 byte + Remaining Length field) + REMAINING_LENGTH.
std::size_t packetBytes(std::size_t remainingLength);

// What a CONNECT carries (section 3.1): client identifier, optional will and credentials.
struct MqttConnect {
  std::string clientId = "edgejoule";
  std::size_t willTopicBytes = 0;  // 0: no will
  std::size_t willMessageBytes = 0;
  std::size_t userNameBytes = 0;  // 0: no user name
  std::size_t passwordBytes = 0;  // 0: no password
  bool hasWill = false;
  bool hasUserName = false;
  bool hasPassword = false;
};

// CONNECT: variable header 10 bytes (protocol name "MQTT" 2+4, level 1, flags 1, keep alive
// 2; section 3.1.2) + payload of UTF-8 strings each with a 2-byte length (3.1.3).
std::size_t connectBytes(const MqttConnect& connect);
// PUBLISH (section 3.3): topic name (2 + length), packet identifier (2) when QoS > 0, and
// the application payload.
std::size_t publishBytes(std::size_t topicBytes, std::size_t payloadBytes, int qos);
// CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, UNSUBACK: 2-byte fixed header + 2 bytes.
constexpr std::size_t kConnackBytes = 4;
constexpr std::size_t kPubackBytes = 4;
constexpr std::size_t kPubrecBytes = 4;
constexpr std::size_t kPubrelBytes = 4;
constexpr std::size_t kPubcompBytes = 4;
// PINGREQ, PINGRESP, DISCONNECT: the fixed header alone (sections 3.12-3.14).
constexpr std::size_t kPingreqBytes = 2;
constexpr std::size_t kPingrespBytes = 2;
constexpr std::size_t kDisconnectBytes = 2;

}  // namespace ej::radio
