// The seed paper's harvester: a constant charging current during a daily window
// ("a panel giving 200 mA for 3 h"). The real sun is in solar/.
#pragma once

#include <systemc>

#include "sim/core/config.h"
#include "sim/power/power_bus_if.h"

namespace ej::harvest {

struct ConstantHarvesterParams {
  Current current;  // delivered into the battery while the window is open
  Time start;       // UTC time of day the window opens
  Time duration;    // how long it stays open each day (0 to 24 h)

  static ConstantHarvesterParams fromConfig(const core::Config& cfg);
};

class ConstantHarvester : public sc_core::sc_module {
 public:
  sc_core::sc_port<power::PowerBusIf> power;

  SC_HAS_PROCESS(ConstantHarvester);
  // PHASE: how long after a UTC midnight the simulation starts.
  ConstantHarvester(sc_core::sc_module_name name, const ConstantHarvesterParams& params,
                    Time phase);

 private:
  enum State : std::size_t { kDark, kSun };
  void end_of_elaboration() override;
  void run();

  ConstantHarvesterParams m_params;
  Time m_phase;
  power::ComponentId m_id = 0;
};

}  // namespace ej::harvest
