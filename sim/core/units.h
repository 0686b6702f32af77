// Physical quantities used throughout edgejoule: Boost.Units SI types and the few
// conversions to the units engineers read (mA, mAh, h, d). A raw double appears only
// at I/O and then carries its unit in its name (current_mA).
#pragma once

#include <boost/units/cmath.hpp>
#include <boost/units/quantity.hpp>
#include <boost/units/systems/si.hpp>

namespace ej {

namespace si = boost::units::si;

using Current = boost::units::quantity<si::current>;
using Voltage = boost::units::quantity<si::electric_potential>;
using Resistance = boost::units::quantity<si::resistance>;
using Charge = boost::units::quantity<si::electric_charge>;
using Energy = boost::units::quantity<si::energy>;
using Power = boost::units::quantity<si::power>;
using Time = boost::units::quantity<si::time>;
using Frequency = boost::units::quantity<si::frequency>;
using Ratio = boost::units::quantity<si::dimensionless>;
using Angle = boost::units::quantity<si::plane_angle>;
using Temperature = boost::units::quantity<si::temperature>;  // kelvin
using Length = boost::units::quantity<si::length>;
using Area = boost::units::quantity<si::area>;
using Irradiance = decltype(Power() / Area());  // W/m^2

// Constructors from the units of datasheets.
inline Current amperes(double v) { return v * si::amperes; }
inline Current milliamperes(double v) { return v * 1e-3 * si::amperes; }
inline Current microamperes(double v) { return v * 1e-6 * si::amperes; }
inline Voltage volts(double v) { return v * si::volts; }
inline Charge coulombs(double v) { return v * si::coulombs; }
inline Charge milliampereHours(double v) { return v * 3.6 * si::coulombs; }
inline Energy joules(double v) { return v * si::joules; }
inline Power watts(double v) { return v * si::watts; }
inline Time seconds(double v) { return v * si::seconds; }
inline Time hours(double v) { return v * 3600.0 * si::seconds; }
inline Time days(double v) { return v * 86400.0 * si::seconds; }
inline Frequency hertz(double v) { return v * si::hertz; }
inline Ratio ratio(double v) { return Ratio::from_value(v); }

// Raw values in the units of reports.
inline double in_A(Current i) { return i.value(); }
inline double in_mA(Current i) { return i.value() * 1e3; }
inline double in_V(Voltage v) { return v.value(); }
inline double in_C(Charge q) { return q.value(); }
inline double in_mAh(Charge q) { return q.value() / 3.6; }
inline double in_J(Energy e) { return e.value(); }
inline double in_W(Power p) { return p.value(); }
inline double in_s(Time t) { return t.value(); }
inline double in_h(Time t) { return t.value() / 3600.0; }
inline double in_d(Time t) { return t.value() / 86400.0; }
inline double in_Hz(Frequency f) { return f.value(); }

constexpr double kSecondsPerDay = 86400.0;

}  // namespace ej
