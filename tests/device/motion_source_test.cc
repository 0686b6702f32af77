#include "sim/device/motion_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ej::device {
namespace {

TEST(MotionSourceTest, DailyTimesFollowTheUtcClock) {
  // The run starts at 09:00 UTC: 17:00 comes after 8 h, 08:00 after 23 h, then daily.
  DailyMotion m({hours(17), hours(8)}, hours(9));
  EXPECT_NEAR(in_h(*m.next()), 8.0, 1e-12);
  EXPECT_NEAR(in_h(*m.next()), 23.0, 1e-12);
  EXPECT_NEAR(in_h(*m.next()), 32.0, 1e-12);
  EXPECT_NEAR(in_h(*m.next()), 47.0, 1e-12);
}

TEST(MotionSourceTest, PoissonMeanGapIsOneOverRate) {
  PoissonMotion m(hertz(12.0 / 3600), 7);  // 12 /h: mean gap 300 s
  const int n = 100000;
  Time last{};
  for (int i = 0; i < n; ++i) last = *m.next();
  // The mean of n exponential gaps has a standard deviation of 300/sqrt(n) = 0.95 s; 5 s is
  // more than five of them.
  EXPECT_NEAR(in_s(last) / n, 300.0, 5.0);
}

TEST(MotionSourceTest, TraceReadsSecondsAndUtcAndRejectsDisorder) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("ej_motion_trace_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "s.csv") << "time_s\n10\n20.5\n";
  TraceMotion s(dir / "s.csv", 0);
  EXPECT_EQ(s.size(), 2u);
  EXPECT_DOUBLE_EQ(in_s(*s.next()), 10.0);
  EXPECT_DOUBLE_EQ(in_s(*s.next()), 20.5);
  EXPECT_FALSE(s.next());

  std::ofstream(dir / "u.csv") << "time_utc\n2026-01-01T08:00:00Z\n";
  TraceMotion u(dir / "u.csv", 20454.0 * 86400);  // starts 2026-01-01T00:00:00Z
  EXPECT_DOUBLE_EQ(in_h(*u.next()), 8.0);

  std::ofstream(dir / "bad.csv") << "time_s\n10\n5\n";
  try {
    TraceMotion bad(dir / "bad.csv", 0);
    FAIL() << "a trace out of order was accepted";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:3:1: timestamps must be in ascending order"),
              std::string::npos);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ej::device
