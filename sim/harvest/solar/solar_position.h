// Solar position, sunrise, sunset and solar noon by NOAA's solar calculator equations
// (NOAA ESRL Global Monitoring Division, "NOAA_Solar_Calculations_day.xls", after Meeus,
// "Astronomical Algorithms", 1991); see README.md.
#pragma once

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

// Sunrise, solar noon and sunset of the UTC day starting at DAY_START_EPOCH (a UTC
// midnight). Each event is iterated twice with the sun's declination and equation of time
// taken at the event itself, as NOAA's on-line calculator does.
SunDay sunDay(const Site& site, double dayStartEpoch);

}  // namespace ej::solar
