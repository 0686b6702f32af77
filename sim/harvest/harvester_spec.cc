// The harvester spec and factory; see harvester_spec.h.
#include "sim/harvest/harvester_spec.h"

#include <cmath>
#include <stdexcept>

#include "sim/core/sim_time.h"

namespace ej::harvest {

HarvesterSpec parseHarvesterSpec(const core::Config& cfg, double startEpochSeconds, Time horizon) {
  if (cfg.choice("model", {"constant", "solar"}) == "constant") {
    return ConstantHarvesterParams::fromConfig(cfg);
  }
  SolarHarvesterParams solar = SolarHarvesterParams::fromConfig(cfg);
  solar.horizon = horizon;
  const auto& weather = solar.chain.weather;
  if (weather.trace && !weather.typicalYear) {
    // The module samples the sky at the middle of each step that starts before the horizon.
    const double step_s = in_s(solar.step);
    const double steps = std::ceil(in_s(horizon) / step_s);
    try {
      weather.trace->checkCovers(startEpochSeconds + 0.5 * step_s,
                                 startEpochSeconds + (steps - 0.5) * step_s, false);
    } catch (const std::runtime_error& e) {
      cfg.child("weather").fail("file", e.what());
    }
  }
  return solar;
}

bool hasWeather(const HarvesterSpec& spec) {
  return std::holds_alternative<SolarHarvesterParams>(spec);
}

std::unique_ptr<sc_core::sc_module> createHarvester(const char* name, const HarvesterSpec& spec,
                                                    double startEpochSeconds,
                                                    power::PowerBusIf& bus,
                                                    power::EnergyStorageIf& battery) {
  if (const auto* constant = std::get_if<ConstantHarvesterParams>(&spec)) {
    const Time phase = seconds(std::fmod(startEpochSeconds, kSecondsPerDay));
    auto module = std::make_unique<ConstantHarvester>(name, *constant, phase);
    module->power(bus);
    return module;
  }
  auto module = std::make_unique<SolarHarvester>(name, std::get<SolarHarvesterParams>(spec),
                                                 startEpochSeconds);
  module->power(bus);
  module->battery(battery);
  return module;
}

}  // namespace ej::harvest
