// Borowy & Salameh (1996), "Methodology for optimally sizing the combination of a battery
// bank and PV array in a wind/PV hybrid system", IEEE Trans. Energy Conversion 11(2),
// 367-375, eqs. 1-3 (the explicit I-V curve); see panel.h.
#include "sim/harvest/solar/panel.h"

#include <algorithm>
#include <boost/math/special_functions/lambert_w.hpp>
#include <cmath>

namespace ej::solar {
namespace {
constexpr double kStcIrradiance_Wm2 = 1000.0;
constexpr double kStcCell_K = 298.15;

// The curve's points at G and TC: currents scale with G and the Isc coefficient, voltages
// with the Voc coefficient (no logarithmic dependence on G; see README.md Limits).
struct Curve {
  double isc, imp, voc, vmp;
};
Curve curveAt(const PanelParams& p, double g, double tc) {
  const double dT = tc - kStcCell_K;
  const double ki = (g / kStcIrradiance_Wm2) * (1 + p.tempCoeffIsc_perK * dT);
  const double kv = std::max(0.0, 1 + p.tempCoeffVoc_perK * dT);
  return {p.isc->value() * ki, p.imp->value() * ki, p.voc->value() * kv, p.vmp->value() * kv};
}

double borowyCurrent(const Curve& c, double v) {
  if (c.isc <= 0 || v >= c.voc) return 0.0;
  const double c2 = (c.vmp / c.voc - 1.0) / std::log(1.0 - c.imp / c.isc);
  const double c1 = (1.0 - c.imp / c.isc) * std::exp(-c.vmp / (c2 * c.voc));
  const double i = c.isc * (1.0 - c1 * (std::exp(std::max(0.0, v) / (c2 * c.voc)) - 1.0));
  return std::max(0.0, i);
}
}  // namespace

PanelParams PanelParams::fromConfig(const core::Config& cfg) {
  PanelParams p;
  using core::Range;
  if (cfg.has("voc") || cfg.has("isc") || cfg.has("vmp") || cfg.has("imp")) {
    p.voc = cfg.quantity<Voltage>("voc", Range::Positive);
    p.isc = cfg.quantity<Current>("isc", Range::Positive);
    p.vmp = cfg.quantity<Voltage>("vmp", Range::Positive);
    p.imp = cfg.quantity<Current>("imp", Range::Positive);
    if (*p.vmp >= *p.voc) cfg.fail("vmp", "must be below voc");
    if (*p.imp >= *p.isc) cfg.fail("imp", "must be below isc");
  }
  if (cfg.has("area") || cfg.has("efficiency")) {
    p.area = cfg.quantity<Area>("area", Range::Positive);
    p.efficiency = ratio(cfg.number("efficiency", Range::Fraction));
  }
  if (!p.hasIvCurve() && !p.area) {
    cfg.fail("", "a panel needs voc, isc, vmp and imp, or area and efficiency");
  }
  p.tempCoeffIsc_perK = cfg.number("temp_coeff_isc_per_K", p.tempCoeffIsc_perK);
  p.tempCoeffVoc_perK = cfg.number("temp_coeff_voc_per_K", p.tempCoeffVoc_perK);
  p.tempCoeffPmax_perK = cfg.number("temp_coeff_pmax_per_K", p.tempCoeffPmax_perK);
  p.noct = cfg.quantity<Temperature>("noct", p.noct, Range::Positive);
  return p;
}

Panel::Panel(PanelParams params) : m_params(std::move(params)) {}

Temperature Panel::cellTemperature(Irradiance poa, Temperature air) const {
  const double rise = (m_params.noct.value() - 293.15) * poa.value() / 800.0;
  return (air.value() + rise) * si::kelvin;
}

Current Panel::current(Voltage v, Irradiance g, Temperature tc) const {
  if (!m_params.hasIvCurve()) return amperes(0);
  return amperes(borowyCurrent(curveAt(m_params, g.value(), tc.value()), v.value()));
}

Voltage Panel::openCircuitVoltage(Temperature tc) const {
  if (!m_params.hasIvCurve()) return volts(0);
  return volts(curveAt(m_params, kStcIrradiance_Wm2, tc.value()).voc);
}

Power Panel::maxPower(Irradiance g, Temperature tc) const {
  if (g.value() <= 0) return watts(0);
  if (!m_params.hasIvCurve()) {
    const double dT = tc.value() - kStcCell_K;
    return watts(std::max(0.0, m_params.area->value() * m_params.efficiency->value() * g.value() *
                                   (1 + m_params.tempCoeffPmax_perK * dT)));
  }
  // The maximum of P(V) = V I(V) on [0, Voc] in closed form. With I = Isc (1 + C1 - C1 e^{aV}),
  // a = 1 / (C2 Voc) (eq. 1), dP/dV = 0 gives (1 + aV) e^{1 + aV} = e (1 + C1) / C1, so
  // 1 + aV = W0(e (1 + C1) / C1), Lambert's W on its principal branch (Corless et al.,
  // "On the Lambert W function", Adv. Comput. Math. 5, 1996). P is unimodal (P'' < 0), so a
  // stationary point outside [0, Voc] puts the maximum at the nearer end.
  const Curve c = curveAt(m_params, g.value(), tc.value());
  if (c.isc <= 0) return watts(0);
  const double c2 = (c.vmp / c.voc - 1.0) / std::log(1.0 - c.imp / c.isc);
  const double c1 = (1.0 - c.imp / c.isc) * std::exp(-c.vmp / (c2 * c.voc));
  const double w = boost::math::lambert_w0(std::exp(1.0) * (1.0 + c1) / c1);
  const double v = std::clamp((w - 1.0) * c2 * c.voc, 0.0, c.voc);
  return watts(v * borowyCurrent(c, v));
}

}  // namespace ej::solar
