// simulate() and simulateMany(): elaboration, sc_start to each horizon, and the harvest of
// results. One code path for both, so a sweep shard's node gives what a lone run gives.
#include "sim/device/simulation.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "sim/core/sim_time.h"
#include "sim/device/inference_steps.h"
#include "sim/device/node.h"

namespace ej::device {
namespace {

using Clock = std::chrono::steady_clock;

// The figures of NODE's run, ending now: the bus and the recorder are settled first, so
// every total is exact at this instant.
RunResult collect(Node& node, Charge initial, Clock::time_point wallStart) {
  node.bus.settle();
  node.recorder.finish();
  RunResult r;
  r.simulated = core::simNow();
  node.battery.closeOpenOutage();
  r.outages = node.battery.outages();
  r.batteryEmptyAt = r.outages.first;
  const auto& model = node.battery.model();
  r.batteryCapacity = model.capacity();
  r.batteryInitial = initial;
  r.batteryFinal = model.remaining();
  r.batteryMinimum = node.battery.minimumRemaining();
  r.batteryDrawn = node.battery.totals().drawn;
  r.batteryAccepted = node.battery.totals().accepted;
  r.batteryWasted = node.battery.totals().wasted;
  r.brownOutVoltage = node.battery.brownOutVoltage();
  r.endCause = node.battery.firstCause();
  for (std::size_t j = 0; j < node.mcu.jobs().size(); ++j) {
    const auto& c = node.mcu.counters(j);
    const auto& job = node.mcu.jobs()[j];
    std::uint64_t infers = 0, sends = 0;
    for (const auto& step : job.steps) {
      infers += step.kind == JobStep::Kind::Infer;
      sends += step.kind == JobStep::Kind::Send;
    }
    r.jobs.push_back(
        {job.name, c.triggers, c.runs, c.merged, c.missed, c.missed * infers, c.missed * sends});
  }
  if (node.pir) {
    r.pirMotions = node.pir->motions();
    r.pirTriggers = node.pir->triggers();
  }
  r.components = node.bus.ledger().components();
  if (node.radio) {
    // The radio's own counts, with its charge and energy per state from the ledger (the
    // radio does not know the battery's voltage, and the ledger knows its outages).
    auto radio = node.radio->summary();
    for (const auto& c : r.components) {
      if (c.name != "radio") continue;
      for (const auto& st : c.states) {
        radio.charge_mAh_by_state[st.name] = in_mAh(st.charge);
        radio.energy_J_by_state[st.name] = in_J(st.energy);
      }
    }
    r.radios["radio"] = radio;
  }
  r.daily = node.recorder.takeDaily();
  r.timeseries = node.recorder.takeTimeseries();
  r.events = node.bus.changes();
  r.wallTime_s = std::chrono::duration<double>(Clock::now() - wallStart).count();
  return r;
}

std::vector<RunResult> run(const std::vector<Scenario*>& scenarios,
                           const std::vector<std::string>& names,
                           const std::filesystem::path& vcd) {
  if (scenarios.empty() || names.size() != scenarios.size()) {
    throw std::invalid_argument("simulateMany: one name per scenario, at least one");
  }
  core::setKernelTimeResolution();
  // sc_stop() when the last node has ended is the expected end of a run, not news.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO,
                                          sc_core::SC_DO_NOTHING);
  for (const Scenario* s : scenarios) {
    if (!inferencesProfiled(*s)) {
      throw std::logic_error(
          "simulate(): profileInferences() must run first (an infer step has "
          "no latency)");
    }
  }
  const auto wallStart = Clock::now();
  const std::size_t n = scenarios.size();
  std::vector<Charge> initial;
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::optional<RunResult>> results(n);
  std::size_t ended = 0;
  auto end = [&](std::size_t i) {
    results[i] = collect(*nodes[i], initial[i], wallStart);
    ++ended;
  };
  for (std::size_t i = 0; i < n; ++i) {
    initial.push_back(scenarios[i]->battery->remaining());
    nodes.push_back(std::make_unique<Node>(names[i].c_str(), *scenarios[i]));
    nodes[i]->onRunEnded([&, i] {
      if (results[i]) return;  // collected at its horizon already; the kernel ran on
      end(i);
      if (ended == n) sc_core::sc_stop();
    });
  }

  sc_core::sc_trace_file* trace = nullptr;
  if (!vcd.empty()) {
    // The kernel's note on the trace's time unit is not news either.
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    const auto stem = vcd.extension() == ".vcd" ? vcd.parent_path() / vcd.stem() : vcd;
    trace = sc_core::sc_create_vcd_trace_file(stem.c_str());
    trace->set_time_unit(1, sc_core::SC_NS);
    Node& node = *nodes.front();
    node.bus.trace(trace, [&node] { return node.battery.model().stateOfCharge().value(); });
  }

  // Run to each horizon in turn; a pause is invisible to the nodes that go on.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return scenarios[a]->horizon < scenarios[b]->horizon;
  });
  bool started = false;  // the first sc_start elaborates, even for a zero horizon
  for (const std::size_t i : order) {
    if (results[i]) continue;
    if (ended == n || sc_core::sc_get_status() == sc_core::SC_STOPPED) break;
    const sc_core::sc_time until = core::toScTime(scenarios[i]->horizon);
    if (until > sc_core::sc_time_stamp() || !started) {
      started = true;
      try {
        sc_core::sc_start(until - sc_core::sc_time_stamp());
      } catch (const sc_core::sc_report& e) {
        // A part's exception reaches here wrapped by the kernel (E549, "uncaught
        // exception", with file and process lines): its own one-line message is the news.
        throw std::runtime_error(e.get_msg());
      }
      for (const auto& node : nodes) node->bus.rethrowFailure();
    }
    // The node's processes run on while longer horizons are simulated (SystemC 2.3 cannot
    // kill threads waiting on a time-out safely here); what they do no longer counts. The
    // sweep cuts shards from points sorted by horizon, so a kernel's nodes mostly end
    // together.
    if (!results[i]) end(i);
  }
  if (trace) sc_core::sc_close_vcd_trace_file(trace);

  std::vector<RunResult> out;
  for (auto& r : results) {
    r->deltaCycles = sc_core::sc_delta_count();
    r->nodesInKernel = n;
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace

RunResult simulate(Scenario& scenario, const std::filesystem::path& vcd) {
  return std::move(run({&scenario}, {"node"}, vcd).front());
}

std::vector<RunResult> simulateMany(const std::vector<Scenario*>& scenarios,
                                    const std::vector<std::string>& names) {
  return run(scenarios, names, {});
}

}  // namespace ej::device
