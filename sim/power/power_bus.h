// The power bus channel: parts attach their states, the bus keeps the ledger and tells the
// battery the net current whenever any part changes state. With a regulator between the
// battery and the loads, the loads' currents are at its output and the battery supplies
// its input current.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <systemc>

#include "sim/power/energy_storage_if.h"
#include "sim/power/ledger.h"
#include "sim/power/power_bus_if.h"
#include "sim/power/power_trace.h"
#include "sim/power/regulator/regulator.h"

namespace ej::power {

class PowerBus : public sc_core::sc_module, public PowerBusIf {
 public:
  sc_core::sc_port<EnergyStorageIf> storage;

  explicit PowerBus(sc_core::sc_module_name name);

  ComponentId attach(const std::string& name, std::vector<PowerState> states,
                     Flow flow = Flow::Load) override;
  void setState(ComponentId id, std::size_t state) override;
  void setStateCurrent(ComponentId id, std::size_t state, Current current) override;
  void play(ComponentId id, const std::vector<TimedState>& phases) override;
  // The part's state as of the last change applied (a phase list's later phases are applied
  // at the next change or reading: call settle() first for the state now).
  std::size_t state(ComponentId id) const override { return m_ledger.component(id).state; }
  bool loadsPowered() const override { return m_ledger.loadsPowered(); }
  // Not a power-state change: not counted in changes().
  void refresh() override;
  Voltage voltageBeforeNow() override;

  // Puts REGULATOR between the battery and the loads (call during elaboration). The loads'
  // currents are then at its output voltage; the battery supplies its input current at
  // the battery's terminal voltage; and the ledger gets a load component "regulator" whose
  // current is the difference (input less the loads': the quiescent current for an LDO,
  // negative for a buck stepping down) and whose energy is the loss, input power less
  // output power. So components' charges still sum to what the battery gave, and so do
  // their energies.
  void setRegulator(const regulator::Regulator& reg) { m_regulator = reg; }
  const std::optional<regulator::Regulator>& regulator() const { return m_regulator; }
  // The voltage the loads are supplied at: the regulator's output, else the battery's.
  Voltage loadVoltage() const { return m_loadVoltage; }

  // The currents of the part named COVERING include those of the part named COVERED (a
  // radio's figures that include its own CPU, e.g. the ESP32-C3's WiFi): while COVERING draws
  // any current, COVERED is counted in a state "in_<covering>" at zero current, so the CPU is
  // not counted twice. Call during elaboration; the names are resolved at the start.
  void cover(std::string covering, std::string covered) {
    m_cover = Cover{std::move(covering), std::move(covered)};
  }

  // Cuts the loads off (an outage) or powers them again.
  void setLoadsPowered(bool powered);

  // Rethrows an error raised while the bus applied a phase from its own method process (the
  // run was stopped there); call after sc_start returns.
  void rethrowFailure() const;

  // Applies the phases due up to now, and integrates the ledger and the battery up to now
  // (before reading totals).
  void settle();

  const Ledger& ledger() const { return m_ledger; }
  // The loads' and sources' currents and the battery voltage in effect just before the
  // first change at the present instant (or now, if nothing changed at it): a reading
  // that does not depend on the order of same-instant processes.
  // Call after settle().
  struct Reading {
    Current load, source;
    Voltage voltage;
  };
  Reading readingBeforeNow() const;
  // The number of power-state changes so far, a phase list's phases included: the
  // simulation's event count.
  std::uint64_t changes() const { return m_changes; }
  // Of those, the phases of phase lists applied after their instant (at the next change or
  // reading, the battery being clear of its limits).
  std::uint64_t lateChanges() const { return m_late; }

  // Traces the bus into FILE (see power_trace.h) from the start of the simulation; SOC
  // gives the battery's state of charge. Call before sc_start.
  using sc_core::sc_object::trace;  // not hidden by the overload below
  void trace(sc_core::sc_trace_file* file, std::function<double()> soc) {
    m_traceFile = file;
    m_traceSoc = std::move(soc);
  }

 private:
  void start_of_simulation() override;
  // Applies the phases due up to now, then CHANGE now.
  template <class Change>
  void change(Change&& apply);
  // Integrates up to AT (now, or a phase's instant not yet applied) with the old currents,
  // applies CHANGE, then tells the battery.
  template <class Change>
  void changeAt(const sc_core::sc_time& at, Change&& apply);
  // A part's state from AT on: a covered part's request is held while its cover draws.
  void setStateAt(const sc_core::sc_time& at, ComponentId id, std::size_t state);
  // Tells the battery the net current after a change at AT (through the regulator, if any).
  void updateBattery(const sc_core::sc_time& at);
  // The regulator's input current for the loads now, consistent with the battery voltage
  // it causes; updates the regulator's ledger component. Returns the battery's net current.
  Current regulate(Current sources, const sc_core::sc_time& at);
  // Puts the regulator's state, current and loss in the ledger for input IN at VIN while the
  // loads draw LOAD; returns the battery's net current.
  Current settleRegulator(Current load, Current in, Voltage vin, Current sources);
  // Puts the covered part in its cover state while the covering part draws current, and
  // back in the state it asked for when it stops.
  void applyCover();

  struct Cover {
    std::string covering, covered;
    ComponentId coveringId = 0, coveredId = 0;
    std::size_t coverState = 0;  // the covered part's "in_<covering>" state
    std::size_t requested = 0;   // the state the covered part asked for
    bool resolved = false;
  };
  std::optional<Cover> m_cover;

  // Phase lists being played (play): each part's phases not yet applied, by instant. They
  // are applied late, all at once, at the next change or reading (catchUp), while the
  // battery is clear of its limits for the list's length under the largest current the
  // loads can draw (clearFor); otherwise each at its instant (m_phaseEvent).
  struct Boundary {
    sc_core::sc_time at;
    std::size_t state;
  };
  struct Playing {
    ComponentId id;
    std::vector<Boundary> boundaries;
    std::size_t next = 0;
  };
  std::vector<Playing> m_playing;
  // No phase is due before this (the earliest pending boundary): catchUp's quick answer.
  sc_core::sc_time m_nextDue = sc_core::sc_max_time();
  sc_core::sc_event m_phaseEvent{"phase"};
  std::exception_ptr m_failure;  // onPhase's error, for rethrowFailure
  // Applies the phases due up to now, in time order.
  void catchUp();
  // m_nextDue from the parts' pending boundaries.
  void updateNextDue();
  // After a change: whether the phases still to come may wait for the next change or
  // reading; if not, notifies m_phaseEvent at the next one.
  void arm();
  void onPhase();
  // The most the net current can be while the loads are powered: every load in its largest
  // state, through the regulator at the battery's brown-out voltage, with a margin.
  Current ceiling() const;
  std::optional<ComponentId> m_selfDischargeId;  // the battery's self-discharge line

  Ledger m_ledger;
  Voltage m_voltage{};      // battery voltage since the last change
  Voltage m_loadVoltage{};  // the loads' supply voltage since the last change
  std::optional<regulator::Regulator> m_regulator;
  ComponentId m_regulatorId = 0;
  std::uint64_t m_changes = 0;
  std::uint64_t m_late = 0;
  sc_core::sc_time m_instant = sc_core::sc_max_time();
  Reading m_before{};
  Current m_net{}, m_netBefore{};
  // The ledger's load and source totals since the last change (Ledger::current's).
  Current m_loadNow{}, m_sourceNow{};
  sc_core::sc_trace_file* m_traceFile = nullptr;
  std::function<double()> m_traceSoc;
  std::unique_ptr<PowerTrace> m_trace;
};

}  // namespace ej::power
