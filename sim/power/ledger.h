// The ledger: charge, energy and time per component and per power state, integrated
// exactly between power-state changes (currents are constant in between).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/power/power_bus_if.h"

namespace ej::power {

class Ledger {
 public:
  struct StateTotals {
    std::string name;
    Current current;  // the state's current now
    Time time;        // time spent in the state
    Charge charge;    // integral of current over that time
    Energy energy;    // integral of current times battery voltage
  };
  struct Component {
    std::string name;
    Flow flow;
    std::size_t state = 0;
    std::vector<StateTotals> states;
    // When set, the component's energy is this power over time instead of its current
    // times the voltage (a regulator's loss: input power less output power).
    std::optional<Power> power;
    // Stays connected to the battery when the loads are cut off (a regulator).
    bool keptPowered = false;
    // Drawn inside the battery (its self-discharge): a line of the ledger, but not part of
    // the net current the bus hands the battery, which applies it itself.
    bool internal = false;

    Current current() const { return states[state].current; }
    Charge charge() const;
    Energy energy() const;
  };

  ComponentId add(const std::string& name, const std::vector<PowerState>& states, Flow flow);

  // Integrates every component from the last advance up to NOW, with the battery at
  // VOLTAGE over the interval (its value at the interval's start).
  void advanceTo(Time now, Voltage voltage) { advanceTo(now, voltage, voltage); }
  // The same with the loads supplied at LOAD_VOLTAGE (a regulator's output) while the
  // sources charge the battery at BATTERY_VOLTAGE.
  void advanceTo(Time now, Voltage batteryVoltage, Voltage loadVoltage);

  void setState(ComponentId id, std::size_t state) {
    auto& c = m_components.at(id);
    c.states.at(state);  // range check
    c.state = state;
    changed(c.flow);
  }
  void setStateCurrent(ComponentId id, std::size_t state, Current current) {
    auto& c = m_components.at(id);
    c.states.at(state).current = current;
    changed(c.flow);
  }
  // Adds a state to a part already attached; returns its index.
  std::size_t addState(ComponentId id, const PowerState& state) {
    auto& states = m_components.at(id).states;
    states.push_back({state.name, state.current, {}, {}, {}});
    changed(m_components[id].flow);
    return states.size() - 1;
  }
  void setPower(ComponentId id, Power power) { m_components.at(id).power = power; }

  // During an outage the loads are cut off: they draw nothing and their time is not
  // counted in any state. Sources go on, and so do loads kept powered (keepPowered).
  void setLoadsPowered(bool powered) {
    m_loadsPowered = powered;
    changed(Flow::Load);
  }
  void keepPowered(ComponentId id) {
    m_components.at(id).keptPowered = true;
    changed(Flow::Load);
  }
  void markInternal(ComponentId id) {
    m_components.at(id).internal = true;
    changed(m_components[id].flow);
  }
  bool loadsPowered() const { return m_loadsPowered; }

  const std::vector<Component>& components() const { return m_components; }
  const Component& component(ComponentId id) const { return m_components.at(id); }

  // Sums over all components of one flow: the current now (internal components left out:
  // the battery applies them itself), and the charge/energy so far (all of them).
  Current current(Flow flow) const;
  Charge charge(Flow flow) const;
  Energy energy(Flow flow) const;

 private:
  // current(FLOW) is kept until a part of that flow changes (the sum is then taken again, in
  // the same order: the same bits).
  void changed(Flow flow) { m_current[static_cast<std::size_t>(flow)].reset(); }

  std::vector<Component> m_components;
  Time m_last{};
  bool m_loadsPowered = true;
  mutable std::optional<Current> m_current[2];  // by Flow
};

}  // namespace ej::power
