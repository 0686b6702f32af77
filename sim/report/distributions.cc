// Parsing and sampling of --vary distributions; see distributions.h.
#include "sim/report/distributions.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <cmath>
#include <random>
#include <stdexcept>

#include "sim/core/quantity.h"
#include "sim/report/plot_data.h"

namespace ej::report {

namespace {

constexpr std::uint64_t kSeedStream = 0x5EED5EED5EED5EEDULL;
constexpr std::uint64_t kLhsStream = 0x1A75C0DEULL;

// 53 random bits as a double in [0, 1): exact, the same on every platform.
double unit53(std::mt19937_64& g) { return static_cast<double>(g() >> 11) * 0x1.0p-53; }

// An unbiased integer in [0, n) by rejection (no library distribution: theirs differ).
std::uint64_t below(std::mt19937_64& g, std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x;
  do {
    x = g();
  } while (x >= limit);
  return x % n;
}

std::string trim(std::string_view s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return "";
  return std::string(s.substr(a, s.find_last_not_of(" \t") + 1 - a));
}

// Splits "a, b, c" on top-level commas.
std::vector<std::string> splitArgs(std::string_view s) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(trim(cur));
  return out;
}

}  // namespace

double Distribution::quantile(double u) const {
  namespace bm = boost::math;
  // Quantiles at 0 are -inf for normal and lognormal: keep u strictly inside (0, 1).
  const double p = std::clamp(u, 0x1.0p-54, 1 - 0x1.0p-53);
  switch (kind) {
    case Kind::Normal:
      return params[1] == 0 ? params[0]
                            : bm::quantile(bm::normal_distribution<>(params[0], params[1]), p);
    case Kind::Lognormal:
      return params[1] == 0
                 ? params[0]
                 : bm::quantile(bm::lognormal_distribution<>(std::log(params[0]), params[1]), p);
    case Kind::Uniform:
      return params[0] == params[1]
                 ? params[0]
                 : bm::quantile(bm::uniform_distribution<>(params[0], params[1]), p);
    case Kind::Triangular:
      return params[0] == params[2]
                 ? params[0]
                 : bm::quantile(bm::triangular_distribution<>(params[0], params[1], params[2]), p);
    case Kind::Choice:
      break;
  }
  throw std::logic_error("quantile of a choice");
}

std::string Distribution::valueAt(double u) const {
  if (kind == Kind::Choice) {
    const auto n = choices.size();
    return choices[std::min<std::size_t>(n - 1, static_cast<std::size_t>(u * n))];
  }
  const double v = quantile(u);
  return unit.empty() ? fmt::format("{:.9g}", v) : fmt::format("{:.9g} {}", v, unit);
}

