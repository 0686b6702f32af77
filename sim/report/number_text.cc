// Number and date formatting for the result files; see number_text.h.
#include "sim/report/number_text.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "sim/core/calendar.h"

namespace ej::report {
namespace {

// 10^0 .. 10^19 (Dragonbox's significand of a double has at most 17 digits).
constexpr std::array<std::uint64_t, 20> kPow10 = [] {
  std::array<std::uint64_t, 20> p{};
  std::uint64_t v = 1;
  for (auto& x : p) {
    x = v;
    v *= 10;
  }
  return p;
}();

// Decimal digits of N > 0: from its bit length (log10(2) ~ 1233 / 4096), then one compare.
int digitCount(std::uint64_t n) {
  const int guess = ((64 - __builtin_clzll(n)) * 1233) >> 12;  // digits - 1 or digits
  return guess + (n >= kPow10[guess] ? 1 : 0);
}

char* exact(char* out, double v, int precision) {
  return std::to_chars(out, out + kGeneralChars, v, std::chars_format::general, precision).ptr;
}

// N as exactly WIDTH digits (N < 10^WIDTH), two at a time.
char* writeDigits(char* out, std::uint64_t n, int width) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  int i = width;
  for (; i >= 2; i -= 2) {
    std::memcpy(out + i - 2, kPairs + 2 * (n % 100), 2);
    n /= 100;
  }
  if (i == 1) out[0] = static_cast<char>('0' + n);
  return out + width;
}

}  // namespace

char* writeGeneral(char* out, double v, int precision) {
  if (precision < 1 || precision > 9 || !(std::isnormal(v) || v == 0.0)) {
    return exact(out, v, precision);
  }
  char* o = out;
  if (std::signbit(v)) *o++ = '-';
  if (v == 0.0) {
    *o++ = '0';
    return o;
  }
  // The shortest decimal that reads back as V: |V| = sig 10^exp10 (Dragonbox, Jeon 2020, as
  // fmt prints "{}" with it). Rounding it to PRECISION digits rounds V itself, except on a
  // tie: a PRECISION-digit rounding boundary B (PRECISION + 1 digits, the last a 5) between
  // V and the shortest decimal would lie in V's round-trip interval (about 2.2e-16 V wide, so
  // no two (PRECISION + 1)-digit decimals fit in it for PRECISION <= 9), and be no longer
  // than the shortest: it would be the shortest. So only when the shortest is B itself does
  // V's exact value decide; there the exact conversion is taken.
  // A whole number of at most PRECISION digits (a time in seconds) is its own shortest.
  const double magnitude = std::fabs(v);
  std::uint64_t sig = 0;
  int exp10 = 0;
  if (magnitude < static_cast<double>(kPow10[precision]) && magnitude == std::floor(magnitude)) {
    sig = static_cast<std::uint64_t>(magnitude);
  } else {
    const auto dec = fmt::detail::dragonbox::to_decimal(magnitude);
    sig = dec.significand;
    exp10 = dec.exponent;
  }
  int n = digitCount(sig);
  if (n > precision) {
    const std::uint64_t div = kPow10[n - precision];
    const std::uint64_t rest = sig % div;
    if (rest == div / 2) return exact(out, v, precision);
    sig = sig / div + (rest > div / 2 ? 1 : 0);
    exp10 += n - precision;
    if (sig == kPow10[precision]) {  // 99..9 rounded up: one digit more, drop its zero
      sig /= 10;
      ++exp10;
    }
  }
  // %g drops trailing zeros (no '#' flag).
  while (sig % 10 == 0) {
    sig /= 10;
    ++exp10;
  }
  n = digitCount(sig);
  // The digits, then copied in runs of a fixed 16 bytes (a few moves; only N of them count):
  // OUT has kGeneralChars bytes, DIGITS room for a run from any of its N <= 9 digits.
  char digits[32] = {};
  writeDigits(digits, sig, n);
  const int x = exp10 + n - 1;  // the leading digit's power of ten
  // C11 7.21.6.1 for %g with precision P: fixed notation when P > X >= -4, else scientific.
  if (x < precision && x >= -4) {
    if (x < 0) {
      *o++ = '0';
      *o++ = '.';
      for (int i = -1; i > x; --i) *o++ = '0';
      std::memcpy(o, digits, 16);
      return o + n;
    }
    if (n <= x + 1) {  // a whole number: its digits, then zeros up to the point
      std::memcpy(o, digits, 16);
      for (int i = n; i <= x; ++i) o[i] = '0';
      return o + x + 1;
    }
    std::memcpy(o, digits, 16);
    o[x + 1] = '.';
    std::memcpy(o + x + 2, digits + x + 1, 16);
    return o + n + 1;
  }
  *o++ = digits[0];
  if (n > 1) {
    *o++ = '.';
    std::memcpy(o, digits + 1, 16);
    o += n - 1;
  }
  *o++ = 'e';
  *o++ = x < 0 ? '-' : '+';
  const int e = x < 0 ? -x : x;
  return writeDigits(o, static_cast<std::uint64_t>(e), e >= 100 ? 3 : 2);
}

char* writeUtc(char* out, double epoch_s, bool withTime) {
  const core::UtcFields t = core::utcFields(epoch_s);
  if (t.year < 0 || t.year > 9999) return nullptr;
  char* o = writeDigits(out, static_cast<std::uint64_t>(t.year), 4);
  *o++ = '-';
  o = writeDigits(o, static_cast<std::uint64_t>(t.month), 2);
  *o++ = '-';
  o = writeDigits(o, static_cast<std::uint64_t>(t.day), 2);
  if (!withTime) return o;
  *o++ = 'T';
  o = writeDigits(o, static_cast<std::uint64_t>(t.hour), 2);
  *o++ = ':';
  o = writeDigits(o, static_cast<std::uint64_t>(t.minute), 2);
  *o++ = ':';
  o = writeDigits(o, static_cast<std::uint64_t>(t.second), 2);
  *o++ = 'Z';
  return o;
}

char* UtcWriter::write(char* out, double epoch_s, bool withTime) {
  // As core::utcFields splits it: whole seconds, the day, the second of the day.
  const double second = std::floor(epoch_s);
  const double day = std::floor(second / kSecondsPerDay);
  if (!(day == m_day)) {
    m_printable = writeUtc(m_date, day * kSecondsPerDay, false) != nullptr;
    m_day = day;
  }
  if (!m_printable) return nullptr;
  std::memcpy(out, m_date, sizeof m_date);
  char* o = out + sizeof m_date;
  if (!withTime) return o;
  const auto secondOfDay = static_cast<std::uint64_t>(second - day * kSecondsPerDay);
  *o++ = 'T';
  o = writeDigits(o, secondOfDay / 3600, 2);
  *o++ = ':';
  o = writeDigits(o, secondOfDay / 60 % 60, 2);
  *o++ = ':';
  o = writeDigits(o, secondOfDay % 60, 2);
  *o++ = 'Z';
  return o;
}

}  // namespace ej::report
