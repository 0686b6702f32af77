// Runs the edgejoule binary on good and bad scenarios.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace {
namespace fs = std::filesystem;

struct Outcome {
  int status;
  std::string stderrText;
};

// Runs `edgejoule ARGS` from the source folder, stdout discarded.
Outcome edgejoule(const std::string& args) {
  // ctest runs tests in parallel: every file a test uses carries its process id.
  const fs::path err = fs::temp_directory_path() / ("ej_cli_stderr_" + std::to_string(getpid()));
  const std::string cmd = std::string("cd ") + EJ_SOURCE_DIR + " && " + EJ_BINARY + " " + args +
                          " >/dev/null 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  std::ifstream in(err);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(err);
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, text};
}

class BadInputTest : public ::testing::Test {
 protected:
  const fs::path out =
      fs::temp_directory_path() / ("ej_cli_bad_input_out_" + std::to_string(getpid()));
  void SetUp() override { fs::remove_all(out); }
  // Expects one line that starts with WHERE and contains WHAT, status 2, no output.
  void expectRejected(const std::string& fixture, const std::string& where,
                      const std::string& what) {
    const auto r = edgejoule("run tests/cli/fixtures/" + fixture + " --out " + out.string());
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.stderrText.rfind(where, 0), 0u) << r.stderrText;
    EXPECT_NE(r.stderrText.find(what), std::string::npos) << r.stderrText;
    EXPECT_EQ(std::count(r.stderrText.begin(), r.stderrText.end(), '\n'), 1) << r.stderrText;
    EXPECT_FALSE(fs::exists(out));
  }
};

TEST_F(BadInputTest, WrongDimension) {
  expectRejected("wrong-dimension.yaml", "tests/cli/fixtures/wrong-dimension.yaml:6:15: ",
                 "node.battery.capacity: expected a charge (e.g. 2000 mAh), got '5 mA'");
}
TEST_F(BadInputTest, NegativeCapacity) {
  expectRejected("negative-capacity.yaml", "tests/cli/fixtures/negative-capacity.yaml:6:15: ",
                 "node.battery.capacity: must be greater than zero");
}
TEST_F(BadInputTest, NanVoltage) {
  expectRejected("nan-voltage.yaml", "tests/cli/fixtures/nan-voltage.yaml:7:14: ",
                 "node.battery.voltage: must be a finite number");
}
TEST_F(BadInputTest, UnknownKey) {
  expectRejected("unknown-key.yaml",
                 "tests/cli/fixtures/unknown-key.yaml:8:5: ", "capacty: unknown key");
}
TEST_F(BadInputTest, MissingKey) {
  expectRejected("missing-key.yaml",
                 "tests/cli/fixtures/missing-key.yaml:6:5: ", "node.battery.capacity: missing");
}
TEST_F(BadInputTest, MissingPartFile) {
  expectRejected("missing-part.yaml", "tests/cli/fixtures/missing-part.yaml:4:11: ",
                 "node.mcu.part: no such file 'hw/mcu/no-such-part.yaml'");
}
TEST_F(BadInputTest, MalformedYaml) {
  expectRejected("malformed.yaml", "tests/cli/fixtures/malformed.yaml:", "malformed YAML");
}
TEST_F(BadInputTest, MissingScenarioFile) {
  expectRejected("does-not-exist.yaml", "tests/cli/fixtures/does-not-exist.yaml: ", "no such file");
}
TEST_F(BadInputTest, InferenceOnAPartWithoutACore) {
  expectRejected("infer-generic-mcu.yaml", "tests/cli/fixtures/infer-generic-mcu.yaml:9:18: ",
                 "node.jobs.0.steps.0.infer: the MCU part names no core");
}
TEST_F(BadInputTest, BadOverride) {
  const auto r = edgejoule(
      "run scenarios/seed-paper-pir.yaml --set 'node.battery.capacity=3 V'"
      " --out " +
      out.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.stderrText,
            "--set node.battery.capacity: expected a charge (e.g. 2000 mAh), got '3 V'\n");
  EXPECT_FALSE(fs::exists(out));
}

