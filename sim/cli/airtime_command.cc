// `edgejoule airtime`: LoRa time on air and symbol figures, like Semtech's calculator
// (formula: SX1276 datasheet 4.1.1.7, AN1200.13; see sim/radio/README.md).
#include <iostream>
#include <memory>
#include <stdexcept>

#include "sim/cli/command.h"
#include "sim/radio/airtime_calculator.h"

namespace ej::cli {
namespace {

constexpr CommandInfo kAirtimeCommand{"airtime", "LoRa time on air of one packet"};
const CommandRegistrar kAirtime{
    kAirtimeCommand, [](CLI::App* cmd, int& exitStatus) {
      auto request = std::make_shared<radio::AirtimeRequest>();
      auto json = std::make_shared<bool>(false);
      cmd->add_option("--sf", request->spreadingFactor, "spreading factor (6-12; 5-12 for sx126x)")
          ->required();
      cmd->add_option("--bw", request->bandwidth, "bandwidth, e.g. 125kHz")->required();
      cmd->add_option("--cr", request->codingRate, "coding rate 4/5..4/8")->capture_default_str();
      cmd->add_option("--payload", request->payloadBytes, "PHY payload in bytes")->required();
      cmd->add_option("--preamble", request->preambleSymbols, "preamble length in symbols")
          ->capture_default_str();
      cmd->add_flag("--implicit-header", request->implicitHeader, "implicit header mode");
      cmd->add_flag("--no-crc", request->noCrc, "payload CRC off");
      cmd->add_option("--ldro", request->ldro, "low data rate optimisation: auto|on|off")
          ->capture_default_str();
      cmd->add_option("--chip", request->chip, "formula variant: sx127x|sx126x")
          ->capture_default_str();
      cmd->add_flag("--json", *json, "print JSON");
      cmd->callback([request, json, &exitStatus] {
        radio::LoraModulation mod;
        try {
          mod = radio::modulationFrom(*request);
        } catch (const std::invalid_argument& e) {
          throw UsageError(std::string("airtime ") + e.what());
        }
        const auto airtime = radio::timeOnAir(mod, request->payloadBytes);
        if (*json) {
          std::cout << radio::airtimeJson(mod, request->payloadBytes, airtime).dump(2) << "\n";
        } else {
          std::cout << radio::airtimeText(mod, request->payloadBytes, airtime);
        }
        exitStatus = 0;
      });
    }};

}  // namespace
}  // namespace ej::cli
