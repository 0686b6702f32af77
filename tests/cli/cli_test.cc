// Runs the edgejoule binary on good and bad scenarios.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/asan_build.h"

namespace {
namespace fs = std::filesystem;

struct Outcome {
  int status;
  std::string stderrText;
};

// Runs `edgejoule ARGS` from the source folder, stdout discarded.
// ENV, if given, is prefixed to the command (`NAME=value `).
Outcome edgejoule(const std::string& args, const std::string& env = "") {
  // ctest runs tests in parallel: every file a test uses carries its process id.
  const fs::path err = fs::temp_directory_path() / ("ej_cli_stderr_" + std::to_string(getpid()));
  const std::string cmd = std::string("cd ") + EJ_SOURCE_DIR + " && " + env + EJ_BINARY + " " +
                          args + " >/dev/null 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  std::ifstream in(err);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(err);
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, text};
}

#ifdef EJ_STATIC_CXX_PROGRAM
// edgejoule-commands maps no shared C++ runtime at start (about 2 ms of every run here;
// sim/cli/CMakeLists.txt): the dynamic loader's own list of what it would map, read without
// running the program (LD_TRACE_LOADED_OBJECTS, what ldd uses). Linked as before 2026-12-04,
// with Debian's shared fmt and simdjson and the shared runtime, the list held all four below.
TEST(StartUpTest, TheProgramMapsNoSharedCxxRuntime) {
  const std::string cmd = std::string("LD_TRACE_LOADED_OBJECTS=1 ") + EJ_STATIC_CXX_PROGRAM;
  std::FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string maps;
  std::array<char, 512> chunk{};
  while (std::fgets(chunk.data(), chunk.size(), pipe) != nullptr) maps += chunk.data();
  ASSERT_EQ(pclose(pipe), 0) << maps;
  EXPECT_NE(maps.find("libc.so.6"), std::string::npos) << maps;
  for (const char* shared : {"libstdc++", "libgcc_s", "libfmt", "libsimdjson"}) {
    EXPECT_EQ(maps.find(shared), std::string::npos) << shared << " in:\n" << maps;
  }
}
#endif

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

