// One sensor node, assembled from a scenario: MCU, PIR, harvester and battery on one
// power bus, with the recorder's probes.
#pragma once

#include <functional>
#include <memory>
#include <systemc>

#include "sim/device/mcu.h"
#include "sim/device/pir_sensor.h"
#include "sim/device/recorder.h"
#include "sim/device/scenario.h"
#include "sim/harvest/constant_harvester.h"
#include "sim/power/battery_module.h"
#include "sim/power/power_bus.h"
#include "sim/radio/radio_module.h"

namespace ej::device {

class Node : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Node);
  // Takes the scenario's models (motion source, battery) over.
  Node(sc_core::sc_module_name name, Scenario& scenario);

  power::PowerBus bus;
  power::BatteryModule battery;
  Mcu mcu;
  std::unique_ptr<PirSensor> pir;
  std::unique_ptr<sc_core::sc_module> harvester;  // constant or solar
  std::unique_ptr<radio::RadioModule> radio;
  Recorder recorder;

  // Called once, from inside the simulation, when the node's run ends before the horizon:
  // its battery emptied and nothing will ever charge it. The node is cut off right after,
  // so the kernel may go on running other nodes (sweep shards host many).
  void onRunEnded(std::function<void()> callback) { m_runEnded = std::move(callback); }

 private:
  void onDepleted();
  void onRestored();
  bool m_untilEmpty = false;
  sc_core::sc_signal<bool> m_pirOutput{"pir_output"};
  std::function<void()> m_runEnded;
};

}  // namespace ej::device
