// The commands that edgejoule-models runs (model_commands.h), as this program registers them:
// each is listed in its help and hands the whole command line, unparsed, to edgejoule-models
// beside this program.
#include "sim/cli/model_commands.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "sim/cli/command.h"

namespace ej::cli {
namespace {

// Replaces this process with edgejoule-models, given the same arguments; throws only if it
// cannot be started.
[[noreturn]] void handOver() {
  const auto self = std::filesystem::read_symlink("/proc/self/exe");
  const std::string program = (self.parent_path() / kModelsProgramName).string();
  ::execv(program.c_str(), programArguments());
  throw std::runtime_error("cannot run " + program + ": " + std::strerror(errno));
}

void handedOver(CLI::App* cmd, int&) {
  cmd->prefix_command();  // every argument is edgejoule-models' to parse,
  cmd->set_help_flag();   // --help included
  cmd->callback([] { handOver(); });
}

const CommandRegistrar kTrain(kTrainCommand, handedOver);
const CommandRegistrar kPrune(kPruneCommand, handedOver);
const CommandRegistrar kZoo(kZooCommand, handedOver);

}  // namespace
}  // namespace ej::cli
