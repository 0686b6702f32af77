// simulate(): elaboration, sc_start to the horizon, and the harvest of results.
#include "sim/device/simulation.h"

#include <chrono>

#include "sim/core/sim_time.h"
#include "sim/device/node.h"

namespace ej::device {

RunResult simulate(Scenario& scenario, const std::filesystem::path& vcd) {
  core::setKernelTimeResolution();
  // sc_stop() on an empty battery is the expected end of a run, not news.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);
  const auto wallStart = std::chrono::steady_clock::now();
  const Charge initial = scenario.battery->remaining();
  Node node("node", scenario);
  sc_core::sc_trace_file* trace = nullptr;
  if (!vcd.empty()) {
    // The kernel's note on the trace's time unit is not news either.
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    const auto stem = vcd.extension() == ".vcd" ? vcd.parent_path() / vcd.stem() : vcd;
    trace = sc_core::sc_create_vcd_trace_file(stem.c_str());
    trace->set_time_unit(1, sc_core::SC_NS);
    node.bus.trace(trace, [&node] { return node.battery.model().stateOfCharge().value(); });
  }
  sc_core::sc_start(core::toScTime(scenario.horizon));
  node.bus.settle();
  node.recorder.finish();
  if (trace) sc_core::sc_close_vcd_trace_file(trace);

  RunResult r;
  r.simulated = core::simNow();
  node.battery.closeOpenOutage();
  r.outages = node.battery.outages();
  r.batteryEmptyAt = r.outages.first;
  r.components = node.bus.ledger().components();
  const auto& model = node.battery.model();
  r.batteryCapacity = model.capacity();
  r.batteryInitial = initial;
  r.batteryFinal = model.remaining();
  r.batteryMinimum = node.battery.minimumRemaining();
  r.batteryDrawn = node.battery.totals().drawn;
  r.batteryAccepted = node.battery.totals().accepted;
  r.batteryWasted = node.battery.totals().wasted;
  for (std::size_t j = 0; j < node.mcu.jobs().size(); ++j) {
    const auto& c = node.mcu.counters(j);
    r.jobs.push_back({node.mcu.jobs()[j].name, c.triggers, c.runs, c.merged});
  }
  if (node.pir) {
    r.pirMotions = node.pir->motions();
    r.pirTriggers = node.pir->triggers();
  }
  if (node.radio) r.radios["radio"] = node.radio->summary();
  r.daily = node.recorder.daily();
  r.timeseries = node.recorder.timeseries();
  r.events = node.bus.changes();
  r.deltaCycles = sc_core::sc_delta_count();
  r.wallTime_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wallStart).count();
  return r;
}

}  // namespace ej::device
