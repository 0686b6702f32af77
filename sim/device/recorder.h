// Probes: one row per UTC day (charge per component, harvest, waste, state of charge) and
// a time series of the battery at the scenario's interval. Each sample first settles the
// bus, so the figures are exact at the sample instant.
#pragma once

#include <cstdint>
#include <functional>
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

class Recorder : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Recorder);
  // PHASE: time zero's offset from the UTC midnight before it.
  Recorder(sc_core::sc_module_name name, power::PowerBus& bus, power::BatteryModule& battery,
           Time phase, Time interval);

  // COUNTS gives the jobs' missed runs so far (the MCU's counters), for the daily rows.
  void countMissed(std::function<std::vector<std::uint64_t>()> counts) {
    m_missedCounts = std::move(counts);
  }

  // Closes the last (partial) day and takes a last sample at the stop time.
  void finish();

  const std::vector<DailyRow>& daily() const { return m_daily; }
  const std::vector<TimeseriesRow>& timeseries() const { return m_series; }

 private:
  void dayLoop();
  void sampleLoop();
  void closeDay();
  void sample();

  power::PowerBus& m_bus;
  power::BatteryModule& m_battery;
  Time m_phase, m_interval;
  double m_dayStart_s = 0;
  std::vector<std::vector<double>> m_lastState_mAh;
  std::vector<double> m_lastEnergy_J;
  double m_lastWasted_mAh = 0;
  std::function<std::vector<std::uint64_t>()> m_missedCounts;
  std::vector<std::uint64_t> m_lastMissed;
  std::vector<DailyRow> m_daily;
  std::vector<TimeseriesRow> m_series;
};

}  // namespace ej::device
