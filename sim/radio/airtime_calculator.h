// The `edgejoule airtime` calculator's input parsing and output (human text and JSON),
// kept here so that tests reach them without the command line.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/radio/lora_airtime.h"

namespace ej::radio {

// The calculator's inputs as written on the command line.
struct AirtimeRequest {
  int spreadingFactor = 7;
  std::string bandwidth = "125kHz";  // a frequency with its unit ("125kHz", "250 kHz")
  std::string codingRate = "4/5";    // 4/5..4/8
  std::size_t payloadBytes = 0;      // PHY payload (a LoRaWAN frame includes its 13 bytes)
  int preambleSymbols = 8;
  bool implicitHeader = false;
  bool noCrc = false;
  std::string ldro = "auto";    // auto | on | off
  std::string chip = "sx127x";  // sx127x | sx126x (differ only at SF5/SF6)
};

// The modulation REQUEST describes. Throws std::invalid_argument naming the bad option.
LoraModulation modulationFrom(const AirtimeRequest& request);

// The figures of Semtech's calculator as JSON: inputs echoed, times in ms.
nlohmann::json airtimeJson(const LoraModulation& mod, std::size_t payloadBytes,
                           const LoraAirtime& airtime);

// The same for a person, one figure per line.
std::string airtimeText(const LoraModulation& mod, std::size_t payloadBytes,
                        const LoraAirtime& airtime);

}  // namespace ej::radio
