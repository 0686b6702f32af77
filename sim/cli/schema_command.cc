// `edgejoule schema`: the JSON Schema of scenario files (or the README's key table), made
// from the keys the readers read while loading a corpus of scenarios (see
// sim/core/schema.h and scenarios/README.md).
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "sim/cli/command.h"
#include "sim/core/config.h"
#include "sim/core/schema.h"
#include "sim/device/scenario.h"

namespace ej::cli {
namespace {
namespace fs = std::filesystem;

// The default corpus: every shipped scenario and every variant (they name together every
// part in hw/ and take every branch the loader has).
std::vector<fs::path> defaultCorpus() {
  std::vector<fs::path> files;
  for (const char* folder : {"scenarios", "scenarios/variants"}) {
    const fs::path dir = core::Config::dataRoot() / folder;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

constexpr CommandInfo kSchemaCommand{
    "schema",
    "Print the JSON Schema of scenario files (scenarios/edgejoule.schema.json), made from "
    "the keys the simulator reads while loading a corpus of scenarios"};
const CommandRegistrar registrar(kSchemaCommand, [](CLI::App* cmd, int& status) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto markdown = std::make_shared<bool>(false);
  cmd->add_option("corpus", *files,
                  "Scenario files to gather keys from (default: scenarios/*.yaml and "
                  "scenarios/variants/*.yaml)");
  cmd->add_flag("--markdown", *markdown,
                "Print the key table of scenarios/README.md (key, type, default, required)");
  cmd->callback([files, markdown, &status] {
    std::vector<fs::path> corpus(files->begin(), files->end());
    if (corpus.empty()) corpus = defaultCorpus();
    if (corpus.empty()) throw UsageError("schema: no scenario files to read");
    std::vector<std::vector<core::KeyRead>> reads;
    for (const auto& file : corpus) {
      core::ReadLog log;
      device::Scenario::load(file, {});
      reads.push_back(log.reads());
    }
    const auto keys = core::gatherSchema(reads);
    if (*markdown) {
      std::cout << "| key | type | default | required | meaning |\n|---|---|---|---|---|\n";
      for (const auto& row : core::markdownRows(keys)) std::cout << row << "  |\n";
    } else {
      std::cout << core::jsonSchema(keys).dump(2) << "\n";
    }
    status = 0;
  });
});

}  // namespace
}  // namespace ej::cli
