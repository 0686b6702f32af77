#include "sim/core/calendar.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ej::core {
namespace {

TEST(CalendarTest, ParsesUtcTimestamps) {
  // 2026-01-01 is 20454 days after 1970-01-01 (56 years, 14 of them leap years).
  EXPECT_EQ(*parseUtcTimestamp("2026-01-01T00:00:00Z"), 20454.0 * 86400);
  EXPECT_EQ(*parseUtcTimestamp("2026-01-01"), 20454.0 * 86400);
  EXPECT_EQ(*parseUtcTimestamp("2026-06-21T10:00Z"), (20454.0 + 171) * 86400 + 36000);
  EXPECT_FALSE(parseUtcTimestamp("2026-01-01T00:00:00"));  // no zone: refused
  EXPECT_FALSE(parseUtcTimestamp("yesterday"));
  EXPECT_EQ(formatUtc(20454.0 * 86400 + 3661), "2026-01-01T01:01:01Z");
  EXPECT_EQ(formatUtcDate(20454.0 * 86400 + 3661), "2026-01-01");
}

// Instants outside Boost's 1400..9999 are printed too (the csv fuzzer: a weather row of year
// 1013 made the reader's "not after the previous row" error throw boost's bad_year instead).
// Epochs from Python's datetime: 1013-12-01T02:00Z is -30,171,132,000 s, 10000-01-01 is
// 253,402,300,800 s, 0000-01-01 is -62,167,219,200 s.
TEST(CalendarTest, FormatsAnyInstant) {
  EXPECT_EQ(formatUtc(-30171132000.0), "1013-12-01T02:00:00Z");
  EXPECT_EQ(formatUtc(-30171132000.0 + 0.999), "1013-12-01T02:00:00Z");  // rounded down
  EXPECT_EQ(formatUtcDate(253402300800.0), "+10000-01-01");
  EXPECT_EQ(formatUtc(253402300800.0 - 1), "9999-12-31T23:59:59Z");
  EXPECT_EQ(formatUtc(-62167219200.0), "0000-01-01T00:00:00Z");
  EXPECT_EQ(formatUtc(-62167219200.0 - 1), "-0001-12-31T23:59:59Z");
  EXPECT_EQ(formatUtc(1e300), "1e+300 s since 1970-01-01T00:00:00Z");
  EXPECT_EQ(formatUtcDate(std::nan("")), "nan s since 1970-01-01T00:00:00Z");
  // Within Boost's range, printing and parsing agree: every 7,777,777 s from 1400 to 9999.
  for (double t = -17987443200.0; t < 253402300800.0; t += 7777777.0) {
    ASSERT_EQ(parseUtcTimestamp(formatUtc(t)), t) << formatUtc(t);
  }
}

TEST(CalendarTest, ParsesTimesOfDay) {
  EXPECT_EQ(in_s(*parseTimeOfDay("07:30")), 27000.0);
  EXPECT_EQ(in_s(*parseTimeOfDay("23:59:59")), 86399.0);
  EXPECT_FALSE(parseTimeOfDay("25:00"));
  EXPECT_FALSE(parseTimeOfDay("7h"));
}

}  // namespace
}  // namespace ej::core
