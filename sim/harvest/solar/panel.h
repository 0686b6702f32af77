// A small PV panel from its datasheet: the Borowy & Salameh (1996) explicit I-V curve
// through (0, Isc), (Vmp, Imp), (Voc, 0), scaled to irradiance and cell temperature with
// the datasheet's coefficients, or area x efficiency; cell temperature by the NOCT model.
#pragma once

#include <optional>

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace ej::solar {

struct PanelParams {
  // Standard test conditions (1000 W/m2, 25 degC cell, AM1.5) figures of the datasheet.
  std::optional<Voltage> voc;  // open-circuit voltage
  std::optional<Current> isc;  // short-circuit current
  std::optional<Voltage> vmp;  // voltage at the maximum power point
  std::optional<Current> imp;  // current at the maximum power point
  // Or, without an I-V curve (MPPT charger only): area and STC efficiency.
  std::optional<Area> area;
  std::optional<Ratio> efficiency;
  double tempCoeffIsc_perK = 0.0005;       // dIsc/Isc per kelvin (+0.05 %/K typical c-Si)
  double tempCoeffVoc_perK = -0.0030;      // dVoc/Voc per kelvin (-0.30 %/K typical c-Si)
  double tempCoeffPmax_perK = -0.0040;     // dPmax/Pmax per kelvin (-0.40 %/K typical c-Si)
  Temperature noct = 318.15 * si::kelvin;  // nominal operating cell temperature (45 degC)

  bool hasIvCurve() const { return voc && isc && vmp && imp; }
  // Keys: voc, isc, vmp, imp (all four) and/or area, efficiency; temp_coeff_isc_per_K,
  // temp_coeff_voc_per_K, temp_coeff_pmax_per_K (e.g. "-0.3 %"), noct (e.g. "45 degC").
  static PanelParams fromConfig(const core::Config& cfg);
};

class Panel {
 public:
  explicit Panel(PanelParams params);

  // Cell temperature by the NOCT model (Duffie & Beckman 4th ed., eq. 23.3.3, with the
  // (1 - eta/tau alpha) term taken as 1): Tc = Ta + (NOCT - 20 degC) * G / 800 W/m2.
  Temperature cellTemperature(Irradiance poa, Temperature air) const;

  // Current delivered at terminal voltage V with plane-of-array irradiance G and cell
  // temperature TC (I-V curve panels only); zero past open circuit.
  Current current(Voltage v, Irradiance g, Temperature tc) const;
  // The maximum power the panel can give at G and TC.
  Power maxPower(Irradiance g, Temperature tc) const;
  // Open-circuit voltage at TC (I-V curve panels only).
  Voltage openCircuitVoltage(Temperature tc) const;

  const PanelParams& params() const { return m_params; }

 private:
  PanelParams m_params;
  // The curve's shape (I-V curve panels): C1 and C2 of eq. 1 depend only on the ratios
  // Imp/Isc and Vmp/Voc, which the irradiance and temperature scale alike; so does the
  // maximum power point's voltage as a fraction of Voc. Computed once here (README.md, Panel).
  double m_c1 = 0, m_c2 = 0;
  double m_maxPowerStc_W = 0;  // maxPower at 1000 W/m2 and a 25 degC cell
};

}  // namespace ej::solar
