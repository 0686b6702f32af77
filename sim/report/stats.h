// Summary statistics of Monte Carlo outputs: mean, sd, and percentiles with distribution-free
// confidence intervals from order statistics (Hahn & Meeker, Statistical Intervals, Wiley
// 1991, section 5.2), valid for right-censored data whose censored values all lie above
// every observed one (runs that end at one horizon: the battery never emptied).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace ej::report {

// The p-quantile's estimate and its two-sided interval. Each is an order statistic
// X_(k) (1-based rank); nullopt where the rank falls among censored values ("beyond the
// horizon") or outside the sample (too few samples for the confidence asked).
struct Percentile {
  double p = 0;
  std::size_t rank = 0;  // of the estimate: ceil(p n) (the inverse empirical CDF)
  std::optional<double> value;
  std::size_t lowerRank = 0, upperRank = 0;  // 0: no such rank
  std::optional<double> lower, upper;
  double coverage = 0;  // the interval's exact binomial coverage (>= the level asked)
};

// The ranks [l, u] such that P(X_(l) <= x_p <= X_(u)) = B(u-1) - B(l-1) >= LEVEL, with
// B the Binomial(n, p) CDF, taking l as large and u as small as keeps each tail <= (1 -
// LEVEL)/2. Rank 0 (lower) or n+1 (upper) when no order statistic bounds that side.
struct RankInterval {
  std::size_t lower, upper;
  double coverage;
};
RankInterval percentileRanks(std::size_t n, double p, double level);

// Percentile P of OBSERVED values and CENSORED values known only to exceed every observed
// one (CENSORED counts them).
Percentile percentile(std::vector<double> observed, std::size_t censored, double p,
                      double level = 0.95);

struct Moments {
  std::size_t n = 0;
  double mean = 0, sd = 0;  // sd with n - 1
};
Moments moments(const std::vector<double>& values);

}  // namespace ej::report
