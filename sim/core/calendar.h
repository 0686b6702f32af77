// UTC calendar helpers: the scenario's start instant and clock times of day.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/core/units.h"

namespace ej::core {

// Seconds since 1970-01-01T00:00:00Z of "YYYY-MM-DDTHH:MM[:SS]Z" (or a bare date, meaning
// midnight UTC). Nothing when the text is not such a timestamp.
std::optional<double> parseUtcTimestamp(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ" for seconds since the epoch (rounded down to the second).
std::string formatUtc(double epochSeconds);
// "YYYY-MM-DD" of the UTC day holding the instant.
std::string formatUtcDate(double epochSeconds);

// The UTC calendar fields of an instant (rounded down to the second), for writers that format
// many of them (the CSV files) without a string per field; formatUtc() and formatUtcDate()
// print these. Proleptic Gregorian, any year (H. Hinnant's civil_from_days, "chrono-Compatible
// Low-Level Date Algorithms", 2013). Beyond 1e9 days of 1970 (and for NaN) the year is
// std::numeric_limits<long>::min(), and the formatters print seconds since the epoch.
struct UtcFields {
  long year;
  int month, day, hour, minute, second;
};
UtcFields utcFields(double epochSeconds);

// The time since midnight of "HH:MM" or "HH:MM:SS" (00:00 to 24:00).
std::optional<Time> parseTimeOfDay(std::string_view text);

// The first simulation time at or after NOW at which the UTC clock reads TIME_OF_DAY, in a
// simulation whose time zero lies PHASE after a UTC midnight.
Time nextTimeOfDay(Time now, Time timeOfDay, Time phase);

}  // namespace ej::core
