// `edgejoule run` and `edgejoule check`: simulate a scenario, or only validate it.
#include <fstream>
#include <iostream>
#include <memory>

#include "sim/cli/command.h"
#include "sim/core/io.h"
#include "sim/device/inference_steps.h"
#include "sim/device/scenario.h"
#include "sim/device/simulation.h"
#include "sim/report/html_report.h"
#include "sim/report/plot.h"
#include "sim/report/results_writer.h"

namespace ej::cli {
namespace {

struct ScenarioArgs {
  std::string file;
  std::vector<std::string> sets;

  void addTo(CLI::App& cmd) {
    cmd.add_option("scenario", file, "Scenario YAML file")->required();
    cmd.add_option("--set", sets, "Override a value: key.path=value (repeatable)");
  }
  device::Scenario load() const {
    core::Overrides overrides;
    for (const auto& s : sets) overrides.insert(core::parseOverride(s));
    return device::Scenario::load(file, overrides);
  }
};

constexpr CommandInfo kRunCommand{"run", "Simulate a scenario and write its results"};
const CommandRegistrar kRun(kRunCommand, [](CLI::App* cmd, int& status) {
  auto args = std::make_shared<ScenarioArgs>();
  auto out = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto plot = std::make_shared<bool>(false);
  auto vcd = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  args->addTo(*cmd);
  cmd->add_option("--out", *out,
                  "Output folder (default: results/<scenario name>); replaced only if edgejoule "
                  "wrote it");
  cmd->add_flag("--force", *force,
                "Replace --out even if edgejoule did not write it (never the working folder, "
                "an ancestor of it, or the home folder)");
  cmd->add_flag("-q,--quiet", *quiet, "Print nothing but errors");
  cmd->add_flag("--plot", *plot, "Also draw the figures (plots/) and report.html");
  cmd->add_option("--vcd", *vcd,
                  "Write a SystemC VCD trace (power states, currents, state of charge) to FILE "
                  "(.vcd appended if missing)");
  cmd->callback([args, out, quiet, plot, vcd, force, &status] {
    auto scenario = args->load();
    if (*plot) report::requireGnuplot();
    const std::filesystem::path dir = out->empty() ? "results/" + scenario.name : *out;
    // Refused before the run, not after it: a long run is not wasted on a wrong --out.
    core::checkOutputTarget(dir, *force);
    if (!vcd->empty()) {
      // The kernel opens the trace only once running and fails in several lines: check now.
      std::filesystem::path file = *vcd;
      if (file.extension() != ".vcd") file += ".vcd";
      if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
      if (!std::ofstream(file)) throw UsageError("--vcd " + file.string() + ": cannot write");
    }
    device::profileInferences(scenario);
    const auto result = device::simulate(scenario, *vcd);
    report::writeResults(dir, scenario, result, {*force}, [&](const std::filesystem::path& temp) {
      if (*plot) report::writeHtmlReport(temp, report::plotRun(temp), dir);
    });
    if (!*quiet) {
      std::cout << report::humanSummary(report::summarize(scenario, result)) << "  results in "
                << dir.string() << "/\n";
    }
    status = 0;
  });
});

constexpr CommandInfo kCheckCommand{"check", "Validate a scenario without running it"};
const CommandRegistrar kCheck(kCheckCommand, [](CLI::App* cmd, int& status) {
  auto args = std::make_shared<ScenarioArgs>();
  args->addTo(*cmd);
  cmd->callback([args, &status] {
    const auto scenario = args->load();
    std::cout << args->file << ": ok (" << scenario.name << ")\n";
    status = 0;
  });
});

}  // namespace
}  // namespace ej::cli
