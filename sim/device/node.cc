// Node assembly: instance names equal the scenario's keys (mcu, pir, harvester, battery).
#include "sim/device/node.h"

#include <algorithm>

namespace ej::device {

Node::Node(sc_core::sc_module_name name, Scenario& scenario)
    : sc_module(name),
      bus("bus"),
      battery("battery", std::move(scenario.battery), scenario.restartSoc),
      mcu("mcu", scenario.mcu, scenario.jobs),
      recorder("recorder", bus, battery, scenario.phase(), scenario.timeseriesInterval) {
  bus.storage(battery);
  if (scenario.regulator) {  // the node browns out at the higher of its UVLO and the cutoff
    bus.setRegulator(regulator::Regulator(*scenario.regulator));
    battery.setBrownOutVoltage(std::max(scenario.regulator->minInput, battery.brownOutVoltage()));
  }
  mcu.power(bus);
  if (scenario.pir) {
    pir = std::make_unique<PirSensor>("pir", *scenario.pir, std::move(scenario.motion));
    pir->power(bus);
    pir->output(m_pirOutput);
    mcu.wake(m_pirOutput);
  }
  if (scenario.radio) {
    radio = radio::createRadio("radio", *scenario.radio);
    radio->power(bus);
    mcu.bindRadio("radio", *radio);
  }
  if (scenario.harvester) {
    harvester = harvest::createHarvester("harvester", *scenario.harvester,
                                         scenario.startEpochSeconds, bus, battery);
  }
  SC_METHOD(onDepleted);
  sensitive << battery.depletedEvent();
  dont_initialize();
  SC_METHOD(onRestored);
  sensitive << battery.restoredEvent();
  dont_initialize();
}

// An empty battery browns the node out. Without a harvester nothing will ever charge it:
// the run ends there (whoever runs the node collects its results now, then its loads stay
// off). With one, the loads are cut off until the battery is recharged to the restart state
// of charge.
void Node::onDepleted() {
  if (!harvester && m_runEnded) m_runEnded();
  bus.setLoadsPowered(false);
}

void Node::onRestored() { bus.setLoadsPowered(true); }

}  // namespace ej::device
