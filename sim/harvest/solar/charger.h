// The charger between panel and battery: linear (the panel is pulled to the battery
// voltage plus the charger's drop; input current = output current) or MPPT (a DC-DC
// converter holding the panel at its maximum power point). Both limit the charge current.
#pragma once

#include "sim/core/config.h"
#include "sim/harvest/solar/panel.h"

namespace ej::solar {

struct ChargerParams {
  enum class Kind { Linear, Mppt };
  Kind kind = Kind::Linear;             // `model: linear | mppt`
  Voltage dropout = volts(0.3);         // linear: panel voltage above the battery's (diode/pass)
  Ratio efficiency = ratio(0.85);       // mppt: output power / panel maximum power
  Current currentLimit = amperes(1.0);  // largest charge current the charger delivers

  // Keys: model, dropout (linear), efficiency (mppt), current_limit.
  static ChargerParams fromConfig(const core::Config& cfg);
};

// Current into the battery at BATTERY volts from PANEL under plane-of-array irradiance
// POA at cell temperature CELL. Never negative (the charger blocks reverse current).
Current chargeCurrent(const ChargerParams& charger, const Panel& panel, Irradiance poa,
                      Temperature cell, Voltage battery);

}  // namespace ej::solar
