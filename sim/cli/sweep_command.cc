// `edgejoule sweep SCENARIO --set key=v1,v2,... [--zip] [-j N] [--out DIR]`: many runs, one
// table (sweep.csv), each point an ordinary run in its own process.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "sim/cli/command.h"
#include "sim/device/scenario.h"
#include "sim/report/html_report.h"
#include "sim/report/plot.h"
#include "sim/report/sweep.h"

namespace ej::cli {
namespace {

struct SweepArgs {
  std::string file;
  std::vector<std::string> sets;
  bool zip = false;
  unsigned workers = 0;
  std::string out;
  bool plot = false;
  bool json = false;
};

const CommandRegistrar kSweep("sweep", [](CLI::App& app, int& status) {
  auto args = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand(
      "sweep", "Run a scenario over a grid of values and gather the results in sweep.csv");
  cmd->add_option("scenario", args->file, "Scenario YAML file")->required();
  cmd->add_option("--set", args->sets,
                  "key.path=v1,v2,... (repeatable; a comma inside a value: \\,)")
      ->required();
  cmd->add_flag("--zip", args->zip,
                "Pair the lists' values (i-th with i-th), not every combination");
  cmd->add_option("-j,--jobs", args->workers, "Worker processes (default: the cores)");
  cmd->add_option("--out", args->out, "Sweep folder (default: results/<scenario name>-sweep)");
  cmd->add_flag("--plot", args->plot, "Also draw the figures (plots/) and report.html");
  cmd->add_flag("--json", args->json, "Print the outcome as JSON");
  cmd->callback([args, &status] {
    report::SweepOptions o;
    try {
      for (const auto& s : args->sets) o.sets.push_back(report::parseSweepSet(s));
      o.zip = args->zip;
      const auto points = report::sweepPoints(o.sets, o.zip);
      // Every point is checked before any runs: a bad value stops the sweep at once.
      for (const auto& p : points) {
        core::Overrides overrides;
        for (const auto& [k, v] : p.values) overrides[k] = v;
        const auto scenario = device::Scenario::load(args->file, overrides);
        if (o.scenarioName.empty()) o.scenarioName = scenario.name;
      }
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    if (args->plot) report::requireGnuplot();
    o.scenario = args->file;
    o.out = args->out.empty() ? "results/" + o.scenarioName + "-sweep" : args->out;
    o.workers = args->workers ? args->workers : std::max(1u, std::thread::hardware_concurrency());
    o.program = std::filesystem::read_symlink("/proc/self/exe");
    o.progress = isatty(STDERR_FILENO) && !args->json;
    const auto r = report::runSweep(o);
    std::filesystem::path html;
    if (args->plot) html = report::writeHtmlReport(o.out, report::plotSweep(o.out));
    if (args->json) {
      std::cout << nlohmann::json{{"points", r.points},
                                  {"already_done", r.alreadyDone},
                                  {"ran", r.ran},
                                  {"workers", o.workers},
                                  {"wall_time_s", r.wall_s},
                                  {"csv", r.csv.string()},
                                  {"report", html.string()}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "sweep: " << r.points << " points (" << r.alreadyDone << " already done, "
                << r.ran << " run now with " << o.workers << " workers) in " << r.wall_s << " s\n  "
                << r.csv.string() << "\n";
      if (!html.empty()) std::cout << "  " << html.string() << "\n";
    }
    status = 0;
  });
});

}  // namespace
}  // namespace ej::cli
