// KiBaM closed form (Manwell & McGowan 1993, eq. 6; the same form as Jongerden & Haverkort,
// "Which battery model to use?", IET Software 3(6), 2009, eq. 5, with their k' = our k).
#include "sim/power/battery/kibam_battery.h"

#include <algorithm>
#include <array>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <limits>

namespace ej::battery {
namespace {
constexpr double kEmptyFraction = 1e-12;  // of capacity: below it a well counts as empty
}

KibamBattery::KibamBattery(const BatteryParams& params)
    : m_params(params),
      m_c(params.kibamC.value()),
      m_k(params.kibamK.value()),
      m_cap_C(in_C(params.capacity)),
      m_full_C(m_cap_C),
      m_leak(params.selfDischargeCurrent()) {
  // Start in equilibrium (a rested battery): both wells at the same height.
  const double q0 = params.initialSoc.value() * m_cap_C;
  m_y1 = coulombs(m_c * q0);
  m_y2 = coulombs((1 - m_c) * q0);
}

void KibamBattery::setCapacity(Charge capacity) {
  const double delta = in_C(capacity) - m_cap_C;
  m_y1 += coulombs(m_c * delta);
  m_y2 += coulombs((1 - m_c) * delta);
  m_cap_C = in_C(capacity);
  m_params.capacity = capacity;  // the self-discharge, a fraction of it, follows
  m_leak = m_params.selfDischargeCurrent();
}

double KibamBattery::wellCurrent_A(double net_A) const {
  const double leak = in_A(m_leak);
  return (net_A >= 0 ? net_A : net_A * m_params.chargeEfficiency.value()) + leak;
}

void KibamBattery::evolve(double i, double t, double& y1, double& y2) const {
  const double k = m_k, c = m_c;
  const double y0 = y1 + y2;
  const double e = std::exp(-k * t);
  const double ramp = k * t - 1 + e;  // >= 0
  const double n1 = y1 * e + (y0 * k * c - i) * (1 - e) / k - i * c * ramp / k;
  const double n2 = y2 * e + y0 * (1 - c) * (1 - e) - i * (1 - c) * ramp / k;
  y1 = n1;
  y2 = n2;
}

// y1(t) = alpha + beta e^{-k t} + gamma t (eq. 6 rearranged): at most one extremum, so the
// crossings of LEVEL are bracketed on the monotone pieces and found by TOMS 748.
std::optional<double> KibamBattery::timeToLevel(double i, double level, double horizon) const {
  const double k = m_k, c = m_c;
  const double y1 = in_C(m_y1), y0 = in_C(m_y1 + m_y2);
  const double alpha = y0 * c - i * (1 - c) / k;
  const double beta = y1 - y0 * c + i * (1 - c) / k;
  const double gamma = -i * c;
  // Out of reach within the horizon (most calls: the well is far from empty or full): y1
  // moves by beta (e^{-k t} - 1) + gamma t, which lies between -(k max(beta, 0) - gamma) t
  // and (k max(-beta, 0) + gamma) t (e^{-k t} in [1 - k t, 1]). The margin, a billionth of
  // the charges, keeps the answer the root finder's (it sees no change of sign there).
  const double margin = 1e-9 * (std::abs(y1) + std::abs(level)) + 1e-300;
  if (y1 > level && y1 - (k * std::max(beta, 0.0) - gamma) * horizon > level + margin) {
    return std::nullopt;
  }
  if (y1 < level && y1 + (k * std::max(-beta, 0.0) + gamma) * horizon < level - margin) {
    return std::nullopt;
  }
  auto f = [&](double t) { return alpha + beta * std::exp(-k * t) + gamma * t - level; };
  // 0, the extremum if it lies inside, the horizon (no allocation: this runs at every change).
  std::array<double, 3> knots{0.0, horizon, horizon};
  std::size_t count = 2;
  // f'(t) = -k beta e^{-k t} + gamma = 0
  if (beta != 0 && gamma / (k * beta) > 0) {
    const double te = -std::log(gamma / (k * beta)) / k;
    if (te > 0 && te < horizon) knots[count++ - 1] = te;
  }
  knots[count - 1] = horizon;
  const double f0 = f(0);
  if (f0 == 0) return 0.0;
  for (std::size_t j = 0; j + 1 < count; ++j) {
    double a = knots[j], b = knots[j + 1];
    const double fa = f(a), fb = f(b);
    if (fa == 0 && j > 0) return a;
    if ((fa < 0) == (fb < 0) && fb != 0) continue;
    if (fb == 0) return b;
    std::uintmax_t iterations = 200;
    auto tol = boost::math::tools::eps_tolerance<double>(50);
    const auto r = boost::math::tools::toms748_solve(f, a, b, fa, fb, tol, iterations);
    return (r.first + r.second) / 2;
  }
  return std::nullopt;
}

double KibamBattery::dischargeHorizon(double i) const {
  const double y0 = in_C(m_y1 + m_y2), y1 = in_C(m_y1);
  const double horizon = (y0 + y1 + i * (1 - m_c) / m_k) / (i * m_c) + 1.0;
  if (m_full_C == m_cap_C) return horizon;
  // With charge locked a well may be negative: alpha + |beta| <= 2|y0| + |y1| + 2 i (1-c)/k
  // bounds y1 + i c t from above, so y1 is negative after the bound over i c.
  return std::max(horizon,
                  (2 * std::abs(y0) + std::abs(y1) + 2 * i * (1 - m_c) / m_k) / (i * m_c) + 1.0);
}

std::optional<Time> KibamBattery::timeToEmpty(Current net) const {
  const double i = wellCurrent_A(in_A(net));
  if (i <= 0 || empty()) return i <= 0 ? std::nullopt : std::optional<Time>(seconds(0));
  // y1 is eventually linear with slope -i c: it is empty before (y0 c + ...)/(i c); the
  // horizon below is past that bound.
  const double horizon = dischargeHorizon(i);
  const auto t = timeToLevel(i, 0.0, horizon);
  if (!t) return std::nullopt;
  return seconds(*t);
}

std::optional<Time> KibamBattery::timeToVoltage(Voltage vmin, Current net) const {
  if (vmin <= Voltage() || m_params.ocv.empty()) return std::nullopt;
  // Per cell: OCV(h) - I R < vmin / n  <=>  OCV(h) < vmin / n + I R.
  const double n = static_cast<double>(m_params.series);
  const auto soc = m_params.ocv.socAt(vmin / n + net * m_params.internalResistance);
  if (!soc) return seconds(0);  // above the full cell's OCV: below it at any height
  const double level = *soc * m_c * m_cap_C;
  if (level <= 0) return std::nullopt;  // only at an empty well: timeToEmpty()'s instant
  if (in_C(m_y1) <= level) return seconds(0);
  const double i = wellCurrent_A(in_A(net));
  // The well is at most linear with slope -i c once the exponential has died out (see
  // timeToEmpty); at rest or charging it settles within a few 1/k.
  const double horizon = i > 0 ? dischargeHorizon(i) : 50.0 / m_k;
  const auto t = timeToLevel(i, level, horizon);
  if (!t) return std::nullopt;
  return seconds(*t);
}

std::optional<Time> KibamBattery::lowerBoundFrom(const Mark& mark, Time after, Voltage vmin,
                                                 Current net) const {
  // Charging: the well may be pinned full, which the free evolution below does not know;
  // look now (rare: a charging well seldom falls to the brown-out level).
  if (net < Current() && after > Time()) return seconds(0);
  // The level of the available well to look out for: the brown-out level when there is one
  // (it lies above the empty one, so it is crossed first), else empty (zero).
  double level = 0;
  if (vmin > Voltage() && !m_params.ocv.empty()) {
    const double n = static_cast<double>(m_params.series);
    const auto soc = m_params.ocv.socAt(vmin / n + net * m_params.internalResistance);
    if (!soc) return seconds(0);  // below it at any height: timeToVoltage's answer
    level = std::max(0.0, *soc * m_c * m_cap_C);
  }
  const double i = wellCurrent_A(in_A(net));
  double y1 = mark.a, y2 = mark.b;
  if (after > Time()) evolve(i, in_s(after), y1, y2);
  const double y0 = y1 + y2;
  if (y1 <= std::max(level, kEmptyFraction * m_cap_C)) return seconds(0);
  const double beta = y1 - y0 * m_c + i * (1 - m_c) / m_k;
  const double slope = i * m_c + m_k * std::max(beta, 0.0);
  if (!(slope > 0)) return std::nullopt;
  return seconds((y1 - level) / slope);
}

std::optional<Time> KibamBattery::timeToEmptyOrVoltageFrom(const Mark& mark, Voltage vmin,
                                                           Current net) const {
  KibamBattery at(*this);  // rare (once per approach to empty): a copy is simplest
  at.m_y1 = coulombs(mark.a);
  at.m_y2 = coulombs(mark.b);
  return at.timeToEmptyOrVoltage(vmin, net);
}

power::BatteryModel::Step KibamBattery::advance(Current net, Time dt) {
  Step step{};
  const double net_A = in_A(net);
  double t = in_s(dt);
  double y1 = in_C(m_y1), y2 = in_C(m_y2);
  const double i = wellCurrent_A(net_A);
  if (net_A < 0) {
    const double offered = -net_A * t;
    double surplus = (1 - m_params.chargeEfficiency.value()) * offered;
    const double full1 = m_c * m_cap_C;
    if (i < 0) {
      // Fill the available well up to its full height, then hold it there.
      // Already full and offered at least what flows on into the bound well: pinned now.
      const bool pinned =
          y1 >= full1 * (1 - kEmptyFraction) && m_k * m_c * ((1 - m_c) * m_cap_C - y2) <= -i;
      const bool full = y1 >= full1 * (1 - kEmptyFraction);
      // Full but offered less than flows on: y1 sinks below full first (never re-pinned
      // within this interval beyond what the clamp below accounts as waste).
      const auto tFull = pinned ? std::optional<double>(0.0)
                         : full ? std::nullopt
                                : timeToLevel(i, full1, t);
      const double t1 = tFull ? *tFull : t;
      evolve(i, t1, y1, y2);
      if (tFull) {
        y1 = full1;
        // Pinned: dy2/dt = k c ((1-c) C - y2), so y2 relaxes towards full exponentially.
        const double full2 = (1 - m_c) * m_cap_C;
        const double rest = t - t1;
        const double newY2 = full2 - (full2 - y2) * std::exp(-m_k * m_c * rest);
        const double taken = newY2 - y2;
        surplus += -i * rest - taken;
        y2 = newY2;
      }
    } else {
      evolve(i, t, y1, y2);  // charge below the self-discharge: still losing charge
    }
    // Numerical overshoot past full (or a re-fill in the unpinned case) is charge not stored.
    surplus += std::max(0.0, y1 - full1) + std::max(0.0, y2 - (1 - m_c) * m_cap_C);
    step.wasted = coulombs(std::max(0.0, surplus));
    step.accepted = coulombs(offered) - step.wasted;
  } else {
    const auto tEmpty = empty() ? std::optional<double>(0.0) : timeToLevel(i, 0.0, t);
    if (tEmpty && *tEmpty < t) {
      evolve(i, *tEmpty, y1, y2);
      // At the bottom; a well below it (charge locked by the cold) stays where it is.
      if (y1 > 0 || m_full_C == m_cap_C) y1 = 0;
      step.drawn = coulombs(net_A * *tEmpty);
      // The load browns out; the bound charge flows back meanwhile (recovery).
      evolve(0.0, t - *tEmpty, y1, y2);
    } else {
      evolve(i, t, y1, y2);
      step.drawn = coulombs(net_A * t);
    }
  }
  // Between an empty and a full cell (the locked part lies below zero).
  const double locked = m_full_C - m_cap_C;
  m_y1 = coulombs(std::clamp(y1, -m_c * locked, m_c * m_cap_C));
  m_y2 = coulombs(std::clamp(y2, -(1 - m_c) * locked, (1 - m_c) * m_cap_C));
  return step;
}

Voltage KibamBattery::terminalVoltage(Current net) const {
  // The open-circuit part depends on the wells only: kept for the state it was computed at
  // (the regulator's fixed point asks several times per bus change at one state).
  const double n = static_cast<double>(m_params.series);
  if (!(in_C(m_y1) == m_ocvAt.first && m_cap_C == m_ocvAt.second)) {
    const Ratio soc = ratio(std::clamp(in_C(m_y1) / (m_c * m_cap_C), 0.0, 1.0));
    m_ocv = n * m_params.ocv.at(soc);
    m_ocvAt = {in_C(m_y1), m_cap_C};
  }
  return m_ocv - net * (n * m_params.internalResistance);
}

bool KibamBattery::empty() const { return in_C(m_y1) <= kEmptyFraction * m_cap_C; }

}  // namespace ej::battery
