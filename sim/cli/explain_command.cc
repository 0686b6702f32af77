// `edgejoule explain SCENARIO [--set ...]`: the fully resolved scenario, one key a line,
// with where each value came from: the scenario's line, a part file's line, a default, or
// --set.
#include <fmt/format.h>

#include <iostream>
#include <memory>
#include <set>

#include "sim/cli/command.h"
#include "sim/core/config.h"
#include "sim/device/scenario.h"

namespace ej::cli {
namespace {

constexpr CommandInfo kExplainCommand{
    "explain",
    "Print the resolved scenario: every value read, parts merged, defaults filled, and "
    "where each came from (file:line, part file:line, default, --set)"};
const CommandRegistrar registrar(kExplainCommand, [](CLI::App* cmd, int& status) {
  auto file = std::make_shared<std::string>();
  auto sets = std::make_shared<std::vector<std::string>>();
  cmd->add_option("scenario", *file, "Scenario YAML file")->required();
  cmd->add_option("--set", *sets, "Override a value: key.path=value (repeatable)");
  cmd->callback([file, sets, &status] {
    core::Overrides overrides;
    for (const auto& s : *sets) overrides.insert(core::parseOverride(s));
    core::ReadLog log;
    device::Scenario::load(*file, overrides);
    // One line per key, at its first read (a key read twice holds the same value).
    std::vector<const core::KeyRead*> lines;
    std::set<std::string> seen;
    std::size_t width = 0;
    for (const auto& read : log.reads()) {
      if (read.kind == "mapping" || read.kind == "list" || read.kind == "names") continue;
      if (!read.value || !seen.insert(read.path).second) continue;
      lines.push_back(&read);
      width = std::max(width, read.path.size());
    }
    std::size_t fromFile = 0, fromPart = 0, defaults = 0, fromSet = 0;
    for (const auto* read : lines) {
      const bool isDefault = read->origin == "default";
      const bool isSet = read->origin == "--set";
      fromFile += !isDefault && !isSet && !read->fromPart;
      fromPart += read->fromPart;
      defaults += isDefault;
      fromSet += isSet;
    }
    std::cout << fmt::format(
        "# {}: {} values; {} from the scenario, {} from part files, {} defaults, {} --set\n", *file,
        lines.size(), fromFile, fromPart, defaults, fromSet);
    for (const auto* read : lines) {
      const std::string where = read->fromPart ? read->origin + " (part)" : read->origin;
      std::cout << fmt::format("{:<{}}  {:<24}  {}\n", read->path, width, *read->value, where);
    }
    status = 0;
  });
});

}  // namespace
}  // namespace ej::cli
