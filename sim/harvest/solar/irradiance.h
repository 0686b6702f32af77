// Irradiance on a horizontal plane and on a tilted panel: extraterrestrial irradiance,
// Haurwitz clear sky, Erbs decomposition and isotropic (Liu-Jordan) transposition.
#pragma once

#include "sim/core/units.h"
#include "sim/harvest/solar/solar_position.h"

namespace ej::solar {

// Total solar irradiance at 1 AU: 1361 W/m2 (Kopp & Lean 2011, GRL 38, L01706).
Irradiance solarConstant();

// Extraterrestrial irradiance on a plane normal to the sun at DISTANCE_AU (inverse square).
Irradiance extraterrestrialNormal(double distance_AU);

// Haurwitz (1945) clear-sky global horizontal irradiance, as in Reno, Hansen & Stein,
// "Global horizontal irradiance clear sky models", Sandia SAND2012-2389, eq. 3:
// GHI = 1098 W/m2 * cos z * exp(-0.057 / cos z); zero with the sun below the horizon.
Irradiance haurwitzGhi(Angle zenith);
// The same from cos z (SolarPosition::cosZenith), with no cosine computed again.
Irradiance haurwitzGhiCosZenith(double cosZenith);

// The three components of sunlight at one instant.
struct SkyIrradiance {
  Irradiance ghi;  // global horizontal
  Irradiance dni;  // direct (beam) normal
  Irradiance dhi;  // diffuse horizontal
};

// Splits GHI into beam and diffuse with the Erbs, Klein & Duffie (1982) correlation of the
// diffuse fraction with the clearness index kt = GHI / (E0n cos z), Solar Energy 28(4),
// 293-302, eq. 1. Zenith angles past 87 deg give all-diffuse light (beam numerically
// meaningless there).
SkyIrradiance erbsDecomposition(Irradiance ghi, Angle zenith, double distance_AU);
// The same from cos z (SolarPosition::cosZenith).
SkyIrradiance erbsDecompositionCosZenith(Irradiance ghi, double cosZenith, double distance_AU);

// Orientation of a panel: tilt from horizontal, azimuth of its normal clockwise from
// north (180 deg faces south), and the ground's albedo in front of it.
struct PanelOrientation {
  Angle tilt;
  Angle azimuth;
  Ratio albedo = ratio(0.2);
};

// Plane-of-array irradiance and its parts.
struct PlaneOfArray {
  Irradiance total;
  Irradiance beam;
  Irradiance skyDiffuse;
  Irradiance groundReflected;
  Angle incidence;  // angle between the sun and the panel normal
};

// Isotropic-sky transposition (Liu & Jordan 1963; Duffie & Beckman, "Solar Engineering of
// Thermal Processes", 4th ed., eq. 2.15.1): beam DNI cos(theta), sky DHI (1 + cos b)/2,
// ground GHI albedo (1 - cos b)/2.
PlaneOfArray transpose(const SkyIrradiance& sky, const SolarPosition& sun,
                       const PanelOrientation& panel);

// A panel's orientation with what transposition needs of it at every step, computed once.
struct PanelMount {
  explicit PanelMount(const PanelOrientation& orientation);
  PanelOrientation orientation;
  double cosTilt, sinTilt;        // of the tilt b
  double cosAzimuth, sinAzimuth;  // of the panel's azimuth
};
// transpose() for a harvester's steps: the same formulas, with the sun's cos z, sin z and the
// cosine and sine of its azimuth carried by SUN (a SolarPosition from solarPosition() or
// SolarPositionSeries, not one made by hand) and the mount's: cos(az_sun - az_panel) by the
// angle-difference identity, no trigonometric call. Within 8e-13 W/m2 of transpose() over a
// year at Trieste and Tromso (IrradianceTest.TransposeWithCosinesFollowsTranspose). Without
// WITH_INCIDENCE, `incidence` is left zero (an arc cosine the charge current does not need).
PlaneOfArray transposeWithCosines(const SkyIrradiance& sky, const SolarPosition& sun,
                                  const PanelMount& mount, bool withIncidence = true);

}  // namespace ej::solar
