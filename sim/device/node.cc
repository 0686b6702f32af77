// Node assembly: instance names equal the scenario's keys (mcu, pir, harvester, battery).
#include "sim/device/node.h"

#include <fmt/format.h>

#include <algorithm>

namespace ej::device {

Node::Node(sc_core::sc_module_name name, Scenario& scenario)
    : sc_module(name),
      bus("bus"),
      battery("battery", std::move(scenario.battery), scenario.restartSoc),
      mcu("mcu", scenario.mcu, scenario.jobs),
      recorder(
          "recorder", bus, battery, scenario.phase(),
          scenario.timeseries ? std::optional<Time>(scenario.timeseriesInterval) : std::nullopt) {
  bus.storage(battery);
  m_untilEmpty = scenario.untilEmpty;
  // The node browns out at the highest of: the battery's cutoff, the regulator's UVLO, and
  // each powered part's minimum supply (on the battery directly, or through a step-down
  // converter whose output follows its input in dropout; a boost or buck-boost holds its
  // output, checked at load).
  const auto& reg = scenario.regulator;
  if (reg) {
    bus.setRegulator(regulator::Regulator(*reg));
    battery.addBrownOutLimit(
        {fmt::format("node.regulator ({}) min_input_voltage", reg->name), reg->minInput});
    if (reg->startUpInput) battery.setRestartVoltage(*reg->startUpInput);
    if (const auto limit = regulator::Regulator(*reg).inputCurrentLimit()) {
      battery.addBrownOutLimit(
          {fmt::format("node.regulator ({}) input current limit, {:.0f} mA (max_output_current "
                       "at max_output_current_input)",
                       reg->name, in_mA(*limit)),
           Voltage(), Resistance(), *limit});
    }
  }
  for (const auto& part : scenario.supplies) {
    if (!part.min || (reg && !reg->stepsDownOnly())) continue;
    battery.addBrownOutLimit({fmt::format("node.{} ({}) supply_min", part.part, part.name),
                              *part.min, reg ? reg->followResistance() : Resistance()});
  }
  // A radio whose currents include its chip's CPU (the ESP32-C3's WiFi) covers the node's
  // MCU, the same chip; not the seed paper's generic board, a separate MCU.
  if (scenario.radio && scenario.radioIncludesCpu && scenario.mcu.core != "generic") {
    bus.cover("radio", "mcu");
  }
  mcu.power(bus);
  recorder.countMissed([this](bool beforeNow) {
    std::vector<std::uint64_t> missed;
    for (std::size_t j = 0; j < mcu.jobs().size(); ++j) {
      missed.push_back(beforeNow ? mcu.missedBeforeNow(j) : mcu.counters(j).missed);
    }
    return missed;
  });
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
  if ((!harvester || m_untilEmpty) && m_runEnded) m_runEnded();
  bus.setLoadsPowered(false);
}

void Node::onRestored() { bus.setLoadsPowered(true); }

}  // namespace ej::device
