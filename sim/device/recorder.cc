// Recorder: day boundaries at UTC midnights, samples on a fixed grid from time zero.
#include "sim/device/recorder.h"

#include <stdexcept>

#include "sim/core/calendar.h"
#include "sim/core/sim_time.h"

namespace ej::device {

void TimeseriesStore::push(const TimeseriesRow& row) {
  if (m_chunks.empty() || m_chunks.back().size() == kChunkRows) {
    std::vector<TimeseriesRow> next;
    if (m_chunks.size() >= 2 && !m_spillFailed) {
      // Spill the oldest chunk (the newest stays, so back() is always in memory) and reuse
      // its buffer.
      if (!m_spill) m_spill.reset(std::tmpfile(), [](std::FILE* f) { std::fclose(f); });
      if (!m_spill) {
        m_spillFailed = true;
      } else {
        auto& oldest = m_chunks.front();
        if (std::fseek(m_spill.get(), 0, SEEK_END) != 0 ||
            std::fwrite(oldest.data(), sizeof(TimeseriesRow), oldest.size(), m_spill.get()) !=
                oldest.size()) {
          throw std::runtime_error("time series: cannot write its temporary file");
        }
        m_spilled += oldest.size();
        next = std::move(oldest);
        next.clear();
        m_chunks.erase(m_chunks.begin());
      }
    }
    next.reserve(kChunkRows);
    m_chunks.push_back(std::move(next));
  }
  m_chunks.back().push_back(row);
}

void TimeseriesStore::readSpilled(std::size_t first, std::size_t count,
                                  std::vector<TimeseriesRow>& out) const {
  out.resize(count);
  if (std::fseek(m_spill.get(), static_cast<long>(first * sizeof(TimeseriesRow)), SEEK_SET) != 0 ||
      std::fread(out.data(), sizeof(TimeseriesRow), count, m_spill.get()) != count) {
    throw std::runtime_error("time series: cannot read back its temporary file");
  }
}

Recorder::Recorder(sc_core::sc_module_name name, power::PowerBus& bus,
                   power::BatteryModule& battery, Time phase, std::optional<Time> interval)
    : sc_module(name), m_bus(bus), m_battery(battery), m_phase(phase), m_interval(interval) {
  SC_THREAD(dayLoop);
  if (m_interval) SC_THREAD(sampleLoop);
}

void Recorder::dayLoop() {
  Time midnight = core::nextTimeOfDay(seconds(1e-9), Time(), m_phase);
  for (;;) {
    wait(core::toScTime(midnight) - sc_core::sc_time_stamp());
    closeDay();
    midnight += days(1);
  }
}

void Recorder::sampleLoop() {
  for (double k = 0;; k += 1) {
    const auto at = core::toScTime(*m_interval * k);
    if (at > sc_core::sc_time_stamp()) wait(at - sc_core::sc_time_stamp());
    sample();
  }
}

double DailyRow::component_mAh(std::size_t c) const {
  double total = 0;
  for (double v : state_mAh[c]) total += v;
  return total;
}

double DailyRow::flow_mAh(const std::vector<power::Ledger::Component>& components,
                          power::Flow flow) const {
  double total = 0;
  for (std::size_t c = 0; c < components.size(); ++c) {
    if (components[c].flow == flow) total += component_mAh(c);
  }
  return total;
}

void Recorder::closeDay(bool last) {
  m_bus.settle();
  const double now_s = in_s(core::simNow());
  if (now_s <= m_dayStart_s) return;
  const auto& components = m_bus.ledger().components();
  m_lastState_mAh.resize(components.size());
  m_lastEnergy_J.resize(components.size(), 0.0);
  DailyRow row{
      m_dayStart_s / kSecondsPerDay, (now_s - m_dayStart_s) / kSecondsPerDay, {}, {}, 0, 0, {}};
  for (std::size_t c = 0; c < components.size(); ++c) {
    const auto& states = components[c].states;
    m_lastState_mAh[c].resize(states.size(), 0.0);
    row.state_mAh.emplace_back();
    for (std::size_t s = 0; s < states.size(); ++s) {
      const double total = in_mAh(states[s].charge);
      row.state_mAh[c].push_back(total - m_lastState_mAh[c][s]);
      m_lastState_mAh[c][s] = total;
    }
    const double energy = in_J(components[c].energy());
    row.component_J.push_back(energy - m_lastEnergy_J[c]);
    m_lastEnergy_J[c] = energy;
  }
  const double wasted = in_mAh(m_battery.totals().wasted);
  row.wasted_mAh = wasted - m_lastWasted_mAh;
  m_lastWasted_mAh = wasted;
  row.soc_end = m_battery.model().stateOfCharge().value();
  if (m_missedCounts) {
    const auto missed = m_missedCounts(!last);
    m_lastMissed.resize(missed.size(), 0);
    for (std::size_t j = 0; j < missed.size(); ++j) {
      row.missed.push_back(missed[j] - m_lastMissed[j]);
      m_lastMissed[j] = missed[j];
    }
  }
  m_daily.push_back(std::move(row));
  m_dayStart_s = now_s;
}

void Recorder::sample() {
  m_bus.settle();
  const auto& model = m_battery.model();
  // The currents and voltage in effect just before any change at this instant: a sample
  // must not depend on whether a same-instant change ran before it.
  const auto r = m_bus.readingBeforeNow();
  m_series.push({in_s(core::simNow()), model.stateOfCharge().value(), in_mAh(model.remaining()),
                 in_V(r.voltage), in_mA(r.load), in_mA(r.source)});
}

void Recorder::finish() {
  closeDay(true);
  if (!m_interval) return;
  if (m_series.empty() || m_series.back().time_s < in_s(core::simNow())) sample();
}

}  // namespace ej::device
