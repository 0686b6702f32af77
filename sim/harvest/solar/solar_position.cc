// NOAA solar calculator equations (NOAA_Solar_Calculations_day.xls, column by column;
// Meeus, "Astronomical Algorithms", 1991, ch. 24 and 27).
#include "sim/harvest/solar/solar_position.h"

#include <algorithm>
#include <boost/math/constants/constants.hpp>
#include <cmath>
#include <limits>

namespace ej::solar {
namespace {

constexpr double kPi = boost::math::constants::pi<double>();
double rad(double deg) { return deg * kPi / 180.0; }
double deg(double rad) { return rad * 180.0 / kPi; }

// The spreadsheet's sun quantities that depend only on the instant.
struct SunAt {
  double declination_deg;
  double eqTime_min;
  double radiusVector_AU;
};

double julianDay(double epochSeconds) { return epochSeconds / kSecondsPerDay + 2440587.5; }

// At T Julian centuries since J2000.0 (Julian day 2451545.0).
SunAt sunAtCentury(double t) {
  const double meanLong = std::fmod(280.46646 + t * (36000.76983 + t * 0.0003032), 360.0);
  const double meanAnom = 357.52911 + t * (35999.05029 - 0.0001537 * t);
  const double ecc = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const double center = std::sin(rad(meanAnom)) * (1.914602 - t * (0.004817 + 0.000014 * t)) +
                        std::sin(rad(2 * meanAnom)) * (0.019993 - 0.000101 * t) +
                        std::sin(rad(3 * meanAnom)) * 0.000289;
  const double trueLong = meanLong + center;
  const double trueAnom = meanAnom + center;
  const double radius = 1.000001018 * (1 - ecc * ecc) / (1 + ecc * std::cos(rad(trueAnom)));
  const double omega = 125.04 - 1934.136 * t;
  const double appLong = trueLong - 0.00569 - 0.00478 * std::sin(rad(omega));
  const double meanObliq =
      23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
  const double obliq = meanObliq + 0.00256 * std::cos(rad(omega));
  const double decl = deg(std::asin(std::sin(rad(obliq)) * std::sin(rad(appLong))));
  const double y = std::pow(std::tan(rad(obliq / 2)), 2);
  const double l0 = rad(meanLong);
  const double m = rad(meanAnom);
  const double eqTime =
      4 * deg(y * std::sin(2 * l0) - 2 * ecc * std::sin(m) +
              4 * ecc * y * std::sin(m) * std::cos(2 * l0) - 0.5 * y * y * std::sin(4 * l0) -
              1.25 * ecc * ecc * std::sin(2 * m));
  return {decl, eqTime, radius};
}

SunAt sunAt(double epochSeconds) {
  return sunAtCentury((julianDay(epochSeconds) - 2451545.0) / 36525.0);
}

// Atmospheric refraction in degrees at geometric elevation E_DEG whose tangent is TE (the
// spreadsheet's approximation, after Bennett and the Astronomical Almanac).
double refraction_deg(double e, double te) {
  if (e > 85.0) return 0.0;
  double arcsec = 0;
  if (e > 5.0) {
    const double te3 = te * te * te;
    arcsec = 58.1 / te - 0.07 / te3 + 0.000086 / (te3 * te * te);
  } else if (e > -0.575) {
    arcsec = 1735.0 + e * (-518.2 + e * (103.4 + e * (-12.79 + e * 0.711)));
  } else {
    arcsec = -20.772 / te;
  }
  return arcsec / 3600.0;
}

// std::fmod(X, M) for M > 0 without the library call where |X| < 2 M (a step's true solar time,
// an azimuth): there X - M and X + M are exact (Sterbenz's lemma), as fmod is, so the result
// is the same to the bit.
double wrap(double x, double m) {
  if (x >= 2 * m || x <= -2 * m) return std::fmod(x, m);
  return x >= m ? x - m : x <= -m ? x + m : x;
}

double solarNoonMinutes(double lon_deg, double eqTime_min) {
  return 720.0 - 4.0 * lon_deg - eqTime_min;
}

// The position at EPOCH_SECONDS from the sun's instant quantities SUN, seen from a site at
// latitude LAT (its sine and cosine SIN_LAT, COS_LAT) and longitude LON_DEG.
SolarPosition position(double sinLat, double cosLat, double lon_deg, const SunAt& sun,
                       double epochSeconds) {
  const double dayStart = std::floor(epochSeconds / kSecondsPerDay) * kSecondsPerDay;
  const double minutes = (epochSeconds - dayStart) / 60.0;
  const double trueSolarTime = wrap(minutes + sun.eqTime_min + 4.0 * lon_deg, 1440.0);
  const double tst = trueSolarTime < 0 ? trueSolarTime + 1440.0 : trueSolarTime;
  const double hourAngle = tst / 4.0 < 0 ? tst / 4.0 + 180.0 : tst / 4.0 - 180.0;
  const double decl = rad(sun.declination_deg);
  const double sinDecl = std::sin(decl);
  const double cosZen =
      std::clamp(sinLat * sinDecl + cosLat * std::cos(decl) * std::cos(rad(hourAngle)), -1.0, 1.0);
  const double zen = std::acos(cosZen);
  // sin z of z in [0, pi] from cos z; (1 - x)(1 + x) keeps its precision near both ends.
  const double sinZen = std::sqrt((1 - cosZen) * (1 + cosZen));
  // The geometric elevation's tangent is cot z.
  const double elevation = 90.0 - deg(zen) + refraction_deg(90.0 - deg(zen), cosZen / sinZen);
  // The spreadsheet's azimuth: from the spherical triangle, mirrored after noon. Its cosine
  // and sine follow from the triangle's C = cos A: the azimuth is A + 180 deg after noon,
  // 540 deg - A before, so cos az = -C and sin az = -+ sqrt(1 - C^2).
  const double denom = cosLat * sinZen;
  double azimuth = 180.0, cosAz = -1.0, sinAz = 0.0;
  if (std::abs(denom) > 1e-12) {
    const double c = std::clamp((sinLat * cosZen - sinDecl) / denom, -1.0, 1.0);
    const double a = deg(std::acos(c));
    azimuth = hourAngle > 0 ? wrap(a + 180.0, 360.0) : wrap(540.0 - a, 360.0);
    const double sinA = std::sqrt((1 - c) * (1 + c));
    cosAz = -c;
    sinAz = hourAngle > 0 ? -sinA : sinA;
  }
  SolarPosition p;
  p.elevation = rad(elevation) * si::radians;
  p.zenith = rad(90.0 - elevation) * si::radians;
  p.cosZenith = std::cos(p.zenith.value());
  p.sinZenith = std::sin(p.zenith.value());
  p.cosAzimuth = cosAz;
  p.sinAzimuth = sinAz;
  p.azimuth = rad(azimuth) * si::radians;
  p.declination = rad(sun.declination_deg) * si::radians;
  p.equationOfTime_min = sun.eqTime_min;
  p.earthSunDistance_AU = sun.radiusVector_AU;
  return p;
}

// Chebyshev node K of N on [-1, 1] (Numerical Recipes eq. 5.8.4).
double chebyshevNode(int k, int n) { return std::cos(kPi * (k + 0.5) / n); }

// Sunrise, noon and sunset (see sunDay) with the sun's instant quantities from SUN_AT(epoch).
template <typename SunAtFn>
SunDay sunDayWith(const Site& site, double dayStartEpoch, SunAtFn&& sunFor) {
  const double lat = site.latitude.value();
  const double lon_deg = deg(site.longitude.value());
  SunDay day;
  // Solar noon, with the equation of time at noon itself.
  double noonMin = 720.0;
  for (int i = 0; i < 3; ++i) {
    noonMin = solarNoonMinutes(lon_deg, sunFor(dayStartEpoch + noonMin * 60.0).eqTime_min);
  }
  day.solarNoon_epoch = dayStartEpoch + noonMin * 60.0;
  day.noonElevation = position(std::sin(lat), std::cos(lat), lon_deg, sunFor(day.solarNoon_epoch),
                               day.solarNoon_epoch)
                          .elevation;

  // Sunrise (sign -1) and sunset (+1): hour angle where the centre is 0.833 deg below the
  // horizon (refraction at the horizon plus the sun's semi-diameter).
  auto event = [&](double sign, std::optional<double>& out) {
    double t = noonMin;
    for (int i = 0; i < 3; ++i) {
      const SunAt sun = sunFor(dayStartEpoch + t * 60.0);
      const double decl = rad(sun.declination_deg);
      const double cosHa =
          std::cos(rad(90.833)) / (std::cos(lat) * std::cos(decl)) - std::tan(lat) * std::tan(decl);
      if (cosHa < -1.0) {
        day.polarDay = true;
        return;
      }
      if (cosHa > 1.0) return;  // polar night
      const double ha = deg(std::acos(cosHa));
      t = solarNoonMinutes(lon_deg, sun.eqTime_min) + sign * 4.0 * ha;
    }
    out = dayStartEpoch + t * 60.0;
  };
  event(-1.0, day.sunrise_epoch);
  event(+1.0, day.sunset_epoch);
  return day;
}

}  // namespace

SolarPosition solarPosition(const Site& site, double epochSeconds) {
  const double lat = site.latitude.value();
  return position(std::sin(lat), std::cos(lat), deg(site.longitude.value()), sunAt(epochSeconds),
                  epochSeconds);
}

SolarPositionSeries::SolarPositionSeries(const Site& site)
    : m_site(site),
      m_sinLat(std::sin(site.latitude.value())),
      m_cosLat(std::cos(site.latitude.value())) {
  for (Day& d : m_days) d.start = std::numeric_limits<double>::quiet_NaN();
}

std::array<double, 3> SolarPositionSeries::sun(double epochSeconds) {
  constexpr int n = kNodes;
  const double dayStart = std::floor(epochSeconds / kSecondsPerDay) * kSecondsPerDay;
  const double dayStartJd = julianDay(dayStart);  // exact: a whole number and a half
  if (!(m_days[m_last].start == dayStart)) {
    std::size_t found = kDays;
    for (std::size_t i = 0; i < kDays; ++i) {
      if (m_days[i].start == dayStart) found = i;
    }
    if (found == kDays) {
      found = m_oldest;
      m_oldest = (m_oldest + 1) % kDays;
      Day& day = m_days[found];
      // c_j = 2/N sum_k f(x_k) T_j(x_k), T_j(x_k) = cos(pi j (k + 1/2) / N) (eq. 5.8.7). The
      // nodes' times counted from J2000.0 (about 1e4 days, not the Julian day's 2.5e6), so
      // that they carry no rounding of their own.
      const double daysSinceJ2000 = dayStartJd - 2451545.0;
      std::array<std::array<double, n>, 3> f{};
      for (int k = 0; k < n; ++k) {
        const SunAt s = sunAtCentury((daysSinceJ2000 + (chebyshevNode(k, n) + 1) / 2) / 36525.0);
        f[0][k] = s.declination_deg;
        f[1][k] = s.eqTime_min;
        f[2][k] = s.radiusVector_AU;
      }
      for (std::size_t q = 0; q < 3; ++q) {
        for (int j = 0; j < n; ++j) {
          double sum = 0;
          for (int k = 0; k < n; ++k) sum += f[q][k] * std::cos(kPi * j * (k + 0.5) / n);
          day.coefficients[q][j] = 2.0 / n * sum;
        }
      }
      day.start = dayStart;
    }
    m_last = found;
  }
  const auto& c = m_days[m_last].coefficients;
  // f(x) = sum_j c_j T_j(x) - c_0 / 2 at x in [-1, 1], by Clenshaw's recurrence (eq. 5.8.11).
  // x from the Julian day as solarPosition rounds it (steps of 4.7e-10 days, 40 us): so the
  // series follows solarPosition's rounding too, and differs from it by the interpolation
  // alone.
  const double x = 2 * (julianDay(epochSeconds) - dayStartJd) - 1;
  auto value = [x](const std::array<double, n>& cq) {
    double b1 = 0, b2 = 0;
    for (int j = n - 1; j >= 1; --j) {
      const double b0 = 2 * x * b1 - b2 + cq[j];
      b2 = b1;
      b1 = b0;
    }
    return x * b1 - b2 + 0.5 * cq[0];
  };
  return {value(c[0]), value(c[1]), value(c[2])};
}

SolarPosition SolarPositionSeries::at(double epochSeconds) {
  const auto s = sun(epochSeconds);
  return position(m_sinLat, m_cosLat, deg(m_site.longitude.value()), SunAt{s[0], s[1], s[2]},
                  epochSeconds);
}

SunDay SolarPositionSeries::sunDay(double dayStartEpoch) {
  return sunDayWith(m_site, dayStartEpoch, [this](double epoch) {
    const auto s = sun(epoch);
    return SunAt{s[0], s[1], s[2]};
  });
}

SunDay sunDay(const Site& site, double dayStartEpoch) {
  return sunDayWith(site, dayStartEpoch, sunAt);
}

}  // namespace ej::solar
