// The CSV reader on top of libcsv; see csv.h.
#include "sim/core/csv.h"

#include <csv.h>
#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <system_error>

namespace ej::core {
namespace {

// What libcsv's callbacks fill: the row being read and the line it started on.
struct Builder {
  std::vector<CsvRow>* rows;
  std::vector<std::string> cells;
  std::size_t rowStart = 1;  // line the row being read started on
  std::size_t line = 1;      // line being fed to the parser
};

void onField(void* data, std::size_t length, void* context) {
  auto* b = static_cast<Builder*>(context);
  b->cells.emplace_back(data ? static_cast<const char*>(data) : "", data ? length : 0);
}

void onRowEnd(int /*terminator*/, void* context) {
  auto* b = static_cast<Builder*>(context);
  // A line holding nothing: libcsv reports it (CSV_REPALL_NL) as a row with no fields.
  b->rows->push_back({b->rowStart, std::move(b->cells)});
  b->cells.clear();
  b->rowStart = b->line + 1;
}

}  // namespace

CsvFile CsvFile::read(const std::filesystem::path& file, const CsvOptions& options) {
  std::error_code ec;
  // A device or a folder has no size to bound the read by (file_size's "Operation not
  // supported" for /dev/zero): only a regular file is read.
  if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec)) {
    throw CsvError(fmt::format("{}: not a regular file (a CSV input must be one)", file.string()));
  }
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) throw CsvError(fmt::format("{}: cannot read: {}", file.string(), ec.message()));
  if (size > options.maxBytes) {
    throw CsvError(fmt::format("{}: {} bytes, more than the {} MiB a CSV input may have",
                               file.string(), size, options.maxBytes >> 20));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CsvError(fmt::format("{}: cannot open", file.string()));
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.gcount() != static_cast<std::streamsize>(text.size())) {
    throw CsvError(fmt::format("{}: cannot read", file.string()));
  }
  return parse(text, file.string(), options);
}

CsvFile CsvFile::parse(std::string_view text, std::string name, const CsvOptions& options) {
  CsvFile f;
  f.m_name = std::move(name);
  if (text.size() > options.maxBytes) {
    f.fail(fmt::format("more than the {} MiB a CSV input may have", options.maxBytes >> 20));
  }
  csv_parser parser{};
  // Strict: a quote inside an unquoted field, or an unterminated quoted field, is an error.
  // Every unquoted line end ends a row, so blank lines are seen (PVGIS ends its table with one).
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL) != 0) {
    f.fail("cannot start the CSV parser (out of memory)");
  }
  std::unique_ptr<csv_parser, void (*)(csv_parser*)> guard(&parser, csv_free);
  csv_set_delim(&parser, static_cast<unsigned char>(options.delimiter));
  Builder b{&f.m_rows, {}, 1, 1};
  // Fed line by line so the builder knows the line of each row; a CR before the LF is
  // dropped (files written on Windows), so CRLF counts as one line end.
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (csv_parse(&parser, line.data(), line.size(), onField, onRowEnd, &b) != line.size() ||
        (!last && csv_parse(&parser, "\n", 1, onField, onRowEnd, &b) != 1)) {
      f.fail(b.line, fmt::format("not well-formed CSV ({}): a stray or unterminated quote",
                                 csv_strerror(csv_error(&parser))));
    }
    ++b.line;
    pos = end + 1;
  }
  if (csv_fini(&parser, onField, onRowEnd, &b) != 0) {
    f.fail(b.rowStart, "not well-formed CSV: a quoted field is never closed");
  }
  return f;
}

void CsvFile::fail(std::size_t line, std::string_view what) const {
  throw CsvError(fmt::format("{}:{}: {}", m_name, line, what));
}

void CsvFile::fail(std::string_view what) const {
  throw CsvError(fmt::format("{}: {}", m_name, what));
}

std::optional<double> csvNumber(std::string_view cell) {
  const auto a = cell.find_first_not_of(" \t");
  if (a == std::string_view::npos) return std::nullopt;
  const auto b = cell.find_last_not_of(" \t");
  const std::string text(cell.substr(a, b - a + 1));
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

}  // namespace ej::core
