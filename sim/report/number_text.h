// Numbers and instants written straight into a character buffer, as the result files print
// them, without a string per field (CSV rows of a century run: nearly a million).
#pragma once

namespace ej::report {

// Room WRITEGENERAL needs at OUT: a sign, 17 digits, a point, "e-308", and spare.
constexpr int kGeneralChars = 32;

// Writes V at OUT as printf's "%.PRECISIONg" (and fmt's "{:.PRECISIONg}") prints it, and
// returns the end (no terminating NUL). Uses the kGeneralChars bytes from OUT: those past
// the end are scratch. The same bytes as std::to_chars(general, PRECISION),
// correctly rounded from the exact binary value; cheaper for 1 <= PRECISION <= 9 and normal
// or zero V, where it rounds the shortest round-trip digits (Dragonbox) instead.
char* writeGeneral(char* out, double v, int precision);

// Writes the UTC calendar date "YYYY-MM-DD" of EPOCH_S (seconds since 1970-01-01T00:00:00Z)
// at OUT, followed with WITH_TIME by "THH:MM:SSZ" (seconds rounded down), for years 0..9999
// (core::formatUtc and core::formatUtcDate print the same; they also print other years).
// Returns the end, or nullptr outside those years (nothing written).
char* writeUtc(char* out, double epoch_s, bool withTime);

// writeUtc for many instants in a row, keeping the last UTC day's date: an hourly time
// series' rows share it 24 at a time.
class UtcWriter {
 public:
  char* write(char* out, double epoch_s, bool withTime);

 private:
  double m_day = -1e300;  // days since 1970-01-01 of m_date
  char m_date[10] = {};   // "YYYY-MM-DD"
  bool m_printable = false;
};

}  // namespace ej::report
