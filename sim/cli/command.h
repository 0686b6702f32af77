// The edgejoule program's subcommands. Each *_command.cc in this folder registers itself
// with a static CommandRegistrar; main() builds the CLI11 app from the registry.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>

namespace ej::cli {

// A wrong command line: main() prints "edgejoule: <what>" and exits with status 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Adds one subcommand to APP and sets its callback. The callback returns the exit status.
using CommandSetup = std::function<void(CLI::App& app, int& exitStatus)>;

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup);
};

}  // namespace ej::cli
