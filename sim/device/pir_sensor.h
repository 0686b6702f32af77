// A passive-infrared motion sensor: draws its quiescent current always, raises its output
// on motion and holds it high for the hold time after the last motion (retriggerable, as
// the AM312 and HC-SR501 in their repeat-trigger mode).
#pragma once

#include <cstdint>
#include <memory>
#include <systemc>

#include "sim/core/config.h"
#include "sim/device/motion_source.h"
#include "sim/power/power_bus_if.h"

namespace ej::device {

struct PirParams {
  Current quiescent;  // output low
  Current triggered;  // output high (defaults to the quiescent current)
  Time hold;          // output stays high this long after the last motion

  static PirParams fromConfig(const core::Config& cfg);
};

class PirSensor : public sc_core::sc_module {
 public:
  sc_core::sc_port<power::PowerBusIf> power;
  sc_core::sc_out<bool> output;

  SC_HAS_PROCESS(PirSensor);
  PirSensor(sc_core::sc_module_name name, const PirParams& params,
            std::unique_ptr<MotionSource> motion);

  std::uint64_t motions() const { return m_motions; }    // motion instants seen
  std::uint64_t triggers() const { return m_triggers; }  // rising edges of the output

 private:
  enum State : std::size_t { kIdle, kTriggered };
  void end_of_elaboration() override;
  void run();
  void waitUntil(Time t);

  PirParams m_params;
  std::unique_ptr<MotionSource> m_motion;
  power::ComponentId m_id = 0;
  std::uint64_t m_motions = 0;
  std::uint64_t m_triggers = 0;
};

}  // namespace ej::device
