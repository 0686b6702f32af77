// The edgejoule program's subcommands. Each *_command.cc in this folder registers itself
// with a static CommandRegistrar; main() builds the CLI11 app from the registry.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/config.h"

namespace ej::report {
struct StudyOptions;
struct PointPhases;
struct PlotSet;
}  // namespace ej::report

namespace ej::cli {

// A wrong command line: main() prints "edgejoule: <what>" and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An error as printed: one line (newlines become spaces) of at most 400 characters, a longer
// message cut there and its full length named.
std::string oneLine(std::string_view message);

// A subcommand as the help lists it. main() adds every registered one to the app, but sets up
// only the one named on the command line (its options and callback): setting up all of them
// took 0.65 ms of every start (tests/bench/README.md, twelfth pass).
struct CommandInfo {
  const char* name;
  const char* description;
  bool hidden = false;  // left out of the help: not a user command
};

// Adds the options of the subcommand CMD and sets its callback, which sets the exit status.
using CommandSetup = std::function<void(CLI::App* cmd, int& exitStatus)>;

// Worker processes for sweep, mc and sensitivity: REQUESTED (-j), else one per core, or one
// per MPI rank when started by mpirun (the ranks share the cores).
unsigned workerCount(unsigned requested);

// A --set error of a sampled or varied value, told as the user wrote it: `--vary KEY: ...`,
// with SUFFIX (e.g. " (in sample 0)") appended. Throws UsageError.
[[noreturn]] void rethrowAsVary(const core::ConfigError& e, const std::string& suffix = "");

// The arguments `mc` and `sensitivity` share.
struct StudyArgs {
  std::string file;
  std::vector<std::string> sets;
  unsigned workers = 0;
  std::size_t shard = 0;
  std::string out;
  bool plot = false;
  bool json = false;
};

// Adds the scenario, --set, -j, --shard, --out, --plot and --json to CMD. POINTS names what a
// worker simulates ("Samples"), SUFFIX ends --out's default folder (results/<name>-SUFFIX),
// JSON_HELP says what --json prints.
void addStudyOptions(CLI::App& cmd, StudyArgs& args, const std::string& points,
                     const std::string& suffix, const std::string& jsonHelp);

// O's shared options from ARGS, its scenario name already set: the folder, the workers, the
// program, the progress bar. With --plot, first checks that gnuplot is there.
void setStudyOptions(const StudyArgs& args, const std::string& suffix, report::StudyOptions& o);

// With --plot in ARGS: draws DIR's figures into PLOTS (report::plotResults) and writes its
// report.html, whose path it returns; without: nothing, and an empty path.
std::filesystem::path drawStudy(const StudyArgs& args, const std::filesystem::path& dir,
                                report::PlotSet& plots);

// The --json object of where a study's time went (report::PointPhases, seconds summed over
// the points run now), with GATHER_S (writing the tables) when not negative.
nlohmann::json phasesJson(const report::PointPhases& phases, double gather_s = -1);

// The program's arguments as main() received them, for a command that hands the whole command
// line to another program (model_commands.cc).
char** programArguments();

struct CommandRegistrar {
  CommandRegistrar(CommandInfo info, CommandSetup setup);
};

}  // namespace ej::cli
