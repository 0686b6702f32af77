// Probes: one row per UTC day (charge per component, harvest, waste, state of charge) and
// a time series of the battery at the scenario's interval (none without an interval). Each
// sample first settles the bus, so the figures are exact at the sample instant.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <systemc>
#include <vector>

#include "sim/power/battery_module.h"
#include "sim/power/power_bus.h"

namespace ej::device {

struct DailyRow {
  double start_d;                              // day's start, days since time zero
  double length_d;                             // 1 but for a partial first or last day
  std::vector<std::vector<double>> state_mAh;  // [component][state], in ledger order
  std::vector<double> component_J;             // per component
  double wasted_mAh;                           // offered to the battery but not stored
  double soc_end;                              // state of charge at the end of the day
  std::vector<std::uint64_t> missed;           // per job: runs missed in an outage that day

  double component_mAh(std::size_t c) const;
  // Sum over the components of one flow, given each component's flow.
  double flow_mAh(const std::vector<power::Ledger::Component>& components, power::Flow flow) const;
};

struct TimeseriesRow {
  double time_s;
  double state_of_charge, remaining_mAh, voltage_V, load_mA, harvest_mA;
};

// The time series in the order sampled, in chunks of kChunkRows rows allocated once each:
// rows are never moved as the series grows. The newest two chunks stay in memory; older ones
// are spilled, byte for byte, to an anonymous temporary file (std::tmpfile), their buffer
// reused for the next rows. So a century of hourly rows (876,601 of 48 bytes, 42 MB) costs
// under 100 kB of memory, and so does a year (8,761 rows): chunks of 1,024 rows rather than
// 8,192 took 0.45 ms off the seed year, whose rows' pages cost a fault each on first write
// (tests/bench/README.md, twelfth pass). Without a temporary file (tmpfile() fails) every
// chunk stays in memory. Copies share the file.
class TimeseriesStore {
 public:
  static constexpr std::size_t kChunkRows = 1024;

  void push(const TimeseriesRow& row);
  bool empty() const { return size() == 0; }
  std::size_t size() const { return m_spilled + rowsInMemory(); }
  std::size_t rowsInMemory() const {
    return m_chunks.empty() ? 0 : (m_chunks.size() - 1) * kChunkRows + m_chunks.back().size();
  }
  const TimeseriesRow& back() const { return m_chunks.back().back(); }  // never spilled

  // Calls F(row) for every row, oldest first.
  template <class F>
  void forEach(F&& f) const {
    std::vector<TimeseriesRow> chunk;
    for (std::size_t first = 0; first < m_spilled; first += chunk.size()) {
      readSpilled(first, std::min(kChunkRows, m_spilled - first), chunk);
      for (const auto& row : chunk) f(row);
    }
    for (const auto& held : m_chunks) {
      for (const auto& row : held) f(row);
    }
  }

 private:
  void readSpilled(std::size_t first, std::size_t count, std::vector<TimeseriesRow>& out) const;

  std::shared_ptr<std::FILE> m_spill;  // rows [0, m_spilled)
  bool m_spillFailed = false;
  std::size_t m_spilled = 0;
  // Rows [m_spilled, size()): every chunk full (kChunkRows rows) but the last.
  std::vector<std::vector<TimeseriesRow>> m_chunks;
};

class Recorder : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Recorder);
  // PHASE: time zero's offset from the UTC midnight before it. INTERVAL: the time series'
  // step; none: no time series (no sample is taken, not even the last).
  Recorder(sc_core::sc_module_name name, power::PowerBus& bus, power::BatteryModule& battery,
           Time phase, std::optional<Time> interval);

  // COUNTS(BEFORE_NOW) gives the jobs' missed runs so far (the MCU's counters), for the
  // daily rows; with BEFORE_NOW true, without those missed at the present instant (a run
  // missed at midnight belongs to the day it starts, whether SystemC ran it before or after
  // the day's close).
  void countMissed(std::function<std::vector<std::uint64_t>(bool)> counts) {
    m_missedCounts = std::move(counts);
  }

  // Closes the last (partial) day and takes a last sample at the stop time (if sampling).
  void finish();

  const std::vector<DailyRow>& daily() const { return m_daily; }
  const TimeseriesStore& timeseries() const { return m_series; }
  // The rows, handed over once the run is over (a century of days is a few MB: not copied).
  std::vector<DailyRow> takeDaily() { return std::move(m_daily); }
  TimeseriesStore takeTimeseries() { return std::move(m_series); }

 private:
  void dayLoop();
  void sampleLoop();
  // LAST: the run's end (everything up to it counts), else a midnight.
  void closeDay(bool last = false);
  void sample();

  power::PowerBus& m_bus;
  power::BatteryModule& m_battery;
  Time m_phase;
  std::optional<Time> m_interval;
  double m_dayStart_s = 0;
  std::vector<std::vector<double>> m_lastState_mAh;
  std::vector<double> m_lastEnergy_J;
  double m_lastWasted_mAh = 0;
  std::function<std::vector<std::uint64_t>(bool)> m_missedCounts;
  std::vector<std::uint64_t> m_lastMissed;
  std::vector<DailyRow> m_daily;
  TimeseriesStore m_series;
};

}  // namespace ej::device
