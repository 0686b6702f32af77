// UTC calendar helpers on Boost.DateTime.
#include "sim/core/calendar.h"

#include <boost/date_time/posix_time/posix_time.hpp>
#include <cmath>
#include <cstdio>

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
  if (s.size() != 19 || s[10] != 'T') return std::nullopt;
  try {
    const pt::ptime t = pt::from_iso_extended_string(s);
    if (t.is_not_a_date_time()) return std::nullopt;
    return static_cast<double>((t - kEpoch).total_seconds());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string formatUtc(double epochSeconds) {
  const pt::ptime t = kEpoch + pt::seconds(static_cast<long>(std::floor(epochSeconds)));
  return pt::to_iso_extended_string(t) + "Z";
}

std::string formatUtcDate(double epochSeconds) {
  const pt::ptime t = kEpoch + pt::seconds(static_cast<long>(std::floor(epochSeconds)));
  return boost::gregorian::to_iso_extended_string(t.date());
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
