// Civil dates of the proleptic Gregorian calendar and day counts since 1970-01-01
// (H. Hinnant, "chrono-compatible low-level date algorithms": days_from_civil and
// civil_from_days), shared by the weather models and the weather file readers.
#pragma once

#include <cmath>

#include "sim/core/units.h"

namespace ej::solar {

struct Civil {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

inline Civil civilFromDays(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

inline long daysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

inline bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline unsigned daysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

inline Civil civilOf(double epoch) {
  return civilFromDays(static_cast<long>(std::floor(epoch / kSecondsPerDay)));
}

// Seconds since 1 January 00:00 UTC of the instant's year, on a 365-day year: in leap
// years 29 February folds onto 28 February and later days move back one day.
inline double secondsIntoNoLeapYear(double epoch) {
  const Civil c = civilOf(epoch);
  double s = epoch - static_cast<double>(daysFromCivil(c.year, 1, 1)) * kSecondsPerDay;
  if (isLeap(c.year) && (c.month > 2 || (c.month == 2 && c.day == 29))) s -= kSecondsPerDay;
  return s;
}

}  // namespace ej::solar
