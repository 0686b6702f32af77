// The physics interface every battery model implements (ideal counter, KiBaM, Peukert):
// plain C++, no SystemC, advanced in closed form over intervals of constant current.
#pragma once

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "sim/core/units.h"

namespace ej::power {

// A part's capacity against its cell temperature: the datasheet's curve as a ratio of the
// rated capacity, linear between points, flat beyond the ends.
struct CapacityVsTemperature {
  Charge rated;                                        // the capacity at ratio 1
  std::vector<std::pair<Temperature, double>> points;  // (temperature, ratio), by temperature

  double ratioAt(Temperature t) const {
    if (points.empty()) return 1.0;
    if (t <= points.front().first) return points.front().second;
    if (t >= points.back().first) return points.back().second;
    for (std::size_t j = 1; j < points.size(); ++j) {
      if (points[j].first < t) continue;
      const double w =
          ((t - points[j - 1].first) / (points[j].first - points[j - 1].first)).value();
      return points[j - 1].second + w * (points[j].second - points[j - 1].second);
    }
    return points.back().second;
  }
  Charge at(Temperature t) const { return ratioAt(t) * rated; }
  // The largest capacity the curve gives: what a full cell holds at any temperature.
  Charge largest() const {
    double r = 0;
    for (const auto& p : points) r = std::max(r, p.second);
    return r * rated;
  }
};

class BatteryModel {
 public:
  virtual ~BatteryModel() = default;

  // What one advance() did, all as charge at the battery terminals.
  struct Step {
    Charge drawn;     // taken out by the load (net discharge)
    Charge accepted;  // pushed in by the charger and stored (after charge efficiency)
    Charge wasted;    // offered by the charger but not stored: battery full, or efficiency
  };

  // Advances the state by DT with NET current constant over it: positive discharges the
  // battery, negative charges it. The model clips at full (the surplus is `wasted`) and at
  // empty (it stops delivering; the caller detects empty with timeToEmpty()).
  virtual Step advance(Current net, Time dt) = 0;

  // How long the battery can deliver a constant NET current (> 0) before it is empty; none
  // when it never empties at that current (net <= 0).
  virtual std::optional<Time> timeToEmpty(Current net) const = 0;

  // How long a constant charging NET current (< 0) takes to bring the state of charge up
  // to SOC; none when it never does, or when the model cannot say in closed form (the
  // caller then checks at its events).
  virtual std::optional<Time> timeToRecharge(Ratio /*soc*/, Current /*net*/) const {
    return std::nullopt;
  }

  // How long a constant NET current can flow before the terminal voltage under it,
  // terminalVoltage(NET), falls below VMIN (the brown-out threshold): zero when it is below
  // already; none when it never falls below it at that current, or when the model cannot
  // say in closed form (the caller then checks at its events).
  virtual std::optional<Time> timeToVoltage(Voltage /*vmin*/, Current /*net*/) const {
    return std::nullopt;
  }

  // The earlier of timeToEmpty(NET) and timeToVoltage(VMIN, NET): when the battery must next
  // be looked at. A model may find it with fewer root finds than the two.
  // The model's state now (none: the model has no cheap bound below), for the three below:
  // the battery looks again at a closed-form lower bound of the empty or brown-out instant
  // (or at the next change of current), and finds the instant itself, a root find, only
  // once it is near, from the state of the last change, so to the same bits.
  struct Mark {
    double a = 0, b = 0;
  };
  virtual std::optional<Mark> mark() const { return std::nullopt; }
  // A time, counted from AFTER past MARK, before which the battery cannot empty or fall
  // below VMIN under NET (none: never; zero: look now).
  virtual std::optional<Time> lowerBoundFrom(const Mark& /*mark*/, Time /*after*/, Voltage /*vmin*/,
                                             Current /*net*/) const {
    return seconds(0);
  }
  // timeToEmptyOrVoltage() from the state MARK.
  virtual std::optional<Time> timeToEmptyOrVoltageFrom(const Mark& /*mark*/, Voltage vmin,
                                                       Current net) const {
    return timeToEmptyOrVoltage(vmin, net);
  }
  virtual std::optional<Time> timeToEmptyOrVoltage(Voltage vmin, Current net) const {
    auto t = timeToEmpty(net);
    if (auto tv = timeToVoltage(vmin, net)) {
      if (!t || *tv < *t) t = tv;
    }
    return t;
  }

  virtual Charge capacity() const = 0;
  // Charge that can still be delivered at a vanishing current.
  virtual Charge remaining() const = 0;
  Ratio stateOfCharge() const { return remaining() / capacity(); }
  // Terminal voltage while NET current flows (open-circuit voltage at zero).
  virtual Voltage terminalVoltage(Current net) const = 0;
  virtual bool empty() const { return remaining() <= Charge(); }
  // The part's cutoff voltage: the brown-out threshold when no regulator sets one (zero:
  // the model has none, the node runs until the battery is empty).
  virtual Voltage cutoffVoltage() const { return Voltage(); }
  // The cell's self-discharge, a constant leakage inside it that the model applies on top of
  // the net current (zero: none). The ledger shows it as its own line.
  virtual Current selfDischargeCurrent() const { return Current(); }

  // The deliverable capacity becomes CAPACITY from now on (the cell's temperature changed;
  // the caller has advanced the model to now). The charge the cell holds stays: the
  // difference to the largest capacity is a locked part at the bottom (at equal heights in
  // KiBaM's two wells), so cooling makes charge undeliverable and warming gives it back;
  // no charge is created or lost. See sim/power/battery/README.md, Temperature.
  virtual void setCapacity(Charge capacity) = 0;

  // From now on the capacity follows the cell temperature given to setCellTemperature()
  // (`temperature: weather`). The model must have been built at CURVE.largest().
  void followTemperature(CapacityVsTemperature curve) { m_temperatureCurve = std::move(curve); }
  bool followsTemperature() const { return m_temperatureCurve.has_value(); }
  // The cell is at T from now on: the capacity becomes the curve's there. True when it
  // changed; a model that does not follow the temperature ignores it.
  // Charging is allowed only with the cell within [MIN, MAX] (the datasheet's charge
  // temperature range; a charger with a thermistor input suspends charging outside it).
  void setChargeTemperatureRange(Temperature min, Temperature max) {
    m_chargeRange = std::make_pair(min, max);
  }
  bool chargeAllowedAt(Temperature t) const {
    return !m_chargeRange || (t >= m_chargeRange->first && t <= m_chargeRange->second);
  }
  bool setCellTemperature(Temperature t) {
    if (!m_temperatureCurve) return false;
    const Charge c = m_temperatureCurve->at(t);
    if (c == capacity()) return false;
    setCapacity(c);
    return true;
  }

 private:
  std::optional<CapacityVsTemperature> m_temperatureCurve;
  std::optional<std::pair<Temperature, Temperature>> m_chargeRange;
};

}  // namespace ej::power
