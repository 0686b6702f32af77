// UTC calendar helpers on Boost.DateTime.
#include "sim/core/calendar.h"

#include <fmt/format.h>

#include <boost/date_time/posix_time/posix_time.hpp>
#include <cmath>
#include <cstdio>
#include <string>

namespace ej::core {
namespace pt = boost::posix_time;
namespace {
const pt::ptime kEpoch(boost::gregorian::date(1970, 1, 1));
}

std::optional<double> parseUtcTimestamp(std::string_view text) {
  std::string s(text);
  if (s.size() == 10) s += "T00:00:00Z";
  if (s.empty() || s.back() != 'Z') return std::nullopt;
  s.pop_back();
  if (s.size() == 16) s += ":00";  // no seconds
  // YYYY-MM-DDTHH:MM:SS, checked character by character before any conversion (Boost's
  // own parser runs lexical_cast on whatever lies between the separators, and overflows
  // a signed integer on crafted input).
  static constexpr char kPattern[] = "dddd-dd-ddTdd:dd:dd";
  if (s.size() != 19) return std::nullopt;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (kPattern[i] == 'd' ? !digit : s[i] != kPattern[i]) return std::nullopt;
  }
  auto field = [&](std::size_t at, std::size_t n) { return std::stoi(s.substr(at, n)); };
  const int year = field(0, 4), month = field(5, 2), day = field(8, 2);
  const int hour = field(11, 2), minute = field(14, 2), second = field(17, 2);
  // Boost.DateTime's Gregorian range; a leap second (60) is refused.
  if (year < 1400 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  if (day > boost::gregorian::gregorian_calendar::end_of_month_day(year, month))
    return std::nullopt;
  const pt::ptime t(boost::gregorian::date(year, month, day),
                    pt::hours(hour) + pt::minutes(minute) + pt::seconds(second));
  return static_cast<double>((t - kEpoch).total_seconds());
}

UtcFields utcFields(double epochSeconds) {
  const long s = static_cast<long>(std::floor(epochSeconds));
  const long z0 = (s >= 0 ? s : s - 86399) / 86400;  // days since 1970-01-01, rounded down
  const long secondOfDay = s - z0 * 86400;
  const long z = z0 + 719468;  // days since 0000-03-01
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;                                       // [0, 146096]
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const long mp = (5 * doy + 2) / 153;                                     // [0, 11], from March
  UtcFields f{};
  f.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  f.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  f.year = yoe + era * 400 + (f.month <= 2 ? 1 : 0);
  f.hour = static_cast<int>(secondOfDay / 3600);
  f.minute = static_cast<int>(secondOfDay / 60 % 60);
  f.second = static_cast<int>(secondOfDay % 60);
  return f;
}

std::string formatUtc(double epochSeconds) {
  const UtcFields f = utcFields(epochSeconds);
  // Outside Boost.DateTime's years its own formatting (and its range error) as before.
  if (f.year < 1400 || f.year > 9999) {
    const pt::ptime t = kEpoch + pt::seconds(static_cast<long>(std::floor(epochSeconds)));
    return pt::to_iso_extended_string(t) + "Z";
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", f.year, f.month, f.day, f.hour,
                     f.minute, f.second);
}

std::string formatUtcDate(double epochSeconds) {
  const UtcFields f = utcFields(epochSeconds);
  if (f.year < 1400 || f.year > 9999) {
    const pt::ptime t = kEpoch + pt::seconds(static_cast<long>(std::floor(epochSeconds)));
    return boost::gregorian::to_iso_extended_string(t.date());
  }
  return fmt::format("{:04}-{:02}-{:02}", f.year, f.month, f.day);
}

std::optional<Time> parseTimeOfDay(std::string_view text) {
  int h = 0, m = 0, s = 0;
  char tail = 0;
  const std::string str(text);
  const int n = std::sscanf(str.c_str(), "%2d:%2d:%2d%c", &h, &m, &s, &tail);
  if (n < 2 || n > 3) return std::nullopt;
  if (h < 0 || m < 0 || m > 59 || s < 0 || s > 59) return std::nullopt;
  const double total = h * 3600.0 + m * 60.0 + s;
  if (total > kSecondsPerDay) return std::nullopt;
  return seconds(total);
}

Time nextTimeOfDay(Time now, Time timeOfDay, Time phase) {
  const double first = in_s(timeOfDay) - in_s(phase);
  const double k = std::ceil((in_s(now) - first) / kSecondsPerDay);
  return seconds(first + k * kSecondsPerDay);
}

}  // namespace ej::core