// Every command, the calculators included, gives status 2 and one line for a missing or
// unexpected option (README, "Exit statuses"); CLI11 itself would exit 106 and 109 with two
// lines.
TEST(CommandLineTest, MissingOrUnknownOptionIsBadInput) {
  for (const std::string args : {"airtime --sf 9", "radio --radio hw/radio/sx1276.yaml",
                                 "sun --lon 3", "infer --mcu hw/mcu/nrf52840.yaml", "check",
                                 "check scenarios/seed-paper-pir.yaml --bogus"}) {
    const auto r = edgejoule(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_EQ(r.stderrText.rfind("edgejoule: ", 0), 0u) << r.stderrText;
    EXPECT_EQ(std::count(r.stderrText.begin(), r.stderrText.end(), '\n'), 1) << r.stderrText;
  }
  EXPECT_EQ(edgejoule("radio --radio hw/radio/sx1276.yaml").stderrText,
            "edgejoule: --payload is required (--help lists the options)\n");
  EXPECT_EQ(edgejoule("airtime --help").status, 0);
}

// Issue 18: a model refused by the size checks (its lower bounds, before calibration and
// emulation) exited 2, as bad input, where README's table gives 3 to a model that does not
// fit; the one line names every shortfall, SRAM and flash.
TEST(CommandLineTest, InferModelThatDoesNotFitExitsThreeNamingEveryShortfall) {
  const fs::path mcu =
      fs::temp_directory_path() / ("ej_cli_tiny_mcu_" + std::to_string(getpid()) + ".yaml");
  std::ofstream(mcu) << "part: hw/mcu/stm32l476.yaml\nsram_bytes: 2048\nflash_bytes: 16384\n";
  for (const std::string json : {"", " --json"}) {
    const auto r = edgejoule("infer --model models/lenet5-dense.onnx --backend analytic --mcu " +
                             mcu.string() + json);
    EXPECT_EQ(r.status, 3) << r.stderrText;
    EXPECT_EQ(
        r.stderrText.rfind("edgejoule: models/lenet5-dense.onnx: does not fit ST STM32L476RG: ", 0),
        0u)
        << r.stderrText;
    // The lower bound is LeNet-5's first pooling layer, its 24x24x6 int8 input and 12x12x6
    // output held at once: 3,456 + 864 = 4,320 B. Flash: its weights alone (tens of kB)
    // exceed 16 KiB; the exact sum includes the kernels' code, so only the limit is checked.
    EXPECT_NE(r.stderrText.find("activations need at least 4320 B of SRAM, it has 2048 B; "),
              std::string::npos)
        << r.stderrText;
    EXPECT_NE(r.stderrText.find("B of flash, it has 16384 B\n"), std::string::npos) << r.stderrText;
    EXPECT_EQ(std::count(r.stderrText.begin(), r.stderrText.end(), '\n'), 1) << r.stderrText;
  }
  fs::remove(mcu);
}

// Issue 18: `prune --from` (and `--teacher`) with a file that is not a LeNet-5 model ended
// with status 1, as an internal error, where `infer` gives 2 for a bad model (README, Exit
// statuses). The file is refused before the data set is loaded.
TEST(CommandLineTest, TrainingFromABadModelIsBadInput) {
  const fs::path bad =
      fs::temp_directory_path() / ("ej_cli_bad_model_" + std::to_string(getpid()) + ".onnx");
  std::ofstream(bad) << "not a model\n";
  const fs::path out =
      fs::temp_directory_path() / ("ej_cli_pruned_" + std::to_string(getpid()) + ".onnx");
  const auto infer = edgejoule("infer --mcu hw/mcu/stm32l476.yaml --model " + bad.string());
  EXPECT_EQ(infer.status, 2) << infer.stderrText;
  EXPECT_EQ(infer.stderrText, "edgejoule: " + bad.string() + ": not an ONNX model\n");
  const auto prune = edgejoule("prune --method s --target-params 1000 --from " + bad.string() +
                               " --out " + out.string());
  EXPECT_EQ(prune.status, 2) << prune.stderrText;
  EXPECT_EQ(prune.stderrText, "edgejoule: --from " + bad.string() + ": not an ONNX model\n");
  // A real model of another network: bad input too, and named.
  const auto other = edgejoule(
      "prune --method magnitude --target-params 1000 --from models/resnet8-cifar10.onnx --out " +
      out.string());
  EXPECT_EQ(other.status, 2) << other.stderrText;
  EXPECT_EQ(other.stderrText.rfind("edgejoule: --from models/resnet8-cifar10.onnx: expected the "
                                   "layers Conv, Conv, Gemm, Gemm, Gemm",
                                   0),
            0u)
      << other.stderrText;
  const auto teacher = edgejoule("train --teacher " + bad.string() + " --out " + out.string());
  EXPECT_EQ(teacher.status, 2) << teacher.stderrText;
  EXPECT_EQ(teacher.stderrText, "edgejoule: --teacher " + bad.string() + ": not an ONNX model\n");
  EXPECT_FALSE(fs::exists(out));
  fs::remove(bad);
}

// Issue 18: `trace: /dev/zero` was refused naming only the file, and as a path from the
// working folder ("../../../dev/zero: cannot read: Operation not supported"): now the
// scenario's line and key first, then the trace's own problem, as for a weather file.
TEST(CommandLineTest, MotionTraceThatIsNoFileNamesTheKey) {
  const auto r = edgejoule("check tests/fuzz/regressions/loader/issue19-trace-dev-zero.yaml");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.stderrText,
            "tests/fuzz/regressions/loader/issue19-trace-dev-zero.yaml:14:14: "
            "node.pir.motion.trace: /dev/zero: not a regular file (a CSV input must be one)\n");
}

