// The inference step of a scenario, apart from loading: each distinct (model, backend) its
// jobs run is profiled on the node's MCU (emulated, or from the profile cache) and scored,
// and every `infer:` step gets the counted latency. Loading only validates, so `edgejoule
// check` never emulates; run, sweep workers and tests call this before simulate().
#pragma once

#include "sim/device/scenario.h"

namespace ej::device {

// Profiles SCENARIO's inference steps and records each distinct model once in
// SCENARIO.inferences. Throws std::runtime_error naming the step's model when a profile
// cannot be made or the model does not fit the part.
void profileInferences(Scenario& scenario);

// True when every `infer:` step of SCENARIO has its latency (profileInferences ran).
bool inferencesProfiled(const Scenario& scenario);

}  // namespace ej::device
