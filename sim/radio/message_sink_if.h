// The radio's input port: how the MCU hands it a message. The MCU's job says what to send;
// the radio module times the protocol and draws its own current through the power bus.
// It belongs to the radio, as power_bus_if.h belongs to power: the device layer above uses it.
#pragma once

#include <cstddef>
#include <string>
#include <systemc>

namespace ej::radio {

struct Message {
  std::string job;           // the MCU job that produced it, for the summary
  std::size_t payloadBytes;  // application payload
};

class MessageSinkIf : public virtual sc_core::sc_interface {
 public:
  // Queues MESSAGE; returns at once. The radio sends it when it can (duty cycle, a message
  // still in flight) and counts what it sent, retried or dropped.
  virtual void submit(const Message& message) = 0;
};

}  // namespace ej::radio
