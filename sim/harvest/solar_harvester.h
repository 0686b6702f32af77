// The real-sun harvester: the solar chain of solar/ (sun position, sky, panel, charger)
// sampled at a fixed step. Within each step the charge current is held at its value at
// the step's midpoint (midpoint rule: the error of a smooth daily curve is O(step^2)).
#pragma once

#include <systemc>

#include "sim/core/config.h"
#include "sim/harvest/solar/solar_harvest.h"
#include "sim/power/energy_storage_if.h"
#include "sim/power/power_bus_if.h"

namespace ej::harvest {

struct SolarHarvesterParams {
  solar::SolarHarvestParams chain;
  Time step = seconds(600);  // `step`: how often the charge current is re-evaluated
  // The run's length: no step starting at or after it is evaluated (so a weather trace
  // need not reach past the run). Set by parseHarvesterSpec; zero: no limit.
  Time horizon{};

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

 private:
  enum State : std::size_t { kNight, kDay };
  void end_of_elaboration() override;
  void run();

  SolarHarvesterParams m_params;
  solar::SolarHarvest m_chain;
  double m_startEpoch;
  power::ComponentId m_id = 0;
};

}  // namespace ej::harvest
