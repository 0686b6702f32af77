// Order-statistic percentiles and their intervals; see stats.h.
#include "sim/report/stats.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>

namespace ej::report {

RankInterval percentileRanks(std::size_t n, double p, double level) {
  const double tail = (1 - level) / 2;
  boost::math::binomial_distribution<> b(static_cast<double>(n), p);
  auto B = [&](long k) { return k < 0 ? 0.0 : k >= static_cast<long>(n) ? 1.0 : cdf(b, k); };
  // Lower rank: the largest l with P(X_(l) > x_p) = B(l-1) <= tail.
  std::size_t lower = 0;
  for (std::size_t l = 1; l <= n; ++l) {
    if (B(static_cast<long>(l) - 1) <= tail) lower = l;
  }
  // Upper rank: the smallest u with P(X_(u) < x_p) = 1 - B(u-1) <= tail.
  std::size_t upper = n + 1;
  for (std::size_t u = n; u >= 1; --u) {
    if (1 - B(static_cast<long>(u) - 1) <= tail) upper = u;
  }
  const double coverage =
      B(static_cast<long>(std::min(upper, n + 1)) - 1) - B(static_cast<long>(lower) - 1);
  return {lower, upper, coverage};
}

Percentile percentile(std::vector<double> observed, std::size_t censored, double p, double level) {
  std::sort(observed.begin(), observed.end());
  const std::size_t n = observed.size() + censored;
  Percentile r;
  r.p = p;
  if (n == 0) return r;
  auto at = [&](std::size_t rank) -> std::optional<double> {
    if (rank == 0 || rank > observed.size()) return std::nullopt;
    return observed[rank - 1];
  };
  r.rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(p * n - 1e-9)));
  r.value = at(r.rank);
  const RankInterval ranks = percentileRanks(n, p, level);
  r.lowerRank = ranks.lower;
  r.upperRank = ranks.upper <= n ? ranks.upper : 0;
  r.lower = at(r.lowerRank);
  r.upper = at(r.upperRank);
  r.coverage = ranks.coverage;
  return r;
}

Moments moments(const std::vector<double>& values) {
  Moments m;
  m.n = values.size();
  if (m.n == 0) return m;
  double sum = 0;
  for (double v : values) sum += v;
  m.mean = sum / m.n;
  double ss = 0;
  for (double v : values) ss += (v - m.mean) * (v - m.mean);
  m.sd = m.n > 1 ? std::sqrt(ss / (m.n - 1)) : 0;
  return m;
}

}  // namespace ej::report
