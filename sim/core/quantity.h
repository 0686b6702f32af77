// Parsing of quantities written with their unit ("120 mA", "2 h", "2000 mAh", "14 dBm").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/units.h"

namespace ej::core {

// The physical dimension of a parsed quantity. PowerLevel (dBm) is logarithmic and kept
// in its own unit; Temperature is kept in kelvin.
enum class Dimension {
  Ratio,
  Current,
  Voltage,
  Resistance,
  Charge,
  Energy,
  Power,
  Time,
  Frequency,
  Angle,
  Temperature,
  Length,
  Area,
  Irradiance,
  InsolationPerArea,
  PowerLevel,
};

// A value in the SI unit of its dimension (kelvin, radians, dBm for PowerLevel).
struct ParsedQuantity {
  double value;
  Dimension dimension;
};

// Parses "<number> [unit]". Units: SI prefixes p n u µ m k M G on A V Ohm Ah Wh W J C s Hz
// m; min h d y (365 d); %; deg rad; degC K; dBm; W/m2, Wh/m2 (kWh/m2) and J/m2 (MJ/m2); rates /s
// /min /h /d. A bare number is a Ratio. Returns nothing when the text is not such a quantity.
std::optional<ParsedQuantity> parseQuantity(std::string_view text);

// "a current (e.g. 120 mA)": how a dimension is named in error messages.
std::string describe(Dimension dimension);

// Every unit symbol parseQuantity() accepts for DIMENSION ("%" for Ratio), sorted.
std::vector<std::string> unitSymbols(Dimension dimension);

// The SI unit a value of DIMENSION is held in ("A", "s", "K", "dBm"; "" for Ratio).
std::string siUnit(Dimension dimension);

// The Dimension that a Boost.Units quantity type holds, and how to build it from SI.
template <class Q>
struct QuantityTraits;

#define EJ_QUANTITY_TRAITS(Type, Dim)                            \
  template <>                                                    \
  struct QuantityTraits<Type> {                                  \
    static constexpr Dimension dimension = Dimension::Dim;       \
    static Type fromSi(double v) { return Type::from_value(v); } \
  }
EJ_QUANTITY_TRAITS(Ratio, Ratio);
EJ_QUANTITY_TRAITS(Current, Current);
EJ_QUANTITY_TRAITS(Voltage, Voltage);
EJ_QUANTITY_TRAITS(Resistance, Resistance);
EJ_QUANTITY_TRAITS(Charge, Charge);
EJ_QUANTITY_TRAITS(Energy, Energy);
EJ_QUANTITY_TRAITS(Power, Power);
EJ_QUANTITY_TRAITS(Time, Time);
EJ_QUANTITY_TRAITS(Frequency, Frequency);
EJ_QUANTITY_TRAITS(Angle, Angle);
EJ_QUANTITY_TRAITS(Temperature, Temperature);
EJ_QUANTITY_TRAITS(Length, Length);
EJ_QUANTITY_TRAITS(Area, Area);
EJ_QUANTITY_TRAITS(Irradiance, Irradiance);
#undef EJ_QUANTITY_TRAITS

}  // namespace ej::core
