// The battery as a SystemC channel: it integrates its model between the bus's changes and
// fires depletedEvent() at the exact instant it empties (scheduled, not polled).
#pragma once

#include <memory>
#include <optional>

#include <systemc>

#include "sim/power/battery_model.h"
#include "sim/power/energy_storage_if.h"

namespace ej::power {

class BatteryModule : public sc_core::sc_module, public EnergyStorageIf {
 public:
  SC_HAS_PROCESS(BatteryModule);
  BatteryModule(sc_core::sc_module_name name, std::unique_ptr<BatteryModel> model);

  void setNetCurrent(Current net) override;
  void settle() override;
  Voltage voltage() const override { return m_model->terminalVoltage(m_net); }

  const BatteryModel& model() const { return *m_model; }
  Current netCurrent() const { return m_net; }
  // Totals at the terminals since the start.
  const BatteryModel::Step& totals() const { return m_totals; }
  Charge minimumRemaining() const { return m_minRemaining; }
  // When the battery first emptied, if it did.
  std::optional<Time> depletedAt() const { return m_depletedAt; }
  const sc_core::sc_event& depletedEvent() const { return m_depletedEvent; }

 private:
  void scheduleEmpty();
  void onEmpty();

  std::unique_ptr<BatteryModel> m_model;
  Current m_net{};
  Time m_last{};
  BatteryModel::Step m_totals{};
  Charge m_minRemaining;
  std::optional<Time> m_depletedAt;
  sc_core::sc_event m_emptyEvent{"empty"};
  sc_core::sc_event m_depletedEvent{"depleted"};
};

}  // namespace ej::power
