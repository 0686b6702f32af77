// One way to choose a harvester: the `harvester:` node parsed once into a spec (a variant
// of the kinds' parameters), and one factory that builds the module the spec describes.
// A new kind is one more alternative here and one more case in createHarvester.
#pragma once

#include <memory>
#include <systemc>
#include <variant>

#include "sim/core/config.h"
#include "sim/harvest/constant_harvester.h"
#include "sim/harvest/solar_harvester.h"
#include "sim/power/energy_storage_if.h"
#include "sim/power/power_bus_if.h"

namespace ej::harvest {

using HarvesterSpec = std::variant<ConstantHarvesterParams, SolarHarvesterParams>;

// Reads `model: constant | solar` and that kind's keys. The run (START_EPOCH, seconds since
// 1970-01-01T00:00:00Z, and HORIZON) is given so that a solar weather trace is checked to
// cover every step of it here, when the scenario is loaded, rather than failing mid-run.
HarvesterSpec parseHarvesterSpec(const core::Config& cfg, double startEpochSeconds, Time horizon);

// True when the spec's harvester follows the weather's air temperature (the solar one).
bool hasWeather(const HarvesterSpec& spec);

// The module SPEC describes, named NAME, its ports bound to BUS and BATTERY.
std::unique_ptr<sc_core::sc_module> createHarvester(const char* name, const HarvesterSpec& spec,
                                                    double startEpochSeconds,
                                                    power::PowerBusIf& bus,
                                                    power::EnergyStorageIf& battery);

}  // namespace ej::harvest
