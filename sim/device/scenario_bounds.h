// The event-count bounds of a loaded scenario (sim/core/bounds.h): every periodic or random
// source of events is checked against the horizon, with the bound named in the error.
#pragma once

#include "sim/core/config.h"
#include "sim/device/scenario.h"

namespace ej::device {

// Throws ConfigError at the key of the first source that would schedule too many events
// over S's horizon: `output.timeseries_interval` (rows), a job's `every`, the PIR's
// `poisson.rate` and the solar harvester's `step`. CFG is the scenario's root.
void checkScenarioBounds(const Scenario& s, const core::Config& cfg);

}  // namespace ej::device
