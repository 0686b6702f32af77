// Node assembly: instance names equal the scenario's keys (mcu, pir, harvester, battery).
#include "sim/device/node.h"

namespace ej::device {

Node::Node(sc_core::sc_module_name name, Scenario& scenario)
    : sc_module(name),
      bus("bus"),
      battery("battery", std::move(scenario.battery)),
      mcu("mcu", scenario.mcu, scenario.jobs),
      recorder("recorder", bus, battery, scenario.phase(), scenario.timeseriesInterval) {
  bus.storage(battery);
  mcu.power(bus);
  if (scenario.pir) {
    pir = std::make_unique<PirSensor>("pir", *scenario.pir, std::move(scenario.motion));
    pir->power(bus);
    pir->output(m_pirOutput);
    mcu.wake(m_pirOutput);
  }
  if (scenario.harvester) {
    harvester = std::make_unique<harvest::ConstantHarvester>("harvester", *scenario.harvester,
                                                             scenario.phase());
    harvester->power(bus);
  }
  SC_METHOD(onDepleted);
  sensitive << battery.depletedEvent();
  dont_initialize();
}

// The first time the battery empties the run ends: the node is dead. (Brown-out and
// restart on recharge belong to the battery models of issue 6.)
void Node::onDepleted() { sc_core::sc_stop(); }

}  // namespace ej::device