VarySpec parseVary(std::string_view text) {
  VarySpec spec;
  spec.text = std::string(text);
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw std::invalid_argument(
        fmt::format("--vary '{}': expected KEY=DIST, for example node.pir.quiescent=uniform(7.5 "
                    "uA, 30 uA)",
                    text));
  }
  std::string key = trim(text.substr(0, eq));
  if (!key.empty() && key.back() == '*') {
    spec.scale = true;
    key = trim(std::string_view(key).substr(0, key.size() - 1));
  }
  spec.key = key;
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument(fmt::format("--vary {}: {}", key, what));
  };
  if (key.empty()) fail("an empty key");
  const std::string dist = trim(text.substr(eq + 1));
  const auto open = dist.find('(');
  if (open == std::string::npos || dist.back() != ')') {
    fail(
        fmt::format("'{}' is not a distribution: expected normal(mean, sd), lognormal(median, "
                    "sigma), uniform(lo, hi), triangular(lo, mode, hi) or choice(a, b, ...)",
                    dist));
  }
  const std::string name = trim(std::string_view(dist).substr(0, open));
  const auto args = splitArgs(std::string_view(dist).substr(open + 1, dist.size() - open - 2));
  Distribution& d = spec.dist;
  std::size_t arity = 0;
  if (name == "normal") {
    d.kind = Distribution::Kind::Normal, arity = 2;
  } else if (name == "lognormal") {
    d.kind = Distribution::Kind::Lognormal, arity = 2;
  } else if (name == "uniform") {
    d.kind = Distribution::Kind::Uniform, arity = 2;
  } else if (name == "triangular") {
    d.kind = Distribution::Kind::Triangular, arity = 3;
  } else if (name == "choice") {
    d.kind = Distribution::Kind::Choice;
  } else {
    fail(fmt::format("unknown distribution '{}' (normal, lognormal, uniform, triangular, choice)",
                     name));
  }
  for (const auto& a : args) {
    if (a.empty()) fail(fmt::format("{}(...) has an empty argument", name));
  }
  if (d.kind == Distribution::Kind::Choice) {
    d.choices = args;
    return spec;
  }
  if (args.size() != arity) {
    fail(fmt::format("{} takes {} arguments ({}), not {}", name, arity,
                     name == "normal"      ? "mean, sd"
                     : name == "lognormal" ? "median, sigma"
                     : name == "uniform"   ? "lo, hi"
                                           : "lo, mode, hi",
                     args.size()));
  }
  // The values are written in the first argument's unit; lognormal's sigma (of ln x) has none.
  const std::size_t withUnit = d.kind == Distribution::Kind::Lognormal ? 1 : arity;
  const auto first = core::parseQuantity(args[0]);
  const auto split = splitNumber(args[0]);
  if (!first || !split) fail(fmt::format("'{}' is not a number or a quantity", args[0]));
  d.unit = trim(split->unit);
  const auto zero = core::parseQuantity(d.unit.empty() ? "0" : "0 " + d.unit);
  const auto one = core::parseQuantity(d.unit.empty() ? "1" : "1 " + d.unit);
  if (!zero || !one || one->value == zero->value) fail(fmt::format("unknown unit '{}'", d.unit));
  for (std::size_t i = 0; i < arity; ++i) {
    const auto q = core::parseQuantity(args[i]);
    if (!q || !std::isfinite(q->value)) {
      fail(fmt::format("'{}' is not a number or a quantity", args[i]));
    }
    if (i < withUnit && q->dimension != first->dimension) {
      fail(fmt::format("'{}' is not {} like '{}'", args[i], core::describe(first->dimension),
                       args[0]));
    }
    if (i >= withUnit && q->dimension != core::Dimension::Ratio) {
      fail(fmt::format("sigma '{}' is of ln(x): a plain number", args[i]));
    }
    d.params.push_back(i < withUnit ? (q->value - zero->value) / (one->value - zero->value)
                                    : q->value);
  }
  const auto& p = d.params;
  switch (d.kind) {
    case Distribution::Kind::Normal:
      if (p[1] < 0) fail(fmt::format("normal: the sd '{}' is negative", args[1]));
      break;
    case Distribution::Kind::Lognormal:
      if (p[0] <= 0) fail(fmt::format("lognormal: the median '{}' must be positive", args[0]));
      if (p[1] < 0) fail(fmt::format("lognormal: sigma '{}' is negative", args[1]));
      break;
    case Distribution::Kind::Uniform:
      if (p[0] > p[1]) fail(fmt::format("uniform: lo '{}' > hi '{}'", args[0], args[1]));
      break;
    case Distribution::Kind::Triangular:
      if (p[0] > p[2]) fail(fmt::format("triangular: lo '{}' > hi '{}'", args[0], args[2]));
      if (p[1] < p[0] || p[1] > p[2]) {
        fail(fmt::format("triangular: the mode '{}' is not within [{}, {}]", args[1], args[0],
                         args[2]));
      }
      break;
    case Distribution::Kind::Choice:
      break;
  }
  return spec;
}

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<std::vector<double>> sampleUnit(std::uint64_t seed, std::size_t samples,
                                            std::size_t factors, bool latinHypercube) {
  std::vector<std::vector<double>> u(samples, std::vector<double>(factors));
  for (std::size_t i = 0; i < samples; ++i) {
    std::mt19937_64 g(mixSeed(seed, i));
    for (std::size_t k = 0; k < factors; ++k) u[i][k] = unit53(g);
  }
  if (!latinHypercube) return u;
  // Each factor's N strata in a random order (Fisher-Yates); the sample's own u places it
  // within its stratum: u = (stratum + v) / N.
  for (std::size_t k = 0; k < factors; ++k) {
    std::mt19937_64 g(mixSeed(seed ^ kLhsStream, k));
    std::vector<std::size_t> strata(samples);
    for (std::size_t i = 0; i < samples; ++i) strata[i] = i;
    for (std::size_t i = samples; i > 1; --i) std::swap(strata[i - 1], strata[below(g, i)]);
    for (std::size_t i = 0; i < samples; ++i) {
      u[i][k] = (static_cast<double>(strata[i]) + u[i][k]) / static_cast<double>(samples);
    }
  }
  return u;
}

std::vector<long> sampleSeeds(std::uint64_t seed, std::size_t sample, std::size_t count) {
  std::mt19937_64 g(mixSeed(seed ^ kSeedStream, sample));
  std::vector<long> seeds(count);
  for (auto& s : seeds) s = static_cast<long>(g() >> 33);  // 31 bits: [0, 2^31 - 1]
  return seeds;
}

}  // namespace ej::report
