// VCD tracing of the power bus (`edgejoule run --vcd`): per part its power-state index and
// current, the bus's load and harvest totals, the battery's state of charge and voltage.
// Plain doubles that the bus updates at each of its changes; SystemC's trace file writes a
// value whenever it differs at the end of a time step, so the trace is exact at every bus
// change (between changes currents are constant; the state of charge moves linearly there
// and is written at the changes only).
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <systemc>
#include <utility>

#include "sim/power/ledger.h"

namespace ej::power {

class PowerTrace {
 public:
  // Registers the traces of every part attached to LEDGER so far in FILE, under PREFIX
  // (the bus's owner: "node."). SOC gives the battery's state of charge (0..1). Call
  // before the first delta cycle (the bus does it in start_of_simulation()).
  PowerTrace(sc_core::sc_trace_file* file, const Ledger& ledger, std::function<double()> soc,
             const std::string& prefix)
      : m_soc(std::move(soc)) {
    for (const auto& c : ledger.components()) {
      auto& p = m_parts.emplace_back();
      sc_core::sc_trace(file, p.state, prefix + c.name + ".state");
      sc_core::sc_trace(file, p.current_mA, prefix + c.name + ".current_mA");
      std::string states;
      for (std::size_t s = 0; s < c.states.size(); ++s) {
        states += (s ? ", " : "") + std::to_string(s) + " " + c.states[s].name;
      }
      file->write_comment(prefix + c.name + ".state: " + states);
    }
    sc_core::sc_trace(file, m_load_mA, prefix + "load_mA");
    sc_core::sc_trace(file, m_harvest_mA, prefix + "harvest_mA");
    sc_core::sc_trace(file, m_soc_value, prefix + "state_of_charge");
    sc_core::sc_trace(file, m_voltage_V, prefix + "voltage_V");
    sc_core::sc_trace(file, m_powered, prefix + "loads_powered");
  }

  // The figures now; VOLTAGE is the battery's terminal voltage.
  void update(const Ledger& ledger, Voltage voltage) {
    const auto& components = ledger.components();
    for (std::size_t i = 0; i < components.size() && i < m_parts.size(); ++i) {
      const auto& c = components[i];
      const bool off = c.flow == Flow::Load && !ledger.loadsPowered();
      m_parts[i].state = static_cast<unsigned>(c.state);
      m_parts[i].current_mA = off ? 0.0 : in_mA(c.current());
    }
    m_load_mA = in_mA(ledger.current(Flow::Load));
    m_harvest_mA = in_mA(ledger.current(Flow::Source));
    m_soc_value = m_soc ? m_soc() : 0.0;
    m_voltage_V = in_V(voltage);
    m_powered = ledger.loadsPowered();
  }

 private:
  struct Part {
    unsigned state = 0;
    double current_mA = 0;
  };
  std::function<double()> m_soc;
  std::deque<Part> m_parts;  // a deque: traced addresses stay put as parts are added
  double m_load_mA = 0, m_harvest_mA = 0, m_soc_value = 0, m_voltage_V = 0;
  bool m_powered = true;
};

}  // namespace ej::power
