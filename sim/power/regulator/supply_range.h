// A powered part's supply range (hw/mcu, hw/radio, a sensor: `supply_min`, `supply_max`,
// each from its datasheet's recommended operating conditions), and the located form of a
// key for errors found after loading.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace ej::regulator {

struct SupplyRange {
  std::string part;  // the node's key of the part (mcu, radio, pir)
  std::string name;  // the part's name, for messages
  std::optional<Voltage> min, max;
  std::string minAt, maxAt;  // "FILE:LINE:COL: node.mcu.supply_min", for run-time messages

  // Reads `supply_min` and `supply_max` (both optional) of the part at CFG, the node's key
  // PART; NAME names it in messages.
  static SupplyRange fromConfig(const core::Config& cfg, std::string part, std::string name);
  bool declared() const { return min || max; }
  // Fails at CFG's supply_min or supply_max when RAIL (what the part is fed at the start:
  // RAIL_NAME) is outside the range.
  void checkRail(const core::Config& cfg, Voltage rail, std::string_view railName) const;
};

// "FILE:LINE:COL: key.path" of KEY in CFG (or "--set key.path"): where an error found at run
// time points, in the form load-time errors take.
std::string locationOf(const core::Config& cfg, std::string_view key);

}  // namespace ej::regulator
