// The `edgejoule radio` calculator: the charge of one report, phase by phase, priced from
// the very phase lists and power states the radio modules play on the power bus (no
// separate calculation), as JSON and as text. See README.md, "edgejoule radio".
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/core/units.h"
#include "sim/radio/radio_module.h"

namespace ej::radio {

// One report of PAYLOAD_BYTES from the radio SPEC describes, every phase with its state,
// duration, current, charge and energy (charge x SUPPLY); the cost between reports; for
// LoRaWAN the join, a retry without ACK and the duty-cycle limit; for MQTT both policies
// (connect per report; stay connected with its idle current split into sleep, DTIM beacons
// and keep-alive) and the report rate at which they cost the same. Times in ms, charges in
// uC and uAh, energies in uJ and mJ, as the keys say.
nlohmann::json messageChargeJson(const RadioSpec& spec, std::size_t payloadBytes, Voltage supply);

// The same for a person: a table of phases per exchange and one line per summary figure.
std::string messageChargeText(const nlohmann::json& report);

}  // namespace ej::radio
