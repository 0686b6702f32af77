// The power bus: every part that draws or supplies current is attached to it with its
// named power states, and says at run time which state it is in. The bus timestamps each
// change; the ledger and the battery integrate exactly between changes (no polling step).
#pragma once

#include <cstddef>
#include <string>
#include <systemc>
#include <vector>

#include "sim/core/sim_time.h"
#include "sim/core/units.h"

namespace ej::power {

// One named state of a part and the current it draws (or supplies, for a source) in it.
struct PowerState {
  std::string name;
  Current current;
};

// Loads draw from the battery; sources (a solar charger) push current into it.
enum class Flow { Load, Source };

using ComponentId = std::size_t;

// One step of a part's phase list (PowerBusIf::play): STATE for DURATION, which lasts SPAN on
// the kernel's clock (worked out once here, for a list played many times).
struct TimedState {
  TimedState(std::size_t s, Time d) : state(s), duration(d), span(core::toScTime(d)) {}
  std::size_t state;
  Time duration;
  sc_core::sc_time span;
};

class PowerBusIf : public virtual sc_core::sc_interface {
 public:
  // Registers a part by its SystemC instance name (the same string appears in
  // summary.json and the CSV columns); it starts in states[0]. Call during elaboration or
  // at the start of a process, before the part changes state.
  virtual ComponentId attach(const std::string& name, std::vector<PowerState> states,
                             Flow flow = Flow::Load) = 0;
  // From now on the part is in STATE (an index into the states it was attached with).
  virtual void setState(ComponentId id, std::size_t state) = 0;
  // From now on STATE of the part draws (or supplies) CURRENT: for quantities that vary
  // while the state does not (harvest following the sun, TX current at a set power).
  virtual void setStateCurrent(ComponentId id, std::size_t state, Current current) = 0;
  // Puts the part through PHASES from now on, as if it called setState at the start of each
  // (phases of zero length are skipped by the caller): the bus applies the later ones itself,
  // at their instants, so the part waits once, for their total, and then says its next state.
  // The totals are those of the setState calls (sim/power/README.md, Phase lists).
  virtual void play(ComponentId id, const std::vector<TimedState>& phases) = 0;
  // The state the part is in now.
  virtual std::size_t state(ComponentId id) const = 0;
  // False during an outage: the loads are cut off (what they would do is missed work).
  virtual bool loadsPowered() const { return true; }
  // The battery changed other than by a current (its cell temperature): the net current is
  // worked out again now (a regulator's input current follows the battery's voltage), so
  // that it does not depend on whether another part changed state earlier at this instant.
  virtual void refresh() {}
  // The battery's terminal voltage under the net current in effect just before the first
  // change at the present instant (now's, if nothing changed yet at it): a reading that
  // does not depend on the order of same-instant processes. Zero when there is no battery.
  virtual Voltage voltageBeforeNow() { return Voltage(); }
};

}  // namespace ej::power
