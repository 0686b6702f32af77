// Every shipped scenario against its stored outputs (tests/scenarios/golden/<name>/): the
// figures of summary.json, daily.csv and timeseries.csv may not move unless the model
// changes on purpose (then tools/regenerate-golden rewrites them, and the commit says why).
// A refactoring, a speed-up or a new output must leave them as they are.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/device/inference_steps.h"
#include "sim/device/scenario.h"
#include "sim/device/simulation.h"
#include "sim/report/plot_data.h"
#include "sim/report/results_writer.h"

namespace ej {
namespace {
namespace fs = std::filesystem;

const fs::path kSource = EJ_SOURCE_DIR;

// Relative 1e-9: the outputs are printed with 9 significant digits, so a value that moved
// by more than rounding in the last digit fails. Zero and tiny values (a state never
// entered, a net of a few nC) compare with an absolute 1e-12 instead.
bool close(double a, double b) {
  return std::abs(a - b) <= std::max(1e-12, 1e-9 * std::max(std::abs(a), std::abs(b)));
}

std::optional<double> asNumber(const std::string& cell) {
  if (cell.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size()) return std::nullopt;
  return v;
}

// Compares two JSON documents value by value; `simulation` (the kernel's own costs: events,
// delta cycles, wall time) is left out, as it measures the program, not the node.
void compareJson(const nlohmann::json& want, const nlohmann::json& got, const std::string& path) {
  if (path == "simulation") return;
  if (want.is_number() && got.is_number()) {
    EXPECT_TRUE(close(want.get<double>(), got.get<double>()))
        << path << ": stored " << want << ", now " << got;
    return;
  }
  ASSERT_EQ(want.type(), got.type()) << path << ": stored " << want << ", now " << got;
  if (want.is_object()) {
    for (const auto& [k, v] : want.items()) {
      if (k == "simulation") continue;
      ASSERT_TRUE(got.contains(k)) << path << "." << k << ": missing now";
      compareJson(v, got[k], path.empty() ? k : path + "." + k);
    }
    for (const auto& [k, v] : got.items()) {
      EXPECT_TRUE(want.contains(k)) << (path.empty() ? k : path + "." + k)
                                    << ": new key (regenerate the golden files on purpose)";
    }
  } else if (want.is_array()) {
    ASSERT_EQ(want.size(), got.size()) << path;
    for (std::size_t i = 0; i < want.size(); ++i) {
      compareJson(want[i], got[i], path + "." + std::to_string(i));
    }
  } else {
    EXPECT_EQ(want, got) << path;
  }
}

// Compares the stored rows of a CSV file with the same rows now. The stored file may keep
// only every n-th row of a long time series (its first line then reads `# every N rows`).
void compareCsv(const fs::path& stored, const fs::path& now) {
  std::ifstream want(stored), got(now);
  ASSERT_TRUE(want && got) << stored << " / " << now;
  std::string wantLine, gotLine;
  std::size_t every = 1;
  std::getline(want, wantLine);
  if (wantLine.rfind("# every ", 0) == 0) {
    every = std::stoul(wantLine.substr(8));
    std::getline(want, wantLine);
  }
  std::getline(got, gotLine);
  EXPECT_EQ(wantLine, gotLine) << stored << ": header";
  std::vector<std::string> gotRows;
  while (std::getline(got, gotLine)) gotRows.push_back(gotLine);
  std::size_t row = 0, compared = 0;
  while (std::getline(want, wantLine)) {
    const auto comma = wantLine.find(',');
    ASSERT_NE(comma, std::string::npos);
    // The stored line names its row number first (`N,` + the row), so gaps are explicit.
    row = std::stoul(wantLine.substr(0, comma));
    const std::string wantRow = wantLine.substr(comma + 1);
    ASSERT_LT(row, gotRows.size()) << stored << ": row " << row << " missing now";
    std::stringstream a(wantRow), b(gotRows[row]);
    std::string x, y;
    while (std::getline(a, x, ',')) {
      ASSERT_TRUE(std::getline(b, y, ',')) << stored << " row " << row;
      const auto nx = asNumber(x), ny = asNumber(y);
      if (nx && ny) {
        EXPECT_TRUE(close(*nx, *ny)) << stored << " row " << row << ": " << x << " vs " << y;
      } else {
        EXPECT_EQ(x, y) << stored << " row " << row;
      }
    }
    ++compared;
  }
  EXPECT_GT(compared, 0u) << stored;
  if (every == 1) {
    EXPECT_EQ(compared, gotRows.size()) << stored << ": row count";
  }
}

std::vector<std::string> shippedScenarios() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kSource / "scenarios")) {
    if (e.path().extension() == ".yaml") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, OutputsEqualTheStoredOnes) {
  const std::string name = GetParam();
  const fs::path golden = kSource / "tests/scenarios/golden" / name;
  ASSERT_TRUE(fs::exists(golden / "summary.json"))
      << golden << ": no stored outputs; run tools/regenerate-golden";
  core::Config::setDataRoot(kSource);
  // Loaded as the golden files were made: from the source folder, by a relative path
  // (summary.json records it).
  auto scenario = device::Scenario::load(fs::path("scenarios") / (name + ".yaml"));
  device::profileInferences(scenario);
  const auto result = device::simulate(scenario);
  const fs::path out =
      fs::temp_directory_path() / ("ej-golden-" + name + "-" + std::to_string(::getpid()));
  report::writeResults(out, scenario, result);
  std::ifstream storedSummary(golden / "summary.json"), summary(out / "summary.json");
  compareJson(nlohmann::json::parse(storedSummary), nlohmann::json::parse(summary), "");
  compareCsv(golden / "daily.csv", out / "daily.csv");
  compareCsv(golden / "timeseries.csv", out / "timeseries.csv");
  fs::remove_all(out);
}

INSTANTIATE_TEST_SUITE_P(Shipped, GoldenTest, ::testing::ValuesIn(shippedScenarios()),
                         [](const auto& param) {
                           std::string n = param.param;
                           for (auto& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace ej
