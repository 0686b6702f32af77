// How the MCU hands a message to a radio: the MCU's job says what to send, the radio
// module times the protocol and draws its own current through the power bus.
#pragma once

#include <cstddef>
#include <string>
#include <systemc>

namespace ej::device {

struct Report {
  std::string job;           // the MCU job that produced it, for the summary
  std::size_t payloadBytes;  // application payload
};

class ReportSinkIf : public virtual sc_core::sc_interface {
 public:
  // Queues REPORT; returns at once. The radio sends it when it can (duty cycle, a report
  // still in flight) and counts what it sent, retried or dropped.
  virtual void submit(const Report& report) = 0;
};

}  // namespace ej::device
