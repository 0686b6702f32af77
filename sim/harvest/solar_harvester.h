// The real-sun harvester: the solar chain of solar/ (sun position, sky, panel, charger)
// sampled at a fixed step. Within each step the charge current is held at its value at
// the step's midpoint (midpoint rule: the error of a smooth daily curve is O(step^2)).
#pragma once

#include <map>
#include <systemc>

#include "sim/core/config.h"
#include "sim/harvest/solar/solar_harvest.h"
#include "sim/harvest/solar/solar_position.h"
#include "sim/power/energy_storage_if.h"
#include "sim/power/power_bus_if.h"

namespace ej::harvest {

struct SolarHarvesterParams {
  solar::SolarHarvestParams chain;
  Time step = seconds(600);  // `step`: how often the charge current is re-evaluated
  // The run's length: no step starting at or after it is evaluated (so a weather trace
  // need not reach past the run). Set by parseHarvesterSpec; zero: no limit.
  Time horizon{};
  // From a step after dark to the hour before sunrise in one wait, when the skipped steps
  // would change nothing (see nextStep). Not a scenario key: false only in tests.
  bool skipNights = true;

  static SolarHarvesterParams fromConfig(const core::Config& cfg);
};

class SolarHarvester : public sc_core::sc_module {
 public:
  sc_core::sc_port<power::PowerBusIf> power;
  sc_core::sc_port<power::EnergyStorageIf> battery;  // its voltage sets the charger's point

  SC_HAS_PROCESS(SolarHarvester);
  // START_EPOCH: the run's start, seconds since 1970-01-01T00:00:00Z.
  SolarHarvester(sc_core::sc_module_name name, const SolarHarvesterParams& params,
                 double startEpochSeconds);

  // Steps evaluated so far (one wake-up of the harvester's thread each).
  long wakeups() const { return m_wakeups; }

 private:
  enum State : std::size_t { kNight, kDay };
  void end_of_elaboration() override;
  void run();
  // The step to evaluate after step K, which gave CHARGE: K + 1, or at night under a
  // modelled sky the step an hour before the next sunrise (no later than the horizon, in
  // the same month), as every step before it gives no current and the same temperature.
  double nextStep(double k, Current charge) const;
  static constexpr double kNightMargin_s = 3600.0;
  // Sunrise and sunset of the UTC day starting at DAY_START, computed once per day (from the
  // sky's series of the sun, Sky::sunDay).
  const solar::SunDay& sunDay(double dayStart) const;

  SolarHarvesterParams m_params;
  solar::SolarHarvest m_chain;
  double m_startEpoch;
  power::ComponentId m_id = 0;
  long m_wakeups = 0;
  mutable std::map<double, solar::SunDay> m_days;  // by UTC day start
};

}  // namespace ej::harvest
