// The battery as a SystemC channel: it integrates its model between the bus's changes,
// fires depletedEvent() at the exact instant it empties or its terminal voltage under the
// present current falls below the brown-out voltage, and restoredEvent() when, charged
// again, it reaches the restart state of charge (scheduled, not polled, where the model
// gives the instant in closed form).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <systemc>
#include <utility>
#include <vector>

#include "sim/power/battery_model.h"
#include "sim/power/energy_storage_if.h"

namespace ej::power {

class BatteryModule : public sc_core::sc_module, public EnergyStorageIf {
 public:
  SC_HAS_PROCESS(BatteryModule);
  // RESTART_SOC: after an outage the node is powered again at this state of charge.
  BatteryModule(sc_core::sc_module_name name, std::unique_ptr<BatteryModel> model,
                Ratio restartSoc = ratio(0.1));

  using EnergyStorageIf::setNetCurrent;
  void setNetCurrent(Current net, const sc_core::sc_time& at) override;
  void settleTo(const sc_core::sc_time& at) override;
  void settle() override;
  void setCatchUp(std::function<void()> catchUp) override { m_catchUp = std::move(catchUp); }
  bool clearFor(const sc_core::sc_time& window, Current ceiling) const override;
  Voltage voltage() const override { return m_model->terminalVoltage(m_net); }
  Voltage voltageAt(Current net) const override { return m_model->terminalVoltage(net); }
  Thevenin thevenin() const override {
    const Voltage open = m_model->terminalVoltage(Current());
    return {open, (open - m_model->terminalVoltage(amperes(1))) / amperes(1)};
  }
  Current selfDischargeCurrent() const override { return m_model->selfDischargeCurrent(); }
  // A battery that follows the temperature (`temperature: weather`) settles, takes the
  // capacity at T, and re-schedules its empty, brown-out and restart instants: a change of
  // temperature is an event like a change of current.
  bool setCellTemperature(Temperature t) override;
  bool chargeAllowedAt(Temperature t) const override { return m_model->chargeAllowedAt(t); }

  // The node browns out when the terminal voltage under the present current falls below
  // VMIN: a regulator's minimum input, else (the default) the part's cutoff voltage. Call
  // before the simulation starts.
  void setBrownOutVoltage(Voltage vmin) {
    m_brownOutVoltage = vmin;
    m_clearUpTo.reset();
  }
  // The brown-out voltage at no load: the highest of the limits.
  Voltage brownOutVoltage() const override { return threshold(Current()); }

  // A further limit, checked in closed form like the cutoff: the node browns out when the
  // terminal voltage under the net current I falls below VOLTAGE + I x FOLLOW (a part's
  // minimum supply, seen through a converter whose output follows its input through FOLLOW
  // in dropout; FOLLOW zero for a part on the battery itself). WHAT names it in the reports.
  // A limit with MAX_CURRENT browns the node out at once whenever the net current is above
  // it (a boost's input current limit: its output collapses), whatever the voltage.
  struct Limit {
    std::string what;
    Voltage voltage;
    Resistance follow{};
    std::optional<Current> maxCurrent{};
  };
  void addBrownOutLimit(Limit limit) {
    m_limits.push_back(std::move(limit));
    m_clearUpTo.reset();
  }
  // After a brown-out on voltage the node restarts only once the battery holds at least
  // this (a boost's start-up voltage), beside the brown-out voltage.
  void setRestartVoltage(Voltage v) { m_restartVoltage = v; }
  // What ended the first period of power: the limit that bound, or the empty battery.
  struct Cause {
    std::string what;  // "battery empty", or the limit's WHAT
    Voltage limit;     // the threshold at the current then (zero when it emptied)
    Voltage battery;   // the battery's terminal voltage under that current
    Current current;   // the battery's net current then
  };
  const std::optional<Cause>& firstCause() const { return m_firstCause; }

  const BatteryModel& model() const { return *m_model; }
  Current netCurrent() const { return m_net; }
  // Totals at the terminals since the start.
  const BatteryModel::Step& totals() const { return m_totals; }
  Charge minimumRemaining() const { return m_minRemaining; }

