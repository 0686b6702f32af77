// Small readers shared by the plots, the HTML report and the sweep: a CSV table (through the
// one CSV reader, sim/core/csv.h) and numbers with a unit as typed in --set.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ej::report {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  // Reads FILE; throws std::runtime_error naming it when it cannot be read.
  static CsvTable read(const std::filesystem::path& file);
  // The index of column NAME, if there is one.
  std::optional<std::size_t> column(const std::string& name) const;
  // The cell as a number; nullopt when empty or not a number.
  std::optional<double> number(std::size_t row, std::size_t column) const;
};

// A value as typed on the command line, split into its leading number and the unit text
// after it: "80 mA" -> {80, "mA"}, "7" -> {7, ""}; nullopt when it does not start with a
// number ("models/a.onnx").
struct NumberWithUnit {
  double value;
  std::string unit;
};
std::optional<NumberWithUnit> splitNumber(const std::string& text);

// TEXT as one CSV field: quoted (RFC 4180) when it holds a comma, a quote or a newline.
std::string csvField(const std::string& text);

// TEXT with every character outside [A-Za-z0-9._-] replaced by '_', at most 60 chars.
std::string slug(const std::string& text);

// The whole file as a string; throws std::runtime_error naming it when it cannot be read.
std::string readFile(const std::filesystem::path& file);

}  // namespace ej::report
