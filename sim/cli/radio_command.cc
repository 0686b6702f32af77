// `edgejoule radio`: the charge of one report by protocol phase (LoRaWAN class A, or MQTT
// over WiFi under both policies), priced from the phase lists and power states the radio
// modules play in a run (sim/radio/message_charge.h; see sim/radio/README.md).
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "sim/cli/command.h"
#include "sim/core/config.h"
#include "sim/core/quantity.h"
#include "sim/radio/message_charge.h"
#include "sim/radio/radio_module.h"

namespace ej::cli {
namespace {

// The name errors give the radio settings written on the command line.
constexpr const char* kCommandLine = "radio";

struct RadioOptions {
  std::string part;
  std::vector<std::string> sets;
  long payloadBytes = 0;
  bool confirmed = false;
  std::string voltage = "3.3 V";
  bool json = false;
};

// The radio's config: the part file under the scenario keys a node's `radio:` would hold,
// the --set assignments on top. A LoRa part (it lists power amplifiers) runs LoRaWAN, a
// WiFi part MQTT, unless --set protocol=... says otherwise.
core::Config radioConfig(const RadioOptions& o) {
  core::Overrides overrides;
  for (const auto& assignment : o.sets) overrides.insert(core::parseOverride(assignment));
  const std::string partLine = fmt::format("part: '{}'\n", o.part);
  const bool lora = core::Config::parse(partLine, kCommandLine).has("power_amplifiers");
  if (o.confirmed) {
    if (!lora) {
      throw UsageError("radio --confirmed: only LoRaWAN uplinks are confirmed (MQTT: --set qos=1)");
    }
    overrides["confirmed"] = "true";
  }
  return core::Config::parse(partLine + fmt::format("protocol: {}\n", lora ? "lorawan" : "mqtt"),
                             kCommandLine, std::move(overrides));
}

int run(const RadioOptions& o) {
  const auto supply = core::parseQuantity(o.voltage);
  if (!supply || supply->dimension != core::Dimension::Voltage || !(supply->value > 0)) {
    throw UsageError(
        fmt::format("radio --voltage: expected a voltage such as 3.3V, got '{}'", o.voltage));
  }
  radio::RadioSpec spec;
  try {
    const auto cfg = radioConfig(o);
    spec = radio::RadioSpec::fromConfig(cfg);
    cfg.requireAllRead();
  } catch (const core::ConfigError& e) {
    // Errors located in the command line's own settings (a missing part file, a key
    // missing from part and --set alike) name the option instead of a line and column.
    const std::string what = e.what();
    if (what.rfind(std::string(kCommandLine) + ":", 0) != 0) throw;
    const std::string problem = what.substr(what.find(": ") + 2);
    if (problem.rfind("part: ", 0) == 0) throw UsageError("radio --radio: " + problem.substr(6));
    throw UsageError(fmt::format("radio: {} (give it with --set KEY=VALUE)", problem));
  }
  const auto payload = static_cast<std::size_t>(o.payloadBytes);
  if (auto problem = spec.payloadProblem(payload)) {
    throw UsageError(fmt::format("radio --payload: {}", *problem));
  }
  const auto report = radio::messageChargeJson(spec, payload, volts(supply->value));
  if (o.json) {
    std::cout << report.dump(2) << "\n";
  } else {
    std::cout << radio::messageChargeText(report);
  }
  return 0;
}

constexpr CommandInfo kRadioCommand{
    "radio", "Charge and energy of one report by protocol phase (LoRaWAN, MQTT over WiFi)"};
const CommandRegistrar kRadio{
    kRadioCommand, [](CLI::App* cmd, int& exitStatus) {
      auto o = std::make_shared<RadioOptions>();
      cmd->add_option("--radio", o->part, "radio part file, e.g. hw/radio/sx1276.yaml")->required();
      cmd->add_option("--set", o->sets,
                      "a radio key as under a scenario's node.radio, e.g. spreading_factor=12 "
                      "(repeatable)");
      cmd->add_option("--payload", o->payloadBytes, "application payload in bytes")
          ->required()
          ->check(CLI::Range(0L, 1L << 20));
      cmd->add_flag("--confirmed", o->confirmed, "confirmed LoRaWAN uplink (ACK in RX1)");
      cmd->add_option("--voltage", o->voltage, "supply voltage for the energies")
          ->capture_default_str();
      cmd->add_flag("--json", o->json, "print JSON");
      cmd->callback([o, &exitStatus] { exitStatus = run(*o); });
    }};

}  // namespace
}  // namespace ej::cli
