// MCU: a queue of job requests served one at a time; one pending request per job at most,
// like an interrupt-pending bit.
#include "sim/device/mcu.h"

#include <algorithm>
#include <iterator>

#include "sim/core/sim_time.h"

namespace ej::device {

Mcu::Mcu(sc_core::sc_module_name name, McuParams params, std::vector<JobParams> jobs)
    : sc_module(name),
      power("power"),
      wake("wake"),
      m_params(std::move(params)),
      m_jobs(std::move(jobs)),
      m_counters(m_jobs.size()),
      m_missedNow(m_jobs.size()),
      m_queued(m_jobs.size(), false) {
  SC_THREAD(worker);
  for (std::size_t j = 0; j < m_jobs.size(); ++j) {
    if (m_jobs[j].trigger != JobParams::Trigger::Periodic) continue;
    sc_core::sc_spawn(
        [this, j] {
          wait(core::toScTime(m_jobs[j].firstAt));
          for (;;) {
            request(j);
            wait(core::toScDelay(m_jobs[j].period));
          }
        },
        (std::string("timer_") + m_jobs[j].name).c_str());
  }
}

void Mcu::bindRadio(const std::string& name, radio::MessageSinkIf& radio) {
  radios(radio);
  m_radioNames.push_back(name);
}

void Mcu::end_of_elaboration() {
  for (const auto& job : m_jobs) {
    for (const auto& step : job.steps) {
      if (step.kind == JobStep::Kind::Send &&
          std::find(m_radioNames.begin(), m_radioNames.end(), step.radio) == m_radioNames.end()) {
        SC_REPORT_ERROR(name(), ("job " + job.name + " sends to radio '" + step.radio +
                                 "', which the node does not have")
                                    .c_str());
      }
    }
  }
  // Attached in the first listed state; the worker moves to the idle state at time zero.
  m_id = power->attach(basename(), m_params.states);
  if (wake.size() > 0) {
    sc_core::sc_spawn_options options;
    options.spawn_method();
    options.dont_initialize();
    options.set_sensitivity(&wake->posedge_event());
    sc_core::sc_spawn([this] { onWake(); }, "on_wake", &options);
  }
}

void Mcu::onWake() {
  for (std::size_t j = 0; j < m_jobs.size(); ++j) {
    if (m_jobs[j].trigger == JobParams::Trigger::Motion) request(j);
  }
}

void Mcu::request(std::size_t job) {
  ++m_counters[job].triggers;
  if (!power->loadsPowered()) {
    ++m_counters[job].missed;  // the node is browned out: the work is missed
    auto& m = m_missedNow[job];
    if (m.at != sc_core::sc_time_stamp()) m = {sc_core::sc_time_stamp(), 0};
    ++m.count;
    return;
  }
  if (m_queued[job]) {
    ++m_counters[job].merged;
    return;
  }
  m_queued[job] = true;
  // Requests at one instant (a heartbeat and a sampling job both due at 06:00) are served in
  // the jobs' order, so that SystemC's order among the requesting processes decides
  // nothing: the second job's radio exchange would otherwise move by the first's length.
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  auto at = m_queue.end();
  while (at != m_queue.begin() && std::prev(at)->at == now && std::prev(at)->job > job) --at;
  m_queue.insert(at, Request{job, now});
  m_requested.notify(sc_core::SC_ZERO_TIME);
}

template <typename Done>
void Mcu::waitSameInstant(Done done) {
  // With nothing left to run at this instant (no runnable process, no delta notification or
  // update anywhere in the kernel), no request can arrive in a later delta: the waits would
  // change nothing but the kernel's delta count.
  for (int d = 0; d < core::kSameInstantDeltas && !done(); ++d) {
    if (!sc_core::sc_pending_activity_at_current_time()) return;
    wait(sc_core::SC_ZERO_TIME);
  }
}

void Mcu::worker() {
  power->setState(m_id, m_params.idleState);
  for (;;) {
    while (m_queue.empty()) wait(m_requested);
    if (m_params.wakeUpTime > Time()) {
      power->setState(m_id, m_params.wakeState);
      wait(core::toScTime(m_params.wakeUpTime));
    }
    do {
      while (!m_queue.empty()) {
        // A job asked for at this very instant: first let the other requests of the instant
        // arrive (see kSameInstantDeltas), so that the jobs' order, not the kernel's, decides.
        if (m_queue.front().at == sc_core::sc_time_stamp() &&
            m_gathered != sc_core::sc_time_stamp()) {
          m_gathered = sc_core::sc_time_stamp();
          waitSameInstant([] { return false; });
        }
        const std::size_t job = m_queue.front().job;
        m_queue.pop_front();
        m_queued[job] = false;
        ++m_counters[job].runs;
        for (const auto& step : m_jobs[job].steps) {
          if (step.kind == JobStep::Kind::Send) {
            const auto at = std::find(m_radioNames.begin(), m_radioNames.end(), step.radio);
            radios[static_cast<int>(at - m_radioNames.begin())]->submit(
                radio::Message{m_jobs[job].name, step.payloadBytes});
            continue;
          }
          power->setState(m_id, step.state);
          wait(core::toScTime(step.duration));
        }
      }
      // A request at the very instant the last job ends is served before going idle,
      // whichever of the two the kernel happened to run first (see kSameInstantDeltas).
      waitSameInstant([this] { return !m_queue.empty(); });
    } while (!m_queue.empty());
    power->setState(m_id, m_params.idleState);
  }
}

}  // namespace ej::device
