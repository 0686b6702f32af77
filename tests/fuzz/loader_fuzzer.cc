// libFuzzer target `loader`: the scenario loader with --set overrides, as `edgejoule check`
// runs it. The input is a scenario's YAML text; the lines after a line `#--set` (a YAML
// comment, so any scenario file is a valid input) are --set assignments, one KEY=VALUE a
// line. Loading validates only (device::profileInferences(), which emulates, is not called).
// A ConfigError is the expected refusal; any other exception, a crash, a sanitizer report
// or a hang is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "sim/core/config.h"
#include "sim/device/scenario.h"
#include "tests/fuzz/fuzz_scratch.h"

namespace {
namespace fs = std::filesystem;

constexpr std::string_view kSetSeparator = "#--set\n";

// EJ_FUZZ_PRINT=1: each input's outcome on stdout ("ok" or the error's one line), so that two
// builds can be compared on a whole corpus (tests/fuzz/README.md, "Comparing two builds").
bool printOutcome = false;

// Trace files that shipped scenarios name beside themselves (`trace: motion.csv`), linked
// into the scratch folder the scenario is written to.
void linkTraces() {
  const fs::path root = EJ_SOURCE_DIR;
  for (const char* folder : {"scenarios", "scenarios/variants", "tests/cli/fixtures"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root / folder, ec)) {
      if (entry.path().extension() != ".csv") continue;
      fs::create_symlink(entry.path(), ej::fuzz::scratchDir() / entry.path().filename(), ec);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  ej::core::Config::setDataRoot(EJ_SOURCE_DIR);
  linkTraces();
  const char* print = std::getenv("EJ_FUZZ_PRINT");
  printOutcome = print && std::string_view(print) == "1";
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = ej::fuzz::asText(data, size);
  std::string_view yaml = input, sets;
  if (input.rfind(kSetSeparator, 0) == 0) {
    yaml = {};
    sets = input.substr(kSetSeparator.size());
  } else if (const auto at = input.find("\n" + std::string(kSetSeparator));
             at != std::string_view::npos) {
    yaml = input.substr(0, at + 1);
    sets = input.substr(at + 1 + kSetSeparator.size());
  }
  ej::core::Overrides overrides;
  while (!sets.empty()) {
    const auto end = sets.find('\n');
    const std::string_view line = sets.substr(0, end);
    sets = end == std::string_view::npos ? std::string_view() : sets.substr(end + 1);
    if (line.empty()) continue;
    try {
      overrides.insert(ej::core::parseOverride(line));
    } catch (const ej::core::ConfigError& e) {
      if (printOutcome) std::printf("%s\n", e.what());
      return 0;  // the command line is refused before any file is read
    }
  }
  const fs::path file = ej::fuzz::writeScratch("scenario.yaml", yaml);
  try {
    (void)ej::device::Scenario::load(file, overrides);
    if (printOutcome) std::printf("ok\n");
  } catch (const ej::core::ConfigError& e) {
    if (printOutcome) std::printf("%s\n", e.what());
  }
  return 0;
}
