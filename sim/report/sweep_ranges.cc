// Range expansion of --set values; see sweep_ranges.h.
#include "sim/report/sweep_ranges.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "sim/core/quantity.h"
#include "sim/report/plot_data.h"

namespace ej::report {

namespace {

constexpr std::size_t kMaxValues = 100000;

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") + 1 - a);
}

// Bounds in the first one's unit.
struct Bounds {
  std::vector<double> v;
  std::string unit;
};

std::optional<Bounds> bounds(const std::vector<std::string>& parts, const std::string& what) {
  Bounds b;
  std::optional<core::ParsedQuantity> first;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto q = core::parseQuantity(parts[i]);
    const auto n = splitNumber(parts[i]);
    if (!q || !n) return std::nullopt;
    if (i == 0) {
      first = q;
      b.unit = trim(n->unit);
    } else if (q->dimension != first->dimension) {
      throw std::invalid_argument(fmt::format("{}: '{}' is not {} like '{}'", what, parts[i],
                                              core::describe(first->dimension), parts[0]));
    }
    const auto zero = core::parseQuantity(b.unit.empty() ? "0" : "0 " + b.unit);
    const auto one = core::parseQuantity(b.unit.empty() ? "1" : "1 " + b.unit);
    b.v.push_back((q->value - zero->value) / (one->value - zero->value));
  }
  return b;
}

std::string text(double v, const std::string& unit) {
  // Values close to zero from accumulated steps print as 0.
  return unit.empty() ? fmt::format("{:.9g}", v) : fmt::format("{:.9g} {}", v, unit);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto p = s.find(sep, start);
    out.push_back(trim(s.substr(start, p - start)));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

}  // namespace

std::optional<std::vector<std::string>> expandRange(const std::string& raw) {
  const std::string t = trim(raw);
  for (const char* fn : {"linspace", "logspace"}) {
    const std::string name(fn);
    if (t.rfind(name + "(", 0) != 0 || t.back() != ')') continue;
    const auto args = split(t.substr(name.size() + 1, t.size() - name.size() - 2), ',');
    if (args.size() != 3) {
      throw std::invalid_argument(
          fmt::format("{}(a, b, n) takes 3 arguments, not {}", name, args.size()));
    }
    const auto b = bounds({args[0], args[1]}, name);
    if (!b) {
      throw std::invalid_argument(
          fmt::format("{}: '{}' and '{}' must be numbers or quantities", name, args[0], args[1]));
    }
    char* end = nullptr;
    const long n = std::strtol(args[2].c_str(), &end, 10);
    if (end == args[2].c_str() || *end != '\0' || n < 2 || n > static_cast<long>(kMaxValues)) {
      throw std::invalid_argument(
          fmt::format("{}: n '{}' must be a whole number from 2 to {}", name, args[2], kMaxValues));
    }
    const double a = b->v[0], z = b->v[1];
    std::vector<std::string> values;
    if (name == "linspace") {
      for (long i = 0; i < n; ++i) {
        values.push_back(text(i == n - 1 ? z : a + (z - a) * i / (n - 1), b->unit));
      }
    } else {
      if (!(a > 0 && z > 0)) {
        throw std::invalid_argument(
            fmt::format("logspace: '{}' and '{}' must both be positive", args[0], args[1]));
      }
      for (long i = 0; i < n; ++i) {
        const double v = i == n - 1 ? z : a * std::pow(z / a, static_cast<double>(i) / (n - 1));
        values.push_back(text(v, b->unit));
      }
    }
    return values;
  }
  // a:b:step; a value such as "08:00" or a timestamp is not one (its parts are no quantities).
  const auto parts = split(t, ':');
  if (parts.size() != 3) return std::nullopt;
  // 08:00:00 is a time of day.
  bool clock = true;
  for (const auto& p : parts) {
    clock = clock && p.size() == 2 && std::isdigit(static_cast<unsigned char>(p[0])) &&
            std::isdigit(static_cast<unsigned char>(p[1]));
  }
  if (clock) return std::nullopt;
  const auto b = bounds(parts, "a:b:step");
  if (!b) return std::nullopt;
  const double a = b->v[0], z = b->v[1], step = b->v[2];
  if (step == 0 || (z - a) * step < 0) {
    throw std::invalid_argument(
        fmt::format("a:b:step '{}': the step must be non-zero and lead from a to b", t));
  }
  const double count = std::floor((z - a) / step + 1e-9) + 1;
  if (count > kMaxValues) {
    throw std::invalid_argument(
        fmt::format("a:b:step '{}': {:.0f} values, more than {}", t, count, kMaxValues));
  }
  std::vector<std::string> values;
  for (long i = 0; i < static_cast<long>(count); ++i) values.push_back(text(a + i * step, b->unit));
  return values;
}

}  // namespace ej::report
