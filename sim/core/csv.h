// The one CSV reader: every CSV input (weather traces, motion traces, plot data) goes
// through it. RFC 4180 fields (quotes, "" inside quotes, commas and newlines in quoted
// fields) are parsed by libcsv (Debian libcsv-dev, R. Gamble's libcsv 3); this file adds
// the line number each row starts on, a size limit, and errors located `FILE:LINE: what`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ej::core {

// A bad CSV input. what() is one line: "FILE:LINE: what is wrong" (or "FILE: ...").
class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CsvRow {
  std::size_t line = 0;            // 1-based line of the file the row starts on
  std::vector<std::string> cells;  // empty for a blank line
  bool blank() const { return cells.empty(); }
};

struct CsvOptions {
  char delimiter = ',';
  // Files above this size are refused before they are read (64 MiB holds a 10-minute
  // weather trace of several years).
  std::size_t maxBytes = std::size_t{64} << 20;
};

// A parsed CSV file: every row, blank lines included (as rows without cells), so a reader
// can find a header after a preamble and a footer after the table.
class CsvFile {
 public:
  // Reads and parses FILE. Throws CsvError when it cannot be opened, is larger than
  // OPTIONS.maxBytes, or is not well-formed CSV (an unterminated quote).
  static CsvFile read(const std::filesystem::path& file, const CsvOptions& options = {});
  // The same from TEXT, NAME being what errors call it.
  static CsvFile parse(std::string_view text, std::string name, const CsvOptions& options = {});

  const std::string& name() const { return m_name; }
  const std::vector<CsvRow>& rows() const { return m_rows; }

  // Throws CsvError "NAME:LINE: WHAT".
  [[noreturn]] void fail(std::size_t line, std::string_view what) const;
  // Throws CsvError "NAME: WHAT".
  [[noreturn]] void fail(std::string_view what) const;

 private:
  std::string m_name;
  std::vector<CsvRow> m_rows;
};

// A cell as a finite number (surrounding blanks allowed); none when empty or not a number.
std::optional<double> csvNumber(std::string_view cell);

}  // namespace ej::core
