// The edgejoule program's subcommands. Each *_command.cc in this folder registers itself
// with a static CommandRegistrar; main() builds the CLI11 app from the registry.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>

#include "sim/core/config.h"

namespace ej::cli {

// A wrong command line: main() prints "edgejoule: <what>" and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Adds one subcommand to APP and sets its callback. The callback returns the exit status.
using CommandSetup = std::function<void(CLI::App& app, int& exitStatus)>;

// Worker processes for sweep, mc and sensitivity: REQUESTED (-j), else one per core, or one
// per MPI rank when started by mpirun (the ranks share the cores).
unsigned workerCount(unsigned requested);

// A --set error of a sampled or varied value, told as the user wrote it: `--vary KEY: ...`,
// with SUFFIX (e.g. " (in sample 0)") appended. Throws UsageError.
[[noreturn]] void rethrowAsVary(const core::ConfigError& e, const std::string& suffix = "");

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup);
};

}  // namespace ej::cli
