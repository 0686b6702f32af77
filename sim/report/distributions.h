// Input distributions of `edgejoule mc` (`--vary 'KEY=DIST'`) and the random numbers that
// sample them. Every draw is u in [0, 1) from std::mt19937_64 (its output sequence is fixed
// by the C++ standard, [rand.eng.mers]) taken as 53 bits, mapped through the distribution's
// inverse CDF (Boost.Math quantiles), so a seed gives the same samples with any standard
// library; Latin hypercube sampling (McKay, Beckman & Conover 1979) stratifies the same u.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ej::report {

// One input distribution, its parameters in the unit of the first one written.
struct Distribution {
  enum class Kind { Normal, Lognormal, Uniform, Triangular, Choice };
  Kind kind = Kind::Uniform;
  std::vector<double> params;        // normal: mean, sd; lognormal: median, sigma (of ln);
                                     // uniform: lo, hi; triangular: lo, mode, hi
  std::string unit;                  // the written unit of the values ("uA"; "" for a ratio)
  std::vector<std::string> choices;  // choice: the values as written

  // The value at cumulative probability U in [0, 1), as --set text ("12.5 uA").
  std::string valueAt(double u) const;
  // The value at U as a number in `unit` (not for choice).
  double quantile(double u) const;
  // A typical value (the median; the middle choice), as --set text: used to check the key.
  std::string typical() const { return valueAt(0.5); }
};

// One --vary: KEY=DIST sets KEY to the drawn value; KEY*=DIST multiplies the scenario's
// value (a number, a quantity, or each item of a list such as monthly clearness) by it.
struct VarySpec {
  std::string key;
  bool scale = false;
  Distribution dist;
  std::string text;  // as given
};

// Parses `KEY=normal(mean, sd)`, `lognormal(median, sigma)`, `uniform(lo, hi)`,
// `triangular(lo, mode, hi)`, `choice(a, b, ...)`. Throws std::invalid_argument with one line
// `--vary KEY: what is wrong`.
VarySpec parseVary(std::string_view text);

// SplitMix64's mixing step (Steele, Lea & Flood, OOPSLA 2014): one well-mixed 64-bit word
// per (seed, stream), so each sample has its own generator whatever the order of runs.
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream);

// u for every sample (row) and factor (column): plain Monte Carlo (each sample's own
// generator, so sample i is the same for any --samples) or a Latin hypercube.
std::vector<std::vector<double>> sampleUnit(std::uint64_t seed, std::size_t samples,
                                            std::size_t factors, bool latinHypercube);

// The scenario seeds of sample I: one integer in [0, 2^31 - 1] per seed key.
std::vector<long> sampleSeeds(std::uint64_t seed, std::size_t sample, std::size_t count);

}  // namespace ej::report
