// Bounds on inputs: durations within the horizon's range, event counts, file sizes, the
// timestamp format (issue 19 items 4 and 5, issue 18's lexical_cast overflow).
#include "sim/core/bounds.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "sim/core/calendar.h"
#include "sim/core/config.h"
#include "sim/core/io.h"

namespace ej::core {
namespace {
namespace fs = std::filesystem;

std::string failure(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(BoundsTest, ADurationBeyondTheLongestHorizonIsRefused) {
  // 18446744076.709551616 s is 2^64 ns + 3 s: it used to wrap to 3 s in toScTime.
  const Config cfg =
      Config::parse("every: 18446744076.709551616 s\nok: 500 y\nhuge: 1e300 s\n", "t.yaml");
  EXPECT_EQ(failure([&] { cfg.quantity<Time>("every"); }),
            "t.yaml:1:8: every: at most 500 years (the longest horizon a run may have)");
  EXPECT_EQ(failure([&] { cfg.quantity<Time>("huge"); }),
            "t.yaml:3:7: huge: at most 500 years (the longest horizon a run may have)");
  // 500 years of 365 days is the bound itself: accepted.
  EXPECT_DOUBLE_EQ(in_s(cfg.quantity<Time>("ok")), 500.0 * 365 * 86400);
}

TEST(BoundsTest, PeriodsAreBoundedByTheEventCountOverTheHorizon) {
  const Config cfg = Config::parse("every: 1 ns\n", "t.yaml");
  // 1 day / 1 ns = 8.64e13 runs > 1e8; the shortest period for 1 day is 86400 s / 1e8 =
  // 864 us.
  EXPECT_EQ(failure([&] {
              requirePeriodBound(cfg, "every", seconds(1e-9), days(1), kMaxEventsPerSource, "runs");
            }),
            "t.yaml:1:8: every: gives 8.64e+13 runs over the 1 d horizon, more than the 1e+08 a "
            "run may hold: at least 864 us for this horizon");
  // Below the clock's resolution a period would round to zero.
  EXPECT_NE(failure([&] {
              requirePeriodBound(cfg, "every", seconds(1e-10), seconds(1e-9), kMaxEventsPerSource,
                                 "runs");
            }).find("at least 1 ns"),
            std::string::npos);
  // 1e9 /s over a day: 8.64e13 events; at most 1e8 / 86400 s = 1157 /s.
  EXPECT_NE(failure([&] {
              requireRateBound(cfg, "every", hertz(1e9), days(1), kMaxEventsPerSource,
                               "motion events");
            }).find("at most 1157 /s for this horizon"),
            std::string::npos);
  // The bound itself passes: 1e8 periods of 864 us in a day.
  EXPECT_EQ(failure([&] {
              requirePeriodBound(cfg, "every", seconds(864e-6), days(1), kMaxEventsPerSource,
                                 "runs");
            }),
            "");
}

TEST(BoundsTest, FilesAreReadOnlyUpToTheirLimit) {
  const fs::path file = fs::temp_directory_path() / ("ej_io_" + std::to_string(getpid()));
  std::ofstream(file) << "0123456789";
  EXPECT_EQ(readFileLimited(file, 10, "trace"), "0123456789");
  EXPECT_EQ(failure([&] { readFileLimited(file, 9, "trace"); }),
            file.string() + ": trace is larger than 9 bytes (the limit for a trace)");
  fs::remove(file);
  // A device without end is refused after the limit, not read for ever.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(failure([] {
              readFileLimited("/dev/zero", 1 << 20, "motion trace");
            }).find("/dev/zero: motion trace is larger than 1 MB"),
            std::string::npos);
  // Generous: 1 MB of zeros takes about a millisecond; 'for ever' is what is excluded.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_NE(failure([] { readFileLimited("/", 10, "trace"); }).find("it is a folder"),
            std::string::npos);
}

TEST(BoundsTest, YamlFromDevZeroIsRefused) {
  EXPECT_NE(failure([] { Config::load("/dev/zero"); }).find("larger than 4 MB"), std::string::npos);
}

TEST(CalendarTest, TimestampsAreCheckedCharacterByCharacter) {
  // The fuzzer's input: UBSan found a signed overflow in Boost's lexical_cast behind it.
  EXPECT_FALSE(parseUtcTimestamp("2.26202-0-T0\xb0:00:00Z"));
  EXPECT_FALSE(parseUtcTimestamp("2026-01-01T00:00:0xZ"));
  EXPECT_FALSE(parseUtcTimestamp("2026-02-29T00:00:00Z"));  // not a leap year
  EXPECT_FALSE(parseUtcTimestamp("2026-01-01T24:00:00Z"));
  EXPECT_FALSE(parseUtcTimestamp("+026-01-01T00:00:00Z"));
  // 2024-02-29 is a leap day: 19782 days after 1970-01-01, plus 12:34:56.
  EXPECT_EQ(parseUtcTimestamp("2024-02-29T12:34:56Z"), 19782 * 86400.0 + 45296);
  EXPECT_EQ(parseUtcTimestamp("2026-01-01"), 20454 * 86400.0);
  EXPECT_EQ(parseUtcTimestamp("2026-01-01T08:00Z"), 20454 * 86400.0 + 8 * 3600);
}

}  // namespace
}  // namespace ej::core
