// CSV reading and --set value splitting for the reports.
#include "sim/report/plot_data.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "sim/core/csv.h"

namespace ej::report {
namespace fs = std::filesystem;

CsvTable CsvTable::read(const fs::path& file) {
  // The one CSV reader (sim/core/csv.h); its errors are runtime_errors naming FILE:LINE.
  const core::CsvFile csv = core::CsvFile::read(file);
  CsvTable t;
  for (const auto& row : csv.rows()) {
    if (row.blank()) continue;
    if (t.header.empty()) {
      t.header = row.cells;
    } else {
      t.rows.push_back(row.cells);
    }
  }
  return t;
}

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<double> CsvTable::number(std::size_t row, std::size_t col) const {
  if (row >= rows.size() || col >= rows[row].size() || rows[row][col].empty()) {
    return std::nullopt;
  }
  const std::string& cell = rows[row][col];
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end == cell.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<NumberWithUnit> splitNumber(const std::string& text) {
  const char* begin = text.c_str();
  while (*begin == ' ') ++begin;
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(v)) return std::nullopt;
  std::string unit(end);
  const auto first = unit.find_first_not_of(' ');
  unit =
      first == std::string::npos ? "" : unit.substr(first, unit.find_last_not_of(' ') + 1 - first);
  return NumberWithUnit{v, unit};
}

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string slug(const std::string& text) {
  std::string s;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    s += keep ? c : '_';
    if (s.size() == 60) break;
  }
  return s;
}

std::string readFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace ej::report
