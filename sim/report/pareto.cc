// Non-dominated points of a sweep; see pareto.h.
#include "sim/report/pareto.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <stdexcept>

#include "sim/core/io.h"

namespace ej::report {

std::vector<Objective> parseObjectives(std::string_view text) {
  std::vector<Objective> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string item(text.substr(start, comma - start));
    const auto a = item.find_first_not_of(' ');
    item = a == std::string::npos ? "" : item.substr(a, item.find_last_not_of(' ') + 1 - a);
    const auto colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      throw std::invalid_argument(
          fmt::format("--pareto: '{}': expected column:max or column:min", item));
    }
    const std::string sense = item.substr(colon + 1);
    if (sense != "max" && sense != "min") {
      throw std::invalid_argument(
          fmt::format("--pareto: '{}': '{}' is neither max nor min", item, sense));
    }
    out.push_back({item.substr(0, colon), sense == "max"});
    start = comma + 1;
  }
  if (out.size() < 2) {
    throw std::invalid_argument("--pareto: a front needs at least two objectives");
  }
  return out;
}

std::vector<bool> paretoFront(const CsvTable& t, const std::vector<Objective>& objectives) {
  const std::size_t n = t.rows.size();
  // Each row's objectives as "larger is better"; nullopt: not comparable.
  std::vector<std::optional<std::vector<double>>> score(n);
  std::vector<std::size_t> cols;
  for (const auto& o : objectives) {
    const auto c = t.column(o.column);
    if (!c) {
      throw std::invalid_argument(fmt::format("--pareto: sweep.csv has no column '{}'", o.column));
    }
    cols.push_back(*c);
  }
  for (std::size_t r = 0; r < n; ++r) {
    std::vector<double> s;
    bool ok = true;
    for (std::size_t k = 0; k < objectives.size(); ++k) {
      auto v = t.number(r, cols[k]);
      const bool life = objectives[k].column == "battery_life_days" ||
                        objectives[k].column == "projected_life_days";
      if (!v && life && t.rows[r][cols[k]].empty()) v = INFINITY;
      if (!v) {
        ok = false;
        break;
      }
      s.push_back(objectives[k].maximize ? *v : -*v);
    }
    if (ok) score[r] = s;
  }
  std::vector<bool> front(n, false);
  for (std::size_t a = 0; a < n; ++a) {
    if (!score[a]) continue;
    bool dominated = false;
    for (std::size_t b = 0; b < n && !dominated; ++b) {
      if (b == a || !score[b]) continue;
      bool allGe = true, oneGt = false;
      for (std::size_t k = 0; k < objectives.size(); ++k) {
        allGe = allGe && (*score[b])[k] >= (*score[a])[k];
        oneGt = oneGt || (*score[b])[k] > (*score[a])[k];
      }
      dominated = allGe && oneGt;
    }
    front[a] = !dominated;
  }
  return front;
}

std::size_t markPareto(const std::filesystem::path& csv, const std::vector<Objective>& objectives) {
  CsvTable t = CsvTable::read(csv);
  const auto front = paretoFront(t, objectives);
  const auto existing = t.column("pareto");
  std::string text;
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    if (existing && c == *existing) continue;
    text += (text.empty() ? "" : ",") + csvField(t.header[c]);
  }
  text += ",pareto\n";
  std::size_t count = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    std::string line;
    for (std::size_t c = 0; c < t.rows[r].size(); ++c) {
      if (existing && c == *existing) continue;
      line += (c == 0 ? "" : ",") + csvField(t.rows[r][c]);
    }
    text += line + (front[r] ? ",true\n" : ",false\n");
    count += front[r];
  }
  core::writeFileAtomically(csv, text);
  return count;
}

}  // namespace ej::report
