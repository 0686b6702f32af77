// The 95 % confidence interval of an accuracy measured on a finite test set: the Wilson score
// interval (E. B. Wilson, "Probable inference, the law of succession, and statistical
// inference", J. Am. Stat. Assoc. 22(158), 1927; as recommended by Brown, Cai & DasGupta,
// "Interval estimation for a binomial proportion", Statistical Science 16(2), 2001). Header-only
// so that `infer` and summary.json can print it without linking the trainer.
#pragma once

#include <cmath>

namespace ej::core {

// The two-sided 95 % normal quantile, Phi^-1(0.975).
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

// Wilson score interval for CORRECT successes out of N trials (n > 0) at normal quantile Z:
// (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), p = correct / n. Unlike the normal
// approximation it stays inside [0, 1] and is not empty at p = 0 or 1. N <= 0 gives [0, 1].
inline Interval wilsonInterval(long correct, long n, double z = kZ95) {
  if (n <= 0) return {0.0, 1.0};
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(correct) / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double centre = (p + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)) / denom;
  return {std::fmax(0.0, centre - half), std::fmin(1.0, centre + half)};
}

}  // namespace ej::core