  // Outages: from the battery emptying to its recharge to the restart state of charge.
  struct Outages {
    // Intervals listed in full up to this many (a century of nightly outages would
    // otherwise fill summary.json); count, total and longest cover them all.
    static constexpr std::size_t kListed = 1000;
    std::uint64_t count = 0;
    // Of COUNT, the outages that began on the loaded voltage (the terminal voltage under
    // the present current below the brown-out voltage) before the model's charge ran out.
    std::uint64_t onVoltage = 0;
    Time total{}, longest{};
    std::optional<Time> first;                  // when the battery first emptied
    std::vector<std::pair<Time, Time>> listed;  // (start, end) of the first kListed
  };
  const Outages& outages() const { return m_outages; }
  // Times a look at a lower bound of the empty instant was put in SystemC's event queue.
  std::uint64_t looksArmed() const { return m_looksArmed; }
  bool inOutage() const { return m_inOutage; }
  // Closes an outage still open at the end of the run (for the totals).
  void closeOpenOutage();
  const sc_core::sc_event& depletedEvent() const { return m_depletedEvent; }
  const sc_core::sc_event& restoredEvent() const { return m_restoredEvent; }

 private:
  // Schedules the next look, empty, brown-out or restart instant from the state at AT (now,
  // or the instant of a change the bus applies late).
  void schedule(const sc_core::sc_time& at);
  void onEmpty();
  // At a lower bound of the empty or brown-out instant: a later bound, or the instant.
  void look();
  // From the state MARK + AFTER (now, or the change at AT): a look at a lower bound of the
  // empty or brown-out instant under any net current up to UPTO, when that bound is beyond
  // kLookAhead (or there is none); false, with nothing armed, when it is not.
  bool armLook(Time after, Current upTo, const sc_core::sc_time& at);
  void cancelEmpty();
  void onRecharged();
  void checkRecharged();
  void endOutage();
  // True when the terminal voltage under NET is below the brown-out voltage now (within
  // the 1 ns rounding of a scheduled instant).
  bool belowBrownOut(Current net) const;
  // The brown-out threshold under NET: the highest of the cutoff and the limits.
  Voltage threshold(Current net) const;
  // The limit that sets threshold(NET): its name.
  std::string bindingLimit(Current net) const;

  std::unique_ptr<BatteryModel> m_model;
  Ratio m_restartSoc;
  Voltage m_brownOutVoltage;
  std::vector<Limit> m_limits;
  Voltage m_restartVoltage{};
  std::optional<Cause> m_firstCause;
  // The current that browned the node out on voltage (none: it emptied); the restart
  // waits until the battery holds the brown-out voltage under it again.
  std::optional<Current> m_brownOutCurrent;
  std::function<void()> m_catchUp;  // the bus's, called first by settle()
  Current m_net{};
  Time m_last{};
  Time m_lastChange{};     // when the net current last changed
  int m_settleDeltas = 0;  // delta cycles a brown-out on a load step has waited
  BatteryModel::Step m_totals{};
  Charge m_minRemaining;
  bool m_inOutage = false;
  Time m_outageStart{};
  Outages m_outages;
  // Beyond this, schedule() looks again at a lower bound of the empty or brown-out instant
  // instead of root-finding it (one root find per approach instead of one per change).
  static inline const Time kLookAhead = seconds(60);
  std::optional<BatteryModel::Mark> m_mark;  // the model's state at the last schedule()
  sc_core::sc_time m_markAt;                 // and when
  std::optional<Time> m_lookAt;              // when m_lookEvent is pending (none: it is not)
  // While set, the pending look (or, with none pending, never) bounds the empty and brown-out
  // instants under every net current up to it since it was armed: a change of current within
  // it needs no new bound. Unset when the look fires, an instant is pending, or the model or
  // its thresholds change.
  std::optional<Current> m_clearUpTo;
  std::uint64_t m_looksArmed = 0;
  Current m_netMost{};  // the largest net current so far: the envelope looks are armed for
  sc_core::sc_event m_lookEvent{"look_at"};
  sc_core::sc_event m_emptyEvent{"empty"};
  sc_core::sc_event m_rechargedEvent{"recharged"};
  sc_core::sc_event m_depletedEvent{"depleted"};
  sc_core::sc_event m_restoredEvent{"restored"};
};

}  // namespace ej::power
