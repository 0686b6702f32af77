// Supply ranges of powered parts; see supply_range.h.
#include "sim/power/regulator/supply_range.h"

#include <fmt/format.h>

namespace ej::regulator {

std::string locationOf(const core::Config& cfg, std::string_view key) {
  std::string where = cfg.where(key);
  while (!where.empty() && (where.back() == ' ' || where.back() == ':')) where.pop_back();
  return where;
}

SupplyRange SupplyRange::fromConfig(const core::Config& cfg, std::string part, std::string name) {
  SupplyRange r;
  r.part = std::move(part);
  r.name = std::move(name);
  if (cfg.has("supply_min")) {
    r.min = cfg.quantity<Voltage>("supply_min", core::Range::Positive);
    r.minAt = locationOf(cfg, "supply_min");
  }
  if (cfg.has("supply_max")) {
    r.max = cfg.quantity<Voltage>("supply_max", core::Range::Positive);
    r.maxAt = locationOf(cfg, "supply_max");
  }
  if (r.min && r.max && *r.min >= *r.max) cfg.fail("supply_max", "must be above supply_min");
  return r;
}

void SupplyRange::checkRail(const core::Config& cfg, Voltage rail,
                            std::string_view railName) const {
  if (max && rail > *max) {
    cfg.fail("supply_max",
             fmt::format("{} takes at most {:.3g} V, but {} starts at {:.3g} V: put a converter "
                         "between them (node.regulator)",
                         name, in_V(*max), railName, in_V(rail)));
  }
  if (min && rail < *min) {
    cfg.fail("supply_min",
             fmt::format("{} needs at least {:.3g} V, but {} starts at {:.3g} V: put a converter "
                         "between them (node.regulator, a boost or buck_boost)",
                         name, in_V(*min), railName, in_V(rail)));
  }
}

}  // namespace ej::regulator
