// What the power bus needs of the battery: the net current it must now deliver (positive)
// or absorb (negative), and its voltage.
#pragma once

#include <functional>
#include <systemc>

#include "sim/core/units.h"

namespace ej::power {

class EnergyStorageIf : public virtual sc_core::sc_interface {
 public:
  // From AT on the net current is NET; the storage first integrates up to AT with the
  // previous one. AT is now, or the past instant of a phase the bus applies late (never
  // before the last change; PowerBusIf::play).
  virtual void setNetCurrent(Current net, const sc_core::sc_time& at) = 0;
  void setNetCurrent(Current net) { setNetCurrent(net, sc_core::sc_time_stamp()); }
  // Integrates up to AT without changing the current.
  virtual void settleTo(const sc_core::sc_time& at) = 0;
  // Integrates up to now (before a probe reads the state): first lets the bus apply the
  // phases it holds up to now (setCatchUp), so that the state is that of every change.
  virtual void settle() = 0;
  // What settle() calls first: the bus's catch-up of the phases it plays (PowerBusIf::play).
  virtual void setCatchUp(std::function<void()> catchUp) = 0;
  // Whether nothing of the storage's own can happen within WINDOW from now (emptying, a
  // brown-out, a restart) under any net current up to CEILING: then the bus may apply a
  // phase list's changes late, at the next change or reading, instead of at each instant.
  virtual bool clearFor(const sc_core::sc_time& /*window*/, Current /*ceiling*/) const {
    return false;
  }
  // The lowest terminal voltage at which the node still has power (zero: none set).
  virtual Voltage brownOutVoltage() const { return Voltage(); }
  virtual Voltage voltage() const = 0;
  // The terminal voltage if NET flowed now (a regulator's input current depends on it).
  virtual Voltage voltageAt(Current net) const = 0;
  // The storage as a Thevenin source now, V(I) = open - I r (true of every battery model
  // here): two readings of voltageAt, at no current and at 1 A, in one call.
  struct Thevenin {
    Voltage open;
    Resistance r;
  };
  virtual Thevenin thevenin() const {
    const Voltage open = voltageAt(Current());
    return {open, (open - voltageAt(amperes(1))) / amperes(1)};
  }
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
