// What the power bus needs of the battery: the net current it must now deliver (positive)
// or absorb (negative), and its voltage.
#pragma once

#include <systemc>

#include "sim/core/units.h"

namespace ej::power {

class EnergyStorageIf : public virtual sc_core::sc_interface {
 public:
  // From now on the net current is NET; the storage first integrates up to now with the
  // previous one.
  virtual void setNetCurrent(Current net) = 0;
  // Integrates up to now without changing the current (before a probe reads the state).
  virtual void settle() = 0;
  virtual Voltage voltage() const = 0;
  // The terminal voltage if NET flowed now (a regulator's input current depends on it).
  virtual Voltage voltageAt(Current net) const = 0;
  // The storage's own leakage (self-discharge), applied inside it on top of the net current.
  virtual Current selfDischargeCurrent() const { return Current(); }
  // The cell temperature is T from now on (the solar harvester's air temperature, at its
  // step). A storage whose capacity does not follow the temperature ignores it. Returns
  // whether the storage changed (then its voltage may have: the bus works out its net
  // current again, PowerBusIf::refresh).
  virtual bool setCellTemperature(Temperature t) = 0;
  // Whether the cell may be charged at T (the part's `charge_temperature` range).
  virtual bool chargeAllowedAt(Temperature /*t*/) const { return true; }
};

}  // namespace ej::power
