// Solar position, sunrise, sunset and solar noon by NOAA's solar calculator equations
// (NOAA ESRL Global Monitoring Division, "NOAA_Solar_Calculations_day.xls", after Meeus,
// "Astronomical Algorithms", 1991); see README.md.
#pragma once

#include <array>
#include <optional>

#include "sim/core/units.h"

namespace ej::solar {

// A place on Earth: latitude north positive, longitude east positive.
struct Site {
  Angle latitude;
  Angle longitude;
};

// Where the sun is at one instant.
struct SolarPosition {
  Angle zenith;                // apparent (refraction-corrected) zenith angle
  Angle elevation;             // apparent elevation = 90 deg - zenith
  Angle azimuth;               // clockwise from north (90 deg east, 180 deg south)
  Angle declination;           // solar declination
  double equationOfTime_min;   // apparent minus mean solar time, in minutes
  double earthSunDistance_AU;  // the sun's radius vector, in astronomical units
  // cos and sin of `zenith` and of `azimuth`, computed once with them: the sky and the panel
  // need these, not the angles (irradiance.h, the ...CosZenith functions and
  // transposeWithCosines). The azimuth's from the spherical triangle's cosine itself, without
  // the arc cosine and back (within 2.1e-15 of cos and sin of `azimuth`). A position made by hand
  // without them goes through the functions that take the angles.
  double cosZenith = 1;
  double sinZenith = 0;
  double cosAzimuth = -1;
  double sinAzimuth = 0;
};

// The sun at EPOCH_SECONDS (seconds since 1970-01-01T00:00:00Z) seen from SITE.
SolarPosition solarPosition(const Site& site, double epochSeconds);

// One UTC day of sun at a site.
struct SunDay {
  std::optional<double> sunrise_epoch;  // the sun's centre 0.833 deg below the horizon
  std::optional<double> sunset_epoch;   // (none on a polar day or night)
  bool polarDay = false;                // the sun never sets
  double solarNoon_epoch = 0;           // the sun on the meridian
  Angle noonElevation;                  // apparent elevation at solar noon
};

// solarPosition for many instants of the same UTC days (a harvester's steps), cheaper: the
// quantities of NOAA's equations that depend only on the instant (declination, equation of
// time, radius vector) evaluated at kNodes Chebyshev nodes of each UTC day and interpolated
// in between (Press et al., "Numerical Recipes", 3rd ed., 2007, sec. 5.8, eqs. 5.8.6-5.8.7,
// summed by Clenshaw's recurrence, eq. 5.8.11); the site's sine and cosine kept. Over the
// years 2026-2028 at 10-minute steps it differs from solarPosition by at most 2.4e-12 deg in
// declination, 2.6e-12 min in the equation of time and 2.7e-15 AU. The coefficients of the
// last kDays days used are kept (a harvester asks for tomorrow's sunrise at night, then steps
// into tomorrow). Not for several threads.
class SolarPositionSeries {
 public:
  explicit SolarPositionSeries(const Site& site);
  SolarPosition at(double epochSeconds);
  // sunDay() with the sun's declination and equation of time from the series: the same
  // events within 2.4e-7 s (SolarPositionTest.SeriesSunDayFollowsSunDay), 6 evaluations of
  // NOAA's series a day, shared with at(), instead of 10 more.
  SunDay sunDay(double dayStartEpoch);

  static constexpr int kNodes = 6;  // degree 5 (4 nodes: 1.4e-9 deg, 6.2e-9 min)
  static constexpr int kDays = 4;

 private:
  // Chebyshev coefficients of the declination (deg), the equation of time (min) and the
  // radius vector (AU) over the UTC day starting at `start` (NaN: none yet).
  struct Day {
    double start;
    std::array<std::array<double, kNodes>, 3> coefficients;
  };
  // The declination (deg), equation of time (min) and radius vector (AU) at EPOCH.
  std::array<double, 3> sun(double epochSeconds);

  Site m_site;
  double m_sinLat, m_cosLat;
  std::array<Day, kDays> m_days;
  std::size_t m_last = 0;    // the day used last (looked at first)
  std::size_t m_oldest = 0;  // the day replaced next
};

// Sunrise, solar noon and sunset of the UTC day starting at DAY_START_EPOCH (a UTC
// midnight). Each event is iterated twice with the sun's declination and equation of time
// taken at the event itself, as NOAA's on-line calculator does.
SunDay sunDay(const Site& site, double dayStartEpoch);

}  // namespace ej::solar
