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
struct Scale {
  double ki, kv;  // of the currents, of the voltages
};
Scale scaleAt(const PanelParams& p, double g, double tc) {
  const double dT = tc - kStcCell_K;
  return {(g / kStcIrradiance_Wm2) * (1 + p.tempCoeffIsc_perK * dT),
          std::max(0.0, 1 + p.tempCoeffVoc_perK * dT)};
}

// Eq. 1's C2 = (Vmp/Voc - 1) / ln(1 - Imp/Isc) and C1 = (1 - Imp/Isc) exp(-Vmp / (C2 Voc)).
// Scaling Isc and Imp by one factor and Voc and Vmp by another leaves both unchanged, so they
// are the datasheet's (STC) values at any irradiance and temperature.
double shapeC2(const PanelParams& p) {
  return (p.vmp->value() / p.voc->value() - 1.0) / std::log(1.0 - p.imp->value() / p.isc->value());
}
double shapeC1(const PanelParams& p, double c2) {
  return (1.0 - p.imp->value() / p.isc->value()) *
         std::exp(-p.vmp->value() / (c2 * p.voc->value()));
}

// Eq. 1 at V for a curve with short-circuit current ISC and open-circuit voltage VOC.
double borowyCurrent(double c1, double c2, double isc, double voc, double v) {
  if (isc <= 0 || v >= voc) return 0.0;
  const double i = isc * (1.0 - c1 * (std::exp(std::max(0.0, v) / (c2 * voc)) - 1.0));
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

Panel::Panel(PanelParams params) : m_params(std::move(params)) {
  if (!m_params.hasIvCurve()) return;
  m_c2 = shapeC2(m_params);
  m_c1 = shapeC1(m_params, m_c2);
  // The maximum of P(V) = V I(V) on [0, Voc] in closed form. With I = Isc (1 + C1 - C1 e^{aV}),
  // a = 1 / (C2 Voc) (eq. 1), dP/dV = 0 gives (1 + aV) e^{1 + aV} = e (1 + C1) / C1, so
  // 1 + aV = W0(e (1 + C1) / C1), Lambert's W on its principal branch (Corless et al.,
  // "On the Lambert W function", Adv. Comput. Math. 5, 1996). P is unimodal (P'' < 0), so a
  // stationary point outside [0, Voc] puts the maximum at the nearer end. aV, hence V / Voc,
  // depends on C1 and C2 alone: the point's voltage is a fixed fraction of Voc and its current
  // a fixed fraction of Isc, and the maximum power scales with ki kv (maxPower).
  const double w = boost::math::lambert_w0(std::exp(1.0) * (1.0 + m_c1) / m_c1);
  const double voc = m_params.voc->value(), isc = m_params.isc->value();
  const double v = std::clamp((w - 1.0) * m_c2 * voc, 0.0, voc);
  m_maxPowerStc_W = v * borowyCurrent(m_c1, m_c2, isc, voc, v);
}

Temperature Panel::cellTemperature(Irradiance poa, Temperature air) const {
  const double rise = (m_params.noct.value() - 293.15) * poa.value() / 800.0;
  return (air.value() + rise) * si::kelvin;
}

Current Panel::current(Voltage v, Irradiance g, Temperature tc) const {
  if (!m_params.hasIvCurve()) return amperes(0);
  const Scale k = scaleAt(m_params, g.value(), tc.value());
  return amperes(borowyCurrent(m_c1, m_c2, m_params.isc->value() * k.ki,
                               m_params.voc->value() * k.kv, v.value()));
}

Voltage Panel::openCircuitVoltage(Temperature tc) const {
  if (!m_params.hasIvCurve()) return volts(0);
  return volts(m_params.voc->value() * scaleAt(m_params, kStcIrradiance_Wm2, tc.value()).kv);
}

Power Panel::maxPower(Irradiance g, Temperature tc) const {
  if (g.value() <= 0) return watts(0);
  if (!m_params.hasIvCurve()) {
    const double dT = tc.value() - kStcCell_K;
    return watts(std::max(0.0, m_params.area->value() * m_params.efficiency->value() * g.value() *
                                   (1 + m_params.tempCoeffPmax_perK * dT)));
  }
  // The point found once (constructor) scaled: V = (V/Voc) Voc kv, I = (I/Isc) Isc ki.
  const Scale k = scaleAt(m_params, g.value(), tc.value());
  if (m_params.isc->value() * k.ki <= 0) return watts(0);
  return watts(m_maxPowerStc_W * (k.ki * k.kv));
}

}  // namespace ej::solar