// A failure during the simulation (here a load beyond the regulator's rating) is one line
// with the part's own message, not the kernel's wrapping, and leaves no results. The MCP1700
// fixture's radio draws 30.5 mA at 14 dBm (hw/radio/sx1276.yaml) against a 10 mA limit.
TEST_F(BadInputTest, OverloadDuringTheRunIsOneLine) {
  const auto r = edgejoule(
      "run tests/power/fixtures/regulator-mcp1700.yaml"
      " --set node.regulator.max_output_current=10mA --out " +
      out.string());
  EXPECT_EQ(r.status, 1);
  // Located like a load-time error, at the rating that was exceeded (here set by --set),
  // naming the instant and the part.
  EXPECT_EQ(r.stderrText.rfind("edgejoule: --set node.regulator.max_output_current: at t = ", 0),
            0u)
      << r.stderrText;
  EXPECT_NE(r.stderrText.find("MCP1700-3302E: load"), std::string::npos) << r.stderrText;
  EXPECT_NE(r.stderrText.find("exceeds its 10.0 mA"), std::string::npos) << r.stderrText;
  EXPECT_EQ(std::count(r.stderrText.begin(), r.stderrText.end(), '\n'), 1) << r.stderrText;
  EXPECT_FALSE(fs::exists(out));
}

TEST(CliTest, RunWritesResultsAndSetOverrides) {
  const fs::path out = fs::temp_directory_path() / ("ej_cli_run_out_" + std::to_string(getpid()));
  fs::remove_all(out);
  const auto r = edgejoule(
      "run scenarios/seed-paper-pir-solar.yaml --set horizon=10d"
      " --set 'node.mcu.states.active=60 mA' --out " +
      out.string());
  ASSERT_EQ(r.status, 0) << r.stderrText;
  for (const char* f : {"summary.json", "daily.csv", "timeseries.csv"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  std::ifstream in(out / "summary.json");
  const auto s = nlohmann::json::parse(in);
  // 2 h * 60 mA + 22 h * 5 mA = 230 mAh/day.
  EXPECT_NEAR(s["daily"]["consumed_mAh"].get<double>(), 230.0, 1e-6);
  EXPECT_NEAR(s["simulated_days"].get<double>(), 10.0, 1e-12);
  // daily.csv: a header and 10 days; timeseries.csv: hourly samples 0..240 h.
  std::ifstream daily(out / "daily.csv");
  EXPECT_EQ(std::count(std::istreambuf_iterator<char>(daily), {}, '\n'), 11);
  std::ifstream series(out / "timeseries.csv");
  EXPECT_EQ(std::count(std::istreambuf_iterator<char>(series), {}, '\n'), 1 + 241);
  fs::remove_all(out);
}

TEST(CliTest, PlotsIntoARelativeOutputFolder) {
  const std::string rel = "build/ej_cli_plot_test_" + std::to_string(getpid());
  const fs::path abs = fs::path(EJ_SOURCE_DIR) / rel;
  fs::remove_all(abs);
  const auto r = edgejoule("run scenarios/seed-paper-pir.yaml --plot --out " + rel);
  ASSERT_EQ(r.status, 0) << r.stderrText;
  EXPECT_TRUE(fs::exists(abs / "plots" / "battery.png"));
  EXPECT_TRUE(fs::exists(abs / "report.html"));
  fs::remove_all(abs);
}

TEST(CliTest, CheckValidatesWithoutWriting) {
  EXPECT_EQ(edgejoule("check scenarios/seed-paper-pir-solar.yaml").status, 0);
  EXPECT_EQ(edgejoule("check tests/cli/fixtures/unknown-key.yaml").status, 2);
}

}  // namespace
