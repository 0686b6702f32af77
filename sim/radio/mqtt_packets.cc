// MQTT 3.1.1 packet sizes; see mqtt_packets.h.
#include "sim/radio/mqtt_packets.h"

#include <stdexcept>

namespace ej::radio {

std::size_t remainingLengthBytes(std::size_t n) {
  if (n <= 127) return 1;
  if (n <= 16383) return 2;
  if (n <= 2097151) return 3;
  if (n <= 268435455) return 4;
  throw std::invalid_argument("MQTT remaining length over 268,435,455 bytes");
}

std::size_t packetBytes(std::size_t remainingLength) {
  return 1 + remainingLengthBytes(remainingLength) + remainingLength;
}

std::size_t connectBytes(const MqttConnect& c) {
  std::size_t rl = 10 + 2 + c.clientId.size();
  if (c.hasWill) rl += 2 + c.willTopicBytes + 2 + c.willMessageBytes;
  if (c.hasUserName) rl += 2 + c.userNameBytes;
  if (c.hasPassword) rl += 2 + c.passwordBytes;
  return packetBytes(rl);
}

std::size_t publishBytes(std::size_t topicBytes, std::size_t payloadBytes, int qos) {
  if (qos < 0 || qos > 2) throw std::invalid_argument("MQTT QoS must be 0, 1 or 2");
  return packetBytes(2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes);
}

}  // namespace ej::radio
