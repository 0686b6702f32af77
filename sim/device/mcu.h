// The microcontroller: rests in its idle state, wakes on the PIR's rising edge or a timer,
// runs the job's steps (each a power state for a duration), and goes back to rest.
#pragma once

#include <cstdint>
#include <deque>
#include <systemc>
#include <vector>

#include "sim/device/mcu_params.h"
#include "sim/power/power_bus_if.h"
#include "sim/radio/message_sink_if.h"

namespace ej::device {

class Mcu : public sc_core::sc_module {
 public:
  sc_core::sc_port<power::PowerBusIf> power;
  // The PIR output; may stay unbound on a node without a PIR.
  sc_core::sc_port<sc_core::sc_signal_in_if<bool>, 1, sc_core::SC_ZERO_OR_MORE_BOUND> wake;
  // The radios the jobs send to, bound with bindRadio().
  sc_core::sc_port<radio::MessageSinkIf, 0, sc_core::SC_ZERO_OR_MORE_BOUND> radios;

  SC_HAS_PROCESS(Mcu);
  Mcu(sc_core::sc_module_name name, McuParams params, std::vector<JobParams> jobs);

  struct JobCounters {
    std::uint64_t triggers = 0;  // times the job was asked for
    std::uint64_t runs = 0;      // times it started
    std::uint64_t merged = 0;    // asked for while already waiting to run: merged into it
    std::uint64_t missed = 0;    // asked for during an outage (the node unpowered): not run
  };
  const std::vector<JobParams>& jobs() const { return m_jobs; }
  const JobCounters& counters(std::size_t job) const { return m_counters.at(job); }
  const McuParams& params() const { return m_params; }
  // Binds the radio that `send` steps name NAME.
  void bindRadio(const std::string& name, radio::MessageSinkIf& radio);

 private:
  void end_of_elaboration() override;
  void request(std::size_t job);
  void onWake();
  void worker();

  McuParams m_params;
  std::vector<JobParams> m_jobs;
  std::vector<std::string> m_radioNames;  // in binding order of `radios`
  std::vector<JobCounters> m_counters;
  std::vector<bool> m_queued;
  std::deque<std::size_t> m_queue;
  sc_core::sc_event m_requested{"requested"};
  power::ComponentId m_id = 0;
};

}  // namespace ej::device
