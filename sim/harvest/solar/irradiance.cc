// Clear sky (Haurwitz 1945), decomposition (Erbs et al. 1982), transposition (Liu & Jordan
// 1963); see irradiance.h for the equations and README.md for their validation.
#include "sim/harvest/solar/irradiance.h"

#include <algorithm>
#include <boost/math/constants/constants.hpp>
#include <cmath>

namespace ej::solar {
namespace {
Irradiance wm2(double v) { return Irradiance::from_value(v); }
constexpr double kPi = boost::math::constants::pi<double>();
}  // namespace

Irradiance solarConstant() { return wm2(1361.0); }

Irradiance extraterrestrialNormal(double distance_AU) {
  return solarConstant() / (distance_AU * distance_AU);
}

Irradiance haurwitzGhi(Angle zenith) { return haurwitzGhiCosZenith(std::cos(zenith.value())); }

Irradiance haurwitzGhiCosZenith(double cz) {
  if (cz <= 0) return wm2(0);
  return wm2(1098.0 * cz * std::exp(-0.057 / cz));
}

SkyIrradiance erbsDecomposition(Irradiance ghi, Angle zenith, double distance_AU) {
  return erbsDecompositionCosZenith(ghi, std::cos(zenith.value()), distance_AU);
}

SkyIrradiance erbsDecompositionCosZenith(Irradiance ghi, double cz, double distance_AU) {
  const double g = std::max(0.0, ghi.value());
  // Below 87 deg zenith the beam is unreliable (cos z -> 0): report all light as diffuse.
  if (g <= 0 || cz <= std::cos(87.0 * kPi / 180.0)) return {wm2(g), wm2(0), wm2(g)};
  const double kt = std::min(1.0, g / (extraterrestrialNormal(distance_AU).value() * cz));
  double kd = 0;
  if (kt <= 0.22) {
    kd = 1.0 - 0.09 * kt;
  } else if (kt <= 0.80) {
    // 0.9511 - 0.1604 kt + 4.388 kt^2 - 16.638 kt^3 + 12.336 kt^4, in Horner's form.
    kd = 0.9511 + kt * (-0.1604 + kt * (4.388 + kt * (-16.638 + kt * 12.336)));
  } else {
    kd = 0.165;
  }
  const double dhi = kd * g;
  return {wm2(g), wm2((g - dhi) / cz), wm2(dhi)};
}

namespace {
// Duffie & Beckman eq. 2.15.1 with cos z, sin z of the sun, cos b, sin b of the tilt and the
// cosine of the azimuths' difference given.
PlaneOfArray isotropic(const SkyIrradiance& sky, double cosZ, double sinZ, double cosAzDiff,
                       const PanelOrientation& panel, double cosTilt, double sinTilt,
                       bool withIncidence) {
  const double cosTheta = cosZ * cosTilt + sinZ * sinTilt * cosAzDiff;
  PlaneOfArray poa;
  if (withIncidence) poa.incidence = std::acos(std::clamp(cosTheta, -1.0, 1.0)) * si::radians;
  const bool sunUp = cosZ > 0;
  poa.beam = wm2(sunUp ? sky.dni.value() * std::max(0.0, cosTheta) : 0.0);
  poa.skyDiffuse = wm2(sky.dhi.value() * (1 + cosTilt) / 2);
  poa.groundReflected = wm2(sky.ghi.value() * panel.albedo.value() * (1 - cosTilt) / 2);
  poa.total = poa.beam + poa.skyDiffuse + poa.groundReflected;
  return poa;
}
}  // namespace

PlaneOfArray transpose(const SkyIrradiance& sky, const SolarPosition& sun,
                       const PanelOrientation& panel) {
  const double z = sun.zenith.value();
  return isotropic(sky, std::cos(z), std::sin(z),
                   std::cos(sun.azimuth.value() - panel.azimuth.value()), panel,
                   std::cos(panel.tilt.value()), std::sin(panel.tilt.value()), true);
}

PanelMount::PanelMount(const PanelOrientation& o)
    : orientation(o),
      cosTilt(std::cos(o.tilt.value())),
      sinTilt(std::sin(o.tilt.value())),
      cosAzimuth(std::cos(o.azimuth.value())),
      sinAzimuth(std::sin(o.azimuth.value())) {}

PlaneOfArray transposeWithCosines(const SkyIrradiance& sky, const SolarPosition& sun,
                                  const PanelMount& mount, bool withIncidence) {
  // cos(a - b) = cos a cos b + sin a sin b.
  const double cosAzDiff = sun.cosAzimuth * mount.cosAzimuth + sun.sinAzimuth * mount.sinAzimuth;
  return isotropic(sky, sun.cosZenith, sun.sinZenith, cosAzDiff, mount.orientation, mount.cosTilt,
                   mount.sinTilt, withIncidence);
}

}  // namespace ej::solar
