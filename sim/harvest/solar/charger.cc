// Linear and MPPT chargers; see charger.h.
#include "sim/harvest/solar/charger.h"

#include <algorithm>

namespace ej::solar {

ChargerParams ChargerParams::fromConfig(const core::Config& cfg) {
  ChargerParams p;
  using core::Range;
  p.kind = cfg.choice("model", {"linear", "mppt"}, "linear") == "mppt" ? Kind::Mppt : Kind::Linear;
  p.dropout = cfg.quantity<Voltage>("dropout", p.dropout, Range::NonNegative);
  p.efficiency = ratio(cfg.number("efficiency", p.efficiency.value(), Range::Fraction));
  p.currentLimit = cfg.quantity<Current>("current_limit", p.currentLimit, Range::Positive);
  return p;
}

Current chargeCurrent(const ChargerParams& charger, const Panel& panel, Irradiance poa,
                      Temperature cell, Voltage battery) {
  if (poa.value() <= 0 || battery.value() <= 0) return amperes(0);
  Current out;
  if (charger.kind == ChargerParams::Kind::Linear) {
    out = panel.current(battery + charger.dropout, poa, cell);
  } else {
    out = charger.efficiency * panel.maxPower(poa, cell) / battery;
  }
  return std::clamp(out, amperes(0), charger.currentLimit);
}

}  // namespace ej::solar
