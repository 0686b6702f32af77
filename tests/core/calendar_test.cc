#include "sim/core/calendar.h"

#include <gtest/gtest.h>

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

TEST(CalendarTest, ParsesTimesOfDay) {
  EXPECT_EQ(in_s(*parseTimeOfDay("07:30")), 27000.0);
  EXPECT_EQ(in_s(*parseTimeOfDay("23:59:59")), 86399.0);
  EXPECT_FALSE(parseTimeOfDay("25:00"));
  EXPECT_FALSE(parseTimeOfDay("7h"));
}

}  // namespace
}  // namespace ej::core
