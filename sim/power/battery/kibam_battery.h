// Kinetic battery model (Manwell & McGowan 1993, Solar Energy 50(5), 399-405, eqs. 6-7),
// advanced in closed form over each interval of constant current; see README.md.
#pragma once

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "sim/power/battery/battery_params.h"
#include "sim/power/battery_model.h"

namespace ej::battery {

// Two wells: the available charge y1 (a fraction c of the capacity when full) feeds the
// load; the bound charge y2 flows into it at a rate k' proportional to the height
// difference y2/(1-c) - y1/c. A heavy load empties y1 before y2 can follow (rate-capacity
// effect); at rest y1 refills from y2 (recovery). Charging fills y1 up to its full height
// c*C, after which it only accepts what flows on into y2 (charge acceptance tapers).
class KibamBattery : public power::BatteryModel {
 public:
  explicit KibamBattery(const BatteryParams& params);

  Step advance(Current net, Time dt) override;
  std::optional<Time> timeToEmpty(Current net) const override;
  Charge capacity() const override { return m_params.capacity; }
  // Available plus bound charge (zero while the cold locks all of it).
  Charge remaining() const override { return std::max(Charge(), m_y1 + m_y2); }
  // Terminal voltage: series cells at the OCV of the available well's height, less I*R.
  Voltage terminalVoltage(Current net) const override;
  // Empty when the available well is (the bound charge cannot reach the load in time).
  bool empty() const override;
  // The voltage falls below VMIN when the OCV of the available well's height does below
  // VMIN/n + I R: the height at which the OCV curve reaches that, the well's level at which
  // the node browns out, is found in closed form like the empty instant.
  std::optional<Time> timeToVoltage(Voltage vmin, Current net) const override;
  // The brown-out level of the available well lies above the empty one (timeToVoltage()
  // answers only for a level above zero), and the well starts above both: it crosses the
  // brown-out level first. So the empty instant is found only when there is no brown-out one.
  // The bound in closed form: y1(t) = y1(0) + beta (e^{-k t} - 1) - i c t >= y1(0) - (i c +
  // k max(beta, 0)) t, as e^{-k t} >= 1 - k t and e^{-k t} <= 1 (timeToLevel's beta).
  std::optional<Mark> mark() const override { return Mark{in_C(m_y1), in_C(m_y2)}; }
  std::optional<Time> lowerBoundFrom(const Mark& mark, Time after, Voltage vmin,
                                     Current net) const override;
  std::optional<Time> timeToEmptyOrVoltageFrom(const Mark& mark, Voltage vmin,
                                               Current net) const override;
  std::optional<Time> timeToEmptyOrVoltage(Voltage vmin, Current net) const override {
    if (auto tv = timeToVoltage(vmin, net)) return tv;
    return timeToEmpty(net);
  }
  // A capacity change moves both wells by the change at equal heights (c and 1-c of it):
  // the flow between them, k (c y2 - (1-c) y1), is unchanged, so the free wells evolve as a
  // KiBaM of the new capacity with the same c and k. See README.md, Temperature.
  void setCapacity(Charge capacity) override;

  Charge available() const { return m_y1; }
  Charge bound() const { return m_y2; }
  Current selfDischargeCurrent() const override { return m_leak; }
  Voltage cutoffVoltage() const override { return m_params.cutoffVoltage; }
  const BatteryParams& params() const { return m_params; }

 private:
  // The current the wells see for a terminal NET current: charge efficiency and
  // self-discharge included (positive discharges).
  double wellCurrent_A(double net_A) const;
  // Closed form (Manwell & McGowan eq. 6): wells after T seconds at constant current I.
  void evolve(double current_A, double t_s, double& y1, double& y2) const;
  // A time by which a discharge at well current I (> 0) has emptied the available well.
  double dischargeHorizon(double current_A) const;
  // First time in (0, horizon] at which y1 reaches LEVEL under current I; none if never.
  std::optional<double> timeToLevel(double current_A, double level_C, double horizon_s) const;

  BatteryParams m_params;
  double m_c;       // capacity ratio
  double m_k;       // rate constant k' (1/s)
  double m_cap_C;   // capacity in coulombs
  double m_full_C;  // what a full cell holds: the capacity the model was built with
  Current m_leak;   // m_params.selfDischargeCurrent(), kept (it is asked at every change)
  // The wells above the locked part (m_full_C - m_cap_C, at equal heights): negative while
  // the cold locks more than a well holds above the bottom, never below an empty cell.
  Charge m_y1;
  Charge m_y2;
  // terminalVoltage()'s open-circuit voltage and the (y1, capacity) it was computed at.
  mutable Voltage m_ocv{};
  mutable std::pair<double, double> m_ocvAt{std::numeric_limits<double>::quiet_NaN(), 0.0};
};

}  // namespace ej::battery
