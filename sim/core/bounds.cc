// Event-count bounds of a run; see bounds.h.
#include "sim/core/bounds.h"

#include <fmt/format.h>

namespace ej::core {
namespace {
// A duration for messages, in the largest unit that keeps it above 1.
std::string describeSeconds(double s) {
  if (s >= 86400) return fmt::format("{:.4g} d", s / 86400);
  if (s >= 1) return fmt::format("{:.4g} s", s);
  if (s >= 1e-3) return fmt::format("{:.4g} ms", s * 1e3);
  if (s >= 1e-6) return fmt::format("{:.4g} us", s * 1e6);
  return fmt::format("{:.4g} ns", s * 1e9);
}
}  // namespace

void requirePeriodBound(const Config& cfg, std::string_view key, Time period, Time horizon,
                        double maxCount, std::string_view noun) {
  const double p = in_s(period), h = in_s(horizon);
  if (!(p >= kMinPeriodSeconds)) {
    cfg.fail(key, fmt::format("must be at least 1 ns (the simulation clock's resolution)"));
  }
  const double count = h / p;
  if (count > maxCount) {
    cfg.fail(key,
             fmt::format("gives {:.3g} {} over the {} horizon, more than the {:.0e} a run "
                         "may hold: at least {} for this horizon",
                         count, noun, describeSeconds(h), maxCount, describeSeconds(h / maxCount)));
  }
}

void requireRateBound(const Config& cfg, std::string_view key, Frequency rate, Time horizon,
                      double maxCount, std::string_view noun) {
  const double r = in_Hz(rate), h = in_s(horizon);
  const double count = r * h;
  if (count > maxCount) {
    cfg.fail(key, fmt::format("gives about {:.3g} {} over the {} horizon, more than the {:.0e} "
                              "a run may hold: at most {:.4g} /s for this horizon",
                              count, noun, describeSeconds(h), maxCount, maxCount / h));
  }
}

}  // namespace ej::core
