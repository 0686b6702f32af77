// edgejoule: energy and deployment simulator for TinyML sensor nodes.
#include <fmt/format.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <systemc>

#include "sim/cli/command.h"
#include "sim/core/config.h"
#include "sim/core/io.h"
#include "sim/core/process.h"
#include "sim/nn/graph.h"
#include "sim/report/html_report.h"
#include "sim/report/plot.h"
#include "sim/report/sweep.h"
#include "sim/report/world.h"

namespace ej::cli {
namespace {
struct Registered {
  CommandInfo info;
  CommandSetup setup;
};

std::map<std::string, Registered>& registry() {
  static std::map<std::string, Registered> commands;
  return commands;
}

constexpr std::size_t kMaxErrorChars = 400;

char** gArguments = nullptr;
}  // namespace

char** programArguments() { return gArguments; }

std::string oneLine(std::string_view message) {
  std::string line(message.substr(0, kMaxErrorChars));
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (message.size() > kMaxErrorChars)
    line += fmt::format("... ({} characters in all)", message.size());
  return line;
}

unsigned workerCount(unsigned requested) {
  if (requested) return requested;
  if (report::World::get().size() > 1) return 1;
  return core::usableCpus();
}

void rethrowAsVary(const core::ConfigError& e, const std::string& suffix) {
  std::string what = e.what();
  if (what.rfind("--set ", 0) == 0) what = "--vary " + what.substr(6);
  throw UsageError(what + suffix);
}

void addStudyOptions(CLI::App& cmd, StudyArgs& args, const std::string& points,
                     const std::string& suffix, const std::string& jsonHelp) {
  cmd.add_option("scenario", args.file, "Scenario YAML file")->required();
  cmd.add_option("--set", args.sets, "key.path=value for every run (repeatable)");
  cmd.add_option(
      "-j,--jobs", args.workers,
      "Worker processes (default: the CPUs this process may use; 1 per rank under mpirun)");
  cmd.add_option("--shard", args.shard,
                 points +
                     " side by side in one kernel per worker (default: each in a "
                     "process of its own, forked from the worker)")
      ->check(CLI::Range(1, 1000));
  cmd.add_option("--out", args.out, "Folder (default: results/<scenario name>-" + suffix + ")");
  cmd.add_flag("--plot", args.plot, "Also draw the figures (plots/) and write report.html");
  cmd.add_flag("--json", args.json, jsonHelp);
}

void setStudyOptions(const StudyArgs& args, const std::string& suffix, report::StudyOptions& o) {
  if (args.plot) report::requireGnuplot();
  o.out = args.out.empty() ? "results/" + o.scenarioName + "-" + suffix : args.out;
  o.workers = workerCount(args.workers);
  o.shard = args.shard;
  o.program = std::filesystem::read_symlink("/proc/self/exe");
  o.progress = isatty(STDERR_FILENO) && !args.json;
}

std::filesystem::path drawStudy(const StudyArgs& args, const std::filesystem::path& dir,
                                report::PlotSet& plots) {
  if (!args.plot) return {};
  plots = report::plotResults(dir);
  return report::writeHtmlReport(dir, plots);
}

nlohmann::json phasesJson(const report::PointPhases& p, double gather_s) {
  nlohmann::json j = {{"points", p.points}, {"start", p.start},       {"fork", p.fork},
                      {"load", p.load},     {"simulate", p.simulate}, {"write", p.write}};
  if (gather_s >= 0) j["gather"] = gather_s;
  return j;
}

CommandRegistrar::CommandRegistrar(CommandInfo info, CommandSetup setup) {
  registry().emplace(info.name, Registered{info, std::move(setup)});
}

}  // namespace ej::cli

// The heap grown by 768 KiB at once, its pages written by the kernel in one call
// (MADV_POPULATE_WRITE, Linux 5.14) rather than one page fault each as the program first
// touches them: a seed year otherwise takes about 140 such faults after main, 10 us each on a
// PVM guest, where every fault traps to the hypervisor. The block is freed at once and stays
// in the heap (main sets the thresholds that keep it there), so the next allocations land on
// written pages.
// Measured: 351 -> 212 faults, seed year 16.18 -> 15.74 ms (200 interleaved runs;
// tests/bench/README.md, thirteenth pass). On an older kernel madvise fails, and nothing
// changes but the faults.
namespace {
void prefaultHeap() {
  constexpr std::size_t kBytes = 768 << 10;
  void* block = std::malloc(kBytes);
  if (block == nullptr) return;
  constexpr std::uintptr_t kPage = 4096;
  const auto first = (reinterpret_cast<std::uintptr_t>(block) + kPage - 1) & ~(kPage - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(block) + kBytes) & ~(kPage - 1);
  ::madvise(reinterpret_cast<void*>(first), end - first, MADV_POPULATE_WRITE);
  std::free(block);
}
}  // namespace

// main() is ours rather than the SystemC library's so that the kernel's banner, printed
// before sc_main runs, stays out of the program's output.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  // Memory freed is kept for the next allocation rather than handed back to the kernel: glibc
  // otherwise maps every block over its adaptive threshold (from 128 KiB) afresh and trims the
  // heap's top, and each page of new memory costs a fault. Gathering 300 Monte Carlo samples
  // (a table of 365 days parsed per sample) took 10,467 page faults and 243 ms with glibc's
  // defaults, 1,383 and 149 ms with these; a run's peak memory moves by 1 MB (100 years hourly,
  // 27.3 -> 28.3 MB). tests/bench/README.md, tenth pass.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  prefaultHeap();
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  ej::cli::gArguments = argv;
  const char* home = std::getenv("EDGEJOULE_HOME");
  ej::core::Config::setDataRoot(home ? home : EJ_SOURCE_DIR);
  CLI::App app{"edgejoule: battery life and energy balance of TinyML sensor nodes"};
  app.require_subcommand(1);
  // Answered by the launcher (launcher.cc) without starting this program; the same here.
  app.set_version_flag("--version", "edgejoule " EJ_VERSION);
  int status = 0;
  // Every command is listed; only the one named on the command line is set up.
  const std::string_view named = argc > 1 ? argv[1] : "";
  for (auto& [name, command] : ej::cli::registry()) {
    CLI::App* cmd = app.add_subcommand(name, command.info.description);
    if (command.info.hidden) cmd->group("");
    if (name == named) command.setup(cmd, status);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    // A missing or unknown option is bad input like any other: status 2 and one line (not
    // CLI11's own statuses, 106 for a missing option, 109 for an unexpected argument).
    std::cerr << "edgejoule: " << ej::cli::oneLine(e.what()) << " (--help lists the options)\n";
    return 2;
  } catch (const ej::core::ConfigError& e) {
    std::cerr << ej::cli::oneLine(e.what()) << "\n";
    return 2;
  } catch (const ej::cli::UsageError& e) {
    std::cerr << "edgejoule: " << ej::cli::oneLine(e.what()) << "\n";
    return 2;
  } catch (const ej::nn::ModelError& e) {
    std::cerr << "edgejoule: " << ej::cli::oneLine(e.what()) << "\n";
    return 2;
  } catch (const ej::core::OutputRefused& e) {
    std::cerr << "edgejoule: " << ej::cli::oneLine(e.what()) << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "edgejoule: " << ej::cli::oneLine(e.what()) << "\n";
    return 1;
  }
  return status;
}
