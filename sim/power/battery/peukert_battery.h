// Peukert's law battery (Peukert 1897): a coulomb counter whose charge is consumed faster
// than the current at rates above the rated one. No recovery. See README.md.
#pragma once

#include <algorithm>

#include "sim/power/battery/battery_params.h"
#include "sim/power/battery_model.h"

namespace ej::battery {

// With rated capacity C at the rated discharge time H (rated current I_r = C / H), a
// constant current I lasts t = H (C / (I H))^n. Equivalently the stored charge falls at
// I_eff = I_r (I / I_r)^n. Below I_r the law would promise more than C; the model then
// takes I_eff = I (the capacity never exceeds its rating). Charging is a coulomb counter
// with the charge efficiency, clipped at full.
class PeukertBattery : public power::BatteryModel {
 public:
  explicit PeukertBattery(const BatteryParams& params);

  Step advance(Current net, Time dt) override;
  std::optional<Time> timeToEmpty(Current net) const override;
  Charge capacity() const override { return m_params.capacity; }
  Charge remaining() const override { return std::max(Charge(), m_remaining); }
  Voltage terminalVoltage(Current net) const override;

  // The rate at which a discharge current NET (> 0) consumes stored charge.
  Current effectiveCurrent(Current net) const;
  Current selfDischargeCurrent() const override { return m_params.selfDischargeCurrent(); }
  Voltage cutoffVoltage() const override { return m_params.cutoffVoltage; }
  // The state of charge at which OCV = VMIN/n + I R, reached linearly at the drain rate.
  std::optional<Time> timeToVoltage(Voltage vmin, Current net) const override;
  // The stored charge moves with the capacity (see BatteryModel::setCapacity).
  void setCapacity(Charge capacity) override;

 private:
  BatteryParams m_params;
  // Deliverable charge; negative while the cold locks more than the cell holds above the
  // bottom (down to minus the locked part: an empty cell).
  Charge m_remaining;
  Charge m_full;  // what a full cell holds: the capacity the model was built with
};

}  // namespace ej::battery