TEST_F(BadInputTest, BadWeatherRowIsLocated) {
  // A weather trace row written with ';' (line 7 of the CSV): the scenario's key, then the
  // CSV's FILE:LINE, exit 2, nothing written.
  expectRejected("bad-weather-row.yaml", "tests/cli/fixtures/bad-weather-row.yaml:18:13: ",
                 "node.harvester.weather.file: " + std::string(EJ_SOURCE_DIR) +
                     "/tests/cli/fixtures/bad-weather-row.csv:7: 1 column where the header "
                     "(line 1) has 3; the row uses ';' where CSV separates with ','");
}

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
  expectRejected("unknown-key.yaml", "tests/cli/fixtures/unknown-key.yaml:8:5: ",
                 "node.battery.capacty: unknown key (not used by this scenario), did you mean "
                 "`capacity`?");
}
// A misspelt required key is reported at its own line, not as the key it should have been.
TEST_F(BadInputTest, MisspeltRequiredKey) {
  expectRejected("typo-required-key.yaml", "tests/cli/fixtures/typo-required-key.yaml:11:5: ",
                 "node.pir.quiescnt: unknown key, did you mean `quiescent`? (it is required)");
}
// `prat:` for `part:` leaves the part's keys missing: the typo is what is reported.
TEST_F(BadInputTest, MisspeltPart) {
  expectRejected("typo-part.yaml", "tests/cli/fixtures/typo-part.yaml:49:5: ",
                 "node.battery.prat: unknown key, did you mean `part`?");
}
TEST_F(BadInputTest, MisspeltOptionalKey) {
  expectRejected("typo-optional-key.yaml", "tests/cli/fixtures/typo-optional-key.yaml:21:5: ",
                 "node.radio.confirmd: unknown key (not used by this scenario), did you mean "
                 "`confirmed`?");
}
TEST_F(BadInputTest, DuplicatedKey) {
  expectRejected("duplicated-key.yaml", "tests/cli/fixtures/duplicated-key.yaml:13:5: ",
                 "node.pir.hold: given twice, at lines 12 and 13");
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
  auto r = edgejoule(
      "run tests/power/fixtures/regulator-mcp1700.yaml"
      " --set node.regulator.max_output_current=10mA --out " +
      out.string());
  r.stderrText = withoutAsanStackSwitchWarning(r.stderrText);
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

// Issue 19: durations past the clock, sources of events without a bound, unbounded files.
class BoundedEventsTest : public BadInputTest {
 protected:
  // Expects `run bounded-events.yaml --set SET` refused with exactly MESSAGE, in well under
  // the time the run would take (it used to hang).
  void expectSetRefused(const std::string& set, const std::string& message) {
    const auto r = edgejoule("run tests/cli/fixtures/bounded-events.yaml --set '" + set +
                             "' --out " + out.string());
    EXPECT_EQ(r.status, 2) << set;
    EXPECT_EQ(r.stderrText, message + "\n");
    EXPECT_FALSE(fs::exists(out));
  }
};

TEST_F(BoundedEventsTest, DurationPastTheClockIsRefused) {
  // 2^64 ns + 3 s used to wrap to a job every 3 s; 1e300 s used to hang.
  expectSetRefused("node.jobs.1.every=18446744076.709551616 s",
                   "--set node.jobs.1.every: at most 500 years (the longest horizon a run may "
                   "have)");
  expectSetRefused("node.jobs.1.every=1e300 s",
                   "--set node.jobs.1.every: at most 500 years (the longest horizon a run may "
                   "have)");
}

TEST_F(BoundedEventsTest, SourcesOfEventsAreBoundedOverTheHorizon) {
  // Each used to run without end even over this 1-day horizon. 86,400 s / 1e8 = 864 us;
  // 86,400 s / 1e7 rows = 8.64 ms; 1e8 / 86,400 s = 1157 /s.
  expectSetRefused("node.jobs.1.every=1 ns",
                   "--set node.jobs.1.every: gives 8.64e+13 runs over the 1 d horizon, more than "
                   "the 1e+08 a run may hold: at least 864 us for this horizon");
  expectSetRefused("output.timeseries_interval=1 ns",
                   "--set output.timeseries_interval: gives 8.64e+13 rows over the 1 d horizon, "
                   "more than the 1e+07 a run may hold: at least 8.64 ms for this horizon");
  expectSetRefused("node.pir.motion.poisson.rate=1e9 /s",
                   "--set node.pir.motion.poisson.rate: gives about 8.64e+13 motion events over "
                   "the 1 d horizon, more than the 1e+08 a run may hold: at most 1157 /s for "
                   "this horizon");
}

TEST_F(BoundedEventsTest, MotionTraceRowPastTheClockIsRefused) {
  // The trace's row 3 is 2^64 ns + 3 s: it used to fire at t = 3 s. The file is named as
  // resolved (absolute), so only its tail is checked.
  const auto r =
      edgejoule("run tests/cli/fixtures/trace-past-the-clock.yaml --out " + out.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.stderrText.find("tests/cli/fixtures/trace-past-the-clock.csv:3:1: "
                              "'18446744076.709551616' is not a number of seconds at or after "
                              "the run's start (within the longest horizon, 500 years)\n"),
            std::string::npos)
      << r.stderrText;
  EXPECT_EQ(std::count(r.stderrText.begin(), r.stderrText.end(), '\n'), 1) << r.stderrText;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(BoundedEventsTest, PartFromDevZeroIsRefusedAtItsLimit) {
  // /dev/zero used to be read without end (4 GB in 30 s).
  const auto r =
      edgejoule("run tests/cli/fixtures/bounded-events.yaml --set node.mcu.part=/dev/zero --out " +
                out.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.stderrText.find("YAML file is larger than 4 MB"), std::string::npos) << r.stderrText;
  EXPECT_EQ(std::count(r.stderrText.begin(), r.stderrText.end(), '\n'), 1) << r.stderrText;
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

// `check` validates a scenario with an infer step without emulating it: with an empty
// profile cache, nothing is written there (a profile or an accuracy would be).
TEST(CliTest, CheckNeverEmulates) {
  const fs::path cache = fs::temp_directory_path() / ("ej_cli_cache_" + std::to_string(getpid()));
  fs::remove_all(cache);
  fs::create_directories(cache);
  const auto r =
      edgejoule("check scenarios/reference-node.yaml", "XDG_CACHE_HOME=" + cache.string() + " ");
  EXPECT_EQ(r.status, 0) << r.stderrText;
  EXPECT_TRUE(fs::is_empty(cache));
  fs::remove_all(cache);
}

}  // namespace

namespace {

// `--out` replaces only a folder edgejoule wrote (issue "nothing lost"): each case is run from
// a scratch working folder holding a file that must survive.
class OutputSafetyTest : public ::testing::Test {
 protected:
  const fs::path work = fs::temp_directory_path() / ("ej_cli_out_" + std::to_string(getpid()));
  void SetUp() override {
    fs::remove_all(work);
    fs::create_directories(work / "s");
    std::ofstream(work / "s/k") << "keep\n";
  }
  void TearDown() override { fs::remove_all(work); }
  Outcome runFrom(const fs::path& cwd, const std::string& args) {
    const fs::path err = work / "stderr";
    const std::string cmd =
        "cd " + cwd.string() + " && EDGEJOULE_HOME=" + EJ_SOURCE_DIR + " " + EJ_BINARY + " run " +
        EJ_SOURCE_DIR + "/scenarios/seed-paper-pir.yaml " + args + " >/dev/null 2>" + err.string();
    const int raw = std::system(cmd.c_str());
    std::ifstream in(err);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fs::remove(err);
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, text};
  }
  void expectRefused(const Outcome& r, const std::string& what) {
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.stderrText.find(what), std::string::npos) << r.stderrText;
    EXPECT_EQ(std::count(r.stderrText.begin(), r.stderrText.end(), '\n'), 1) << r.stderrText;
    std::ifstream in(work / "s/k");
    std::string kept;
    std::getline(in, kept);
    EXPECT_EQ(kept, "keep");
  }
};

TEST_F(OutputSafetyTest, WorkingFolderIsNeverReplaced) {
  expectRefused(runFrom(work / "s", "--out ."), "--out .: refusing to replace the working folder");
  expectRefused(runFrom(work / "s", "--out . --force"), "refusing to replace the working folder");
  expectRefused(runFrom(work / "s", "--out .."), "refusing to replace the working folder");
}

TEST_F(OutputSafetyTest, ForeignFolderIsRefusedUnlessForced) {
  expectRefused(runFrom(work, "--out s"), "--out s: the folder exists and was not written by");
  EXPECT_EQ(runFrom(work, "--out s --force").status, 0);
  EXPECT_TRUE(fs::exists(work / "s/summary.json"));
  EXPECT_TRUE(fs::exists(work / "s/.edgejoule"));
  EXPECT_FALSE(fs::exists(work / "s/k"));
}

TEST_F(OutputSafetyTest, ExistingFileIsRefused) {
  std::ofstream(work / "afile") << "keep\n";
  const auto r = runFrom(work, "--out afile");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.stderrText.find("--out afile: a file of that name exists"), std::string::npos)
      << r.stderrText;
  std::ifstream in(work / "afile");
  std::string kept;
  std::getline(in, kept);
  EXPECT_EQ(kept, "keep");
}

TEST_F(OutputSafetyTest, OwnResultFolderIsReplacedAndNoTemporaryFolderRemains) {
  ASSERT_EQ(runFrom(work, "--out r").status, 0);
  ASSERT_EQ(runFrom(work, "--out r/").status, 0);
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(work)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
    ++entries;
  }
  EXPECT_EQ(entries, 2u);  // s/ and r/
  EXPECT_TRUE(fs::exists(work / "r/summary.json"));
}

}  // namespace
