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
  // The job's missed runs before the present instant (those missed at it left out).
  std::uint64_t missedBeforeNow(std::size_t job) const {
    const auto& m = m_missedNow.at(job);
    return m_counters.at(job).missed - (m.at == sc_core::sc_time_stamp() ? m.count : 0);
  }
  const McuParams& params() const { return m_params; }
  // Binds the radio that `send` steps name NAME.
  void bindRadio(const std::string& name, radio::MessageSinkIf& radio);

 private:
  void end_of_elaboration() override;
  void request(std::size_t job);
  void onWake();
  void worker();
  // Up to core::kSameInstantDeltas delta cycles, until DONE, for the instant's other requests.
  template <typename Done>
  void waitSameInstant(Done done);

  McuParams m_params;
  std::vector<JobParams> m_jobs;
  std::vector<std::string> m_radioNames;  // in binding order of `radios`
  std::vector<JobCounters> m_counters;
  struct MissedAt {
    sc_core::sc_time at = sc_core::sc_max_time();
    std::uint64_t count = 0;  // missed at AT
  };
  std::vector<MissedAt> m_missedNow;  // per job: the latest instant it was missed at
  std::vector<bool> m_queued;
  // Jobs waiting to run, with the instant each was asked for: in that order, and at one
  // instant in the jobs' order (not in the order SystemC ran the requesting processes).
  struct Request {
    std::size_t job;
    sc_core::sc_time at;
  };
  std::deque<Request> m_queue;
  // The instant at which the worker last waited for same-instant requests to arrive.
  sc_core::sc_time m_gathered = sc_core::sc_max_time();
  sc_core::sc_event m_requested{"requested"};
  power::ComponentId m_id = 0;
};

}  // namespace ej::device
