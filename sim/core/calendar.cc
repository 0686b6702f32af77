// UTC calendar helpers on Boost.DateTime.
#include "sim/core/calendar.h"

#include <fmt/format.h>

#include <boost/date_time/posix_time/posix_time.hpp>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

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

namespace {

// The civil date of day Z since 1970-01-01 in the proleptic Gregorian calendar, any year
// (H. Hinnant, "chrono-compatible low-level date algorithms", civil_from_days). Boost's
// dates stop at 1400..9999 and throw beyond, which made an error about a weather row of
// year 1013 (or a report date past 9999) an uncaught library exception.
struct CivilDay {
  long year;
  unsigned month, day;
};
CivilDay civilFromDays(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<long>(yoe) + era * 400 + (m <= 2), m, d};
}

// Days within which the date is printed (about 2.7 million years either way); beyond, and
// for NaN, the instant is printed as seconds since the epoch.
constexpr double kMaxPrintedDays = 1e9;

std::string secondsSinceEpoch(double epochSeconds) {
  char text[64];
  std::snprintf(text, sizeof text, "%g s since 1970-01-01T00:00:00Z", epochSeconds);
  return text;
}

}  // namespace

UtcFields utcFields(double epochSeconds) {
  const double days = std::floor(std::floor(epochSeconds) / kSecondsPerDay);
  UtcFields f{};
  if (!(std::fabs(days) <= kMaxPrintedDays)) {
    f.year = std::numeric_limits<long>::min();  // beyond any calendar this program prints
    return f;
  }
  const auto c = civilFromDays(static_cast<long>(days));
  const auto secondOfDay = static_cast<long>(std::floor(epochSeconds) - days * kSecondsPerDay);
  f.year = c.year;
  f.month = static_cast<int>(c.month);
  f.day = static_cast<int>(c.day);
  f.hour = static_cast<int>(secondOfDay / 3600);
  f.minute = static_cast<int>(secondOfDay / 60 % 60);
  f.second = static_cast<int>(secondOfDay % 60);
  return f;
}

namespace {
bool printable(const UtcFields& f) { return f.year != std::numeric_limits<long>::min(); }

// "YYYY-MM-DD" (ISO 8601; a sign and at least 4 digits outside years 0..9999).
std::string dateText(const UtcFields& f) {
  char text[64];
  std::snprintf(text, sizeof text,
                f.year >= 0 && f.year <= 9999 ? "%04ld-%02d-%02d" : "%+05ld-%02d-%02d", f.year,
                f.month, f.day);
  return text;
}
}  // namespace

std::string formatUtc(double epochSeconds) {
  const UtcFields f = utcFields(epochSeconds);
  if (!printable(f)) return secondsSinceEpoch(epochSeconds);
  char time[48];
  std::snprintf(time, sizeof time, "T%02d:%02d:%02dZ", f.hour, f.minute, f.second);
  return dateText(f) + time;
}

std::string formatUtcDate(double epochSeconds) {
  const UtcFields f = utcFields(epochSeconds);
  return printable(f) ? dateText(f) : secondsSinceEpoch(epochSeconds);
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
