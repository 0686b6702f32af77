// `edgejoule sweep SCENARIO --set key=v1,v2,... [--zip] [-j N] [--out DIR]`: many runs, one
// table (sweep.csv); and `sweep-shard`, the hidden worker that runs a shard of points, each
// in a child forked from it (or, with --shard N, side by side in one SystemC kernel).
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "sim/cli/command.h"
#include "sim/core/config.h"
#include "sim/core/io.h"
#include "sim/core/process.h"
#include "sim/device/inference_steps.h"
#include "sim/device/scenario.h"
#include "sim/device/simulation.h"
#include "sim/report/html_report.h"
#include "sim/report/pareto.h"
#include "sim/report/plot.h"
#include "sim/report/results_writer.h"
#include "sim/report/sweep.h"
#include "sim/report/world.h"

namespace ej::cli {
namespace {

struct SweepArgs {
  std::string file;
  std::vector<std::string> sets;
  bool zip = false;
  unsigned workers = 0;
  std::size_t shard = 0;
  std::string out;
  bool plot = false;
  bool json = false;
  bool force = false;
  std::string pareto;
};

constexpr CommandInfo kSweepCommand{
    "sweep", "Run a scenario over a grid of values and gather the results in sweep.csv"};
const CommandRegistrar kSweep(kSweepCommand, [](CLI::App* cmd, int& status) {
  auto args = std::make_shared<SweepArgs>();
  cmd->add_option("scenario", args->file, "Scenario YAML file")->required();
  cmd->add_option("--set", args->sets,
                  "key.path=v1,v2,... (repeatable; a comma inside a value: \\,)")
      ->required();
  cmd->add_flag("--zip", args->zip,
                "Pair the lists' values (i-th with i-th), not every combination");
  cmd->add_option("-j,--jobs", args->workers,
                  "Worker processes (default: the CPUs this process may use)");
  cmd->add_option("--shard", args->shard,
                  "Points each worker simulates together in one kernel (default: each point "
                  "in a process of its own, forked from a worker)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--out", args->out, "Sweep folder (default: results/<scenario name>-sweep)");
  cmd->add_option("--pareto", args->pareto,
                  "Mark the non-dominated points in sweep.csv's `pareto` column: "
                  "column:max|min,... (e.g. accuracy:max,battery_life_days:max)");
  cmd->add_flag("--plot", args->plot, "Also draw the figures (plots/) and report.html");
  cmd->add_flag("--json", args->json, "Print the outcome as JSON");
  cmd->add_flag("--force", args->force,
                "Use --out even if edgejoule did not write it (never the working folder, an "
                "ancestor of it, or the home folder)");
  cmd->callback([args, &status] {
    report::SweepOptions o;
    try {
      for (const auto& s : args->sets) o.sets.push_back(report::parseSweepSet(s));
      o.zip = args->zip;
      if (!args->pareto.empty()) {
        for (const auto& obj : report::parseObjectives(args->pareto)) {
          o.pareto.emplace_back(obj.column, obj.maximize);
        }
      }
      const auto points = report::sweepPoints(o.sets, o.zip);
      // Every point is checked before any runs: a bad value stops the sweep at once.
      for (const auto& p : points) {
        core::Overrides overrides;
        for (const auto& [k, v] : p.values) overrides[k] = v;
        const auto scenario = device::Scenario::load(args->file, overrides);
        if (o.scenarioName.empty()) o.scenarioName = scenario.name;
        o.horizons_s.push_back(in_s(scenario.horizon));
      }
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    if (args->plot) report::requireGnuplot();
    o.scenario = args->file;
    o.out = args->out.empty() ? "results/" + o.scenarioName + "-sweep" : args->out;
    // Under mpirun each rank starts one worker unless told otherwise: the ranks are the
    // parallelism.
    o.workers = workerCount(args->workers);
    o.shard = args->shard;
    o.force = args->force;
    o.program = std::filesystem::read_symlink("/proc/self/exe");
    o.progress = isatty(STDERR_FILENO) && !args->json;
    const auto r = report::runSweep(o);
    status = 0;
    if (r.csv.empty()) return;  // an MPI rank other than 0: rank 0 reports
    std::filesystem::path html;
    if (args->plot) html = report::writeHtmlReport(o.out, report::plotSweep(o.out));
    if (args->json) {
      std::cout << nlohmann::json{{"points", r.points},
                                  {"already_done", r.alreadyDone},
                                  {"rerun", r.rerun},
                                  {"ran", r.ran},
                                  {"workers", o.workers},
                                  {"ranks", r.ranks},
                                  {"pareto_points", r.paretoPoints},
                                  {"wall_time_s", r.wall_s},
                                  {"csv", r.csv.string()},
                                  {"report", html.string()},
                                  {"phases_s", phasesJson(r.phases)}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "sweep: " << r.points << " points (" << r.alreadyDone << " already done, "
                << r.ran << " run now with " << o.workers << " workers"
                << (r.ranks > 1 ? " on each of " + std::to_string(r.ranks) + " MPI ranks" : "")
                << ") in " << r.wall_s << " s\n";
      if (r.rerun > 0) {
        std::cout << "  " << r.rerun
                  << " points were run again: their folders held no complete result\n";
      }
      std::cout << "  " << r.csv.string() << "\n";
      if (!o.pareto.empty()) {
        std::cout << "  pareto: " << r.paretoPoints << " of " << r.points
                  << " points on the front\n";
      }
      if (!html.empty()) std::cout << "  " << html.string() << "\n";
    }
    status = 0;
  });
});

// Seconds on the steady clock (CLOCK_MONOTONIC on Linux: one clock for every process, so the
// runner's and the worker's readings subtract).
double steadyNow() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Where a worker's time went, summed over its points (the runner adds the workers' up).
struct ShardTimes {
  double start = 0;     // from the runner's fork to this worker's first line of its own
  double fork = 0;      // from this worker's fork of a point to the point's first line
  double load = 0;      // Scenario::load and profileInferences
  double simulate = 0;  // elaboration and the run
  double write = 0;     // the point's folder
};

// One line for a point's stderr, as the program's main() would print it.
std::string errorLine(const std::exception& e) {
  std::string line = dynamic_cast<const core::ConfigError*>(&e) ? "" : "edgejoule: ";
  line += e.what();
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line + "\n";
}

// Loads the first of POINTS in this worker before any is forked, so that every child finds
// what loading keeps for the process (part files parsed, the weather's tables, the inference
// profile read from its cache) instead of reading it again; the scenario itself is
// discarded, and a point that fails to load fails again in its own child, with its message.
void warmUp(const std::string& scenarioFile, const nlohmann::json& points) {
  if (points.size() < 2) return;  // one child: nothing to share
  try {
    core::Overrides overrides;
    for (const auto& kv : points.at(0).at("values")) overrides[kv.at(0)] = kv.at(1);
    auto scenario = device::Scenario::load(scenarioFile, overrides);
    device::profileInferences(scenario);
  } catch (const std::exception&) {
    // the child reports it
  }
}

// Point P of a shard in a child of this worker, forked after the worker has started (the
// shared libraries are loaded and relocated once per worker, not once per point): the child
// loads the point, elaborates its node alone in a fresh SystemC kernel (the kernel cannot be
// restarted within a process, but a fork that has not elaborated one yet starts its own),
// runs and writes it, and ends without tearing the kernel down. A point's result is then
// exactly what `edgejoule run` gives. Adds the child's times to TIMES; false when it failed
// (its message is on stderr).
bool runPointForked(const std::string& scenarioFile, const nlohmann::json& p, ShardTimes& times) {
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) throw std::runtime_error("sweep-shard: pipe failed");
  std::fflush(nullptr);
  const pid_t parent = getpid();
  const double forkedAt = steadyNow();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("sweep-shard: fork failed");
  if (pid == 0) {
    close(pipeFds[0]);
    // Dies with the worker, as the worker dies with the runner: a killed sweep leaves no
    // point running to race its successor.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    double t[4] = {steadyNow() - forkedAt, 0, 0, 0};
    int code = 0;
    try {
      double t0 = steadyNow();
      core::Overrides overrides;
      for (const auto& kv : p.at("values")) overrides[kv.at(0)] = kv.at(1);
      auto scenario = device::Scenario::load(scenarioFile, overrides);
      device::profileInferences(scenario);
      t[1] = steadyNow() - t0;
      t0 = steadyNow();
      const auto result = device::simulate(scenario);
      t[2] = steadyNow() - t0;
      t0 = steadyNow();
      report::writeResults(p.at("dir").get<std::string>(), scenario, result);
      t[3] = steadyNow() - t0;
    } catch (const std::exception& e) {
      const std::string line = errorLine(e);
      [[maybe_unused]] const auto n = ::write(STDERR_FILENO, line.data(), line.size());
      code = 1;
    }
    [[maybe_unused]] const auto n = ::write(pipeFds[1], t, sizeof t);
    _exit(code);  // no teardown of the kernel: the process ends here
  }
  close(pipeFds[1]);
  double t[4] = {0, 0, 0, 0};
  std::size_t got = 0;
  while (got < sizeof t) {
    const ssize_t n = ::read(pipeFds[0], reinterpret_cast<char*>(t) + got, sizeof t - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(pipeFds[0]);
  const core::ChildExit exit = core::waitForChild(pid);
  if (got == sizeof t) {
    times.fork += t[0];
    times.load += t[1];
    times.simulate += t[2];
    times.write += t[3];
  }
  if (exit.signalled) {
    std::cerr << "edgejoule: killed by signal " << exit.code << "\n";
  }
  return exit.ok();
}

// The points of a shard side by side in one kernel (sweep --shard N): every point is loaded,
// all are elaborated together and simulated, and each point's folder is written.
void runPointsInOneKernel(const std::string& scenarioFile, const nlohmann::json& points,
                          ShardTimes& times) {
  double t0 = steadyNow();
  std::vector<std::unique_ptr<device::Scenario>> scenarios;
  std::vector<device::Scenario*> pointers;
  std::vector<std::string> names;
  for (const auto& p : points) {
    core::Overrides overrides;
    for (const auto& kv : p.at("values")) overrides[kv.at(0)] = kv.at(1);
    scenarios.push_back(
        std::make_unique<device::Scenario>(device::Scenario::load(scenarioFile, overrides)));
    pointers.push_back(scenarios.back().get());
    names.push_back(p.at("name"));
  }
  for (auto* s : pointers) device::profileInferences(*s);
  times.load = steadyNow() - t0;
  t0 = steadyNow();
  const auto results = device::simulateMany(pointers, names);
  times.simulate = steadyNow() - t0;
  t0 = steadyNow();
  for (std::size_t i = 0; i < results.size(); ++i) {
    report::writeResults(points[i].at("dir").get<std::string>(), *scenarios[i], results[i]);
  }
  times.write = steadyNow() - t0;
}

// The worker of a sweep: SHARD_FILE (written by runPoints) names the scenario and the
// points, each with its folder, node name and --set values. By default each point runs in a
// child forked from this worker, alone in its kernel, one after the other; with `one_kernel`
// (sweep --shard N) all are simulated side by side in one kernel. Each point's folder is
// written as a run would write it. The worker's times go to the shard's `times` file.
constexpr CommandInfo kSweepShardCommand{"sweep-shard", "Run a shard of a sweep (used by sweep)",
                                         /*hidden=*/true};
const CommandRegistrar kSweepShard(kSweepShardCommand, [](CLI::App* cmd, int& status) {
  auto file = std::make_shared<std::string>();
  cmd->add_option("shard", *file, "Shard file written by sweep")->required();
  cmd->callback([file, &status] {
    const double entered = steadyNow();
    std::ifstream in(*file);
    if (!in) throw UsageError(*file + ": cannot read");
    const auto shard = nlohmann::json::parse(in);
    const std::string scenarioFile = shard.at("scenario");
    ShardTimes times;
    times.start = entered - shard.value("started_at", entered);
    status = 0;
    if (shard.value("one_kernel", true)) {
      runPointsInOneKernel(scenarioFile, shard.at("points"), times);
    } else {
      warmUp(scenarioFile, shard.at("points"));
      for (const auto& p : shard.at("points")) {
        if (!runPointForked(scenarioFile, p, times)) status = 1;
      }
    }
    if (shard.contains("times")) {
      core::writeFileAtomically(shard.at("times").get<std::string>(),
                                nlohmann::json{{"points", shard.at("points").size()},
                                               {"start_s", times.start},
                                               {"fork_s", times.fork},
                                               {"load_s", times.load},
                                               {"simulate_s", times.simulate},
                                               {"write_s", times.write}}
                                        .dump() +
                                    "\n");
    }
  });
});

}  // namespace
}  // namespace ej::cli
