// Figures of Monte Carlo, sensitivity and Pareto results: the CDF of battery life with its
// percentiles, tornado charts, Morris mu* against sigma, the Pareto front.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/report/plot.h"
#include "sim/report/plot_data.h"

namespace ej::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json readJsonFile(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
  return json::parse(in);
}

void writeText(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write", file.string()));
}

// The empirical CDF of COLUMN over all samples (censored ones are the missing mass at the
// top), with P10, P50 and P90 as dashed lines and their intervals shaded.
Figure cdfFigure(const fs::path& plots, const CsvTable& table, const json& summary,
                 const std::string& column, const std::string& name, const std::string& title,
                 const std::string& xlabel) {
  const auto c = table.column(column);
  std::vector<double> v;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (const auto x = table.number(r, *c)) v.push_back(*x);
  }
  std::sort(v.begin(), v.end());
  const std::size_t n = table.rows.size();
  std::string data = column + ",cumulative_fraction\n";
  for (std::size_t i = 0; i < v.size(); ++i) {
    data += fmt::format("{:.9g},{:.9g}\n", v[i], static_cast<double>(i + 1) / n);
  }
  writeText(plots / (name + ".csv"), data);
  std::string body = fmt::format(
      "set title {}\nset xlabel {}\nset ylabel 'fraction of samples at or below'\n"
      "set yrange [0:1.05]\nset grid\nset key outside bottom center horizontal\n"
      "set style textbox opaque noborder\n",
      gnuplotQuote(title), gnuplotQuote(xlabel));
  const json& o = summary.at("outputs").at(column);
  const char* colours[] = {"#d62728", "#2ca02c", "#9467bd"};
  int k = 0;
  for (const char* p : {"p10", "p50", "p90"}) {
    const json& q = o.at("percentiles").at(p);
    const std::string colour = colours[k];
    if (q["ci_lower"].is_number() && q["ci_upper"].is_number()) {
      body += fmt::format(
          "set object {} rect from {}, graph 0 to {}, graph 1 fc rgb '{}' fs transparent solid "
          "0.12 noborder\n",
          k + 1, q["ci_lower"].get<double>(), q["ci_upper"].get<double>(), colour);
    }
    if (q["value"].is_number()) {
      const double x = q["value"].get<double>();
      body += fmt::format(
          "set arrow {0} from {1}, graph 0 to {1}, graph 1 nohead lc rgb '{2}' dt 2 lw 2\n"
          "set label {0} {3} at {1}, graph {4} left offset 0.5,0 tc rgb '{2}' front boxed\n",
          k + 1, x, colour,
          gnuplotQuote(fmt::format("{} = {:.4g}", std::string(p).replace(0, 1, "P"), x)),
          0.95 - 0.07 * k);
    }
    ++k;
  }
  if (o.value("censored", 0) > 0) {
    body += fmt::format("set label 9 {} at graph 0.02, graph 0.6 left front boxed\n",
                        gnuplotQuote(fmt::format("{} of {} samples beyond the run (censored)",
                                                 o["censored"].get<std::size_t>(), n)));
  }
  body += fmt::format(
      "plot '{}.csv' skip 1 using 1:2 with steps lw 2 lc rgb '#1f77b4' title 'empirical CDF "
      "({} samples; shaded: 95 % intervals of P10, P50, P90)'\n",
      name, n);
  return drawFigure(plots, name, title, body);
}

// A tornado: one bar per factor from the baseline to its low and high runs, largest on top.
Figure tornadoFigure(const fs::path& plots, const json& r, bool life) {
  const std::string name = life ? "tornado_life" : "tornado_net";
  std::string data = "position,key,low_change,high_change\n";
  const json& factors = r.at("factors");
  const std::size_t n = factors.size();
  const double base = life ? 0 : r["baseline"]["net_mAh"].get<double>();
  std::string tics;
  std::size_t longest = 0;
  for (const auto& f : factors) longest = std::max(longest, f["key"].get<std::string>().size());
  for (std::size_t i = 0; i < n; ++i) {
    const json& f = factors[i];
    const double pos = static_cast<double>(n - i);
    auto change = [&](const char* lifeKey, const char* netKey) {
      if (life) return f[lifeKey].is_number() ? f[lifeKey].get<double>() : NAN;
      return f[netKey].get<double>() - base;
    };
    data +=
        fmt::format("{},{},{:.9g},{:.9g}\n", pos, f["key"].get<std::string>(),
                    change("life_low_pct", "net_low_mAh"), change("life_high_pct", "net_high_mAh"));
    tics += fmt::format("{}{} {}", i ? ", " : "", gnuplotQuote(f["key"].get<std::string>()), pos);
  }
  writeText(plots / (name + ".csv"), data);
  const std::string baseline =
      life ? (r["baseline"]["life_days"].is_number()
                  ? fmt::format("{:.5g} days, {}", r["baseline"]["life_days"].get<double>(),
                                r["baseline"]["life_basis"].get<std::string>())
                  : std::string("never empties"))
           : fmt::format("{:+.4g} mAh/day", base);
  const std::string title =
      life ? fmt::format("Battery life: change from the baseline ({})", baseline)
           : fmt::format("Daily balance: change from the baseline ({})", baseline);
  const std::string body = fmt::format(
      "set title {}\nset xlabel {}\nset ytics ({})\nset yrange [0.3:{}]\nset grid xtics\n"
      "set xzeroaxis\nset style fill solid 0.8 noborder\nset key outside bottom center "
      "horizontal\nset lmargin {}\n"
      "plot '{}.csv' skip 1 using ($3/2):1:(abs($3)/2):(0.35) with boxxyerror lc rgb '#1f77b4' "
      "title 'factor at LO', \\\n"
      "     '' skip 1 using ($4/2):1:(abs($4)/2):(0.35) with boxxyerror lc rgb '#ff7f0e' "
      "title 'factor at HI', \\\n"
      "     '' skip 1 using 3:1:(sprintf('%+.3g', $3)) with labels offset char 0,0.9 font ',9' "
      "notitle, \\\n"
      "     '' skip 1 using 4:1:(sprintf('%+.3g', $4)) with labels offset char 0,-0.9 font ',9' "
      "notitle\n",
      gnuplotQuote(title),
      gnuplotQuote(life ? "change of battery life (%)" : "change of the daily net (mAh/day)"), tics,
      n + 0.7, std::max<std::size_t>(20, longest + 3), name);
  return drawFigure(plots, name, title, body, 1000, std::max(360, 120 + 70 * static_cast<int>(n)));
}

Figure morrisFigure(const fs::path& plots, const json& m) {
  std::string data = "key,mu_star_days,sigma_days\n";
  for (const auto& f : m.at("factors")) {
    data += fmt::format("{},{:.9g},{:.9g}\n", f["key"].get<std::string>(),
                        f["life_mu_star"].is_number() ? f["life_mu_star"].get<double>() : NAN,
                        f["life_sigma"].is_number() ? f["life_sigma"].get<double>() : NAN);
  }
  writeText(plots / "morris_life.csv", data);
  const std::string body =
      "set title 'Morris screening of battery life: mu* (importance) against sigma "
      "(interaction, non-linearity)'\n"
      "set xlabel 'mu* of battery life (days per unit of the factor range)'\n"
      "set ylabel 'sigma (days per unit of the factor range)'\nset grid\nunset key\n"
      "set offsets graph 0.1, graph 0.25, graph 0.1, graph 0.1\nset xrange [0:*]\n"
      "set yrange [0:*]\n"
      "plot 'morris_life.csv' skip 1 using 2:3 with points pt 7 ps 1.5 lc rgb '#1f77b4', "
      "'' skip 1 using 2:3:1 with labels offset 1,1 left font ',10'\n";
  return drawFigure(plots, "morris_life", "Morris mu* against sigma of battery life", body);
}

}  // namespace

PlotSet plotMc(const fs::path& dir) {
  requireGnuplot();
  const CsvTable table = CsvTable::read(dir / "mc.csv");
  const json summary = readJsonFile(dir / "mc_summary.json");
  const fs::path plots = dir / "plots";
  fs::create_directories(plots);
  PlotSet set;
  const json& outputs = summary.at("outputs");
  auto observed = [&](const std::string& c) {
    return outputs.contains(c) && outputs[c].value("observed", 0) > 0;
  };
  if (observed("battery_life_days")) {
    set.figures.push_back(cdfFigure(plots, table, summary, "battery_life_days", "mc_life_cdf",
                                    "Battery life over the samples", "battery life (days)"));
  } else if (observed("projected_life_days")) {
    set.figures.push_back(
        cdfFigure(plots, table, summary, "projected_life_days", "mc_life_cdf",
                  "Projected battery life over the samples (no battery emptied within the run)",
                  "projected battery life (days): charge left over the mean daily deficit"));
  } else {
    set.skipped.push_back(
        "battery life CDF: no sample's battery emptied, nor does any at its mean balance");
  }
  if (outputs.contains("december.mean_net_mAh")) {
    set.figures.push_back(cdfFigure(plots, table, summary, "december.mean_net_mAh",
                                    "mc_december_net_cdf", "December's mean daily balance",
                                    "December mean net = harvested - consumed (mAh/day)"));
  }
  return set;
}

PlotSet plotSensitivity(const fs::path& dir) {
  requireGnuplot();
  const json r = readJsonFile(dir / "sensitivity.json");
  const fs::path plots = dir / "plots";
  fs::create_directories(plots);
  PlotSet set;
  set.figures.push_back(tornadoFigure(plots, r, true));
  set.figures.push_back(tornadoFigure(plots, r, false));
  if (r.contains("morris")) set.figures.push_back(morrisFigure(plots, r["morris"]));
  return set;
}

namespace {
// A sweep.csv column as an axis label: its name, with the unit where the name lacks one.
std::string axisLabel(const std::string& column) {
  return column == "accuracy" ? "accuracy (int8 top-1, a fraction: 0.974 = 97.4 %)" : column;
}
}  // namespace

PlotSet plotPareto(const fs::path& dir) {
  requireGnuplot();
  const json manifest = readJsonFile(dir / "sweep.json");
  const CsvTable table = CsvTable::read(dir / "sweep.csv");
  PlotSet set;
  const json& objectives = manifest.at("pareto");
  const auto front = table.column("pareto");
  if (objectives.size() != 2 || !front) {
    set.skipped.push_back("pareto front: drawn for two objectives only");
    return set;
  }
  const std::string xc = objectives[0]["column"], yc = objectives[1]["column"];
  const auto x = table.column(xc), y = table.column(yc);
  std::vector<std::string> keys;
  for (const auto& s : manifest.at("sets")) keys.push_back(s.at("key").get<std::string>());
  struct Row {
    double x, y;
    bool front;
    std::string label;
  };
  std::vector<Row> rows;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto a = table.number(r, *x), b = table.number(r, *y);
    if (!a || !b) continue;
    std::string label;
    for (const auto& k : keys) {
      if (const auto c = table.column(k)) {
        const std::string& v = table.rows[r][*c];
        // A file by its stem, as on the sweep figures' ticks.
        const bool file =
            v.find(' ') == std::string::npos && fs::path(v).has_extension() &&
            std::isalpha(static_cast<unsigned char>(fs::path(v).extension().string().back()));
        label += fmt::format("{}{}={}", label.empty() ? "" : ", ", k.substr(k.rfind('.') + 1),
                             file ? fs::path(v).stem().string() : v);
      }
    }
    rows.push_back({*a, *b, table.rows[r][*front] == "true", label});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.x < b.x; });
  // Only the front is marked, by its rank along x beside each point and the values in the
  // key: a grid of models x settings would bury the figure in text, and the values of close
  // points written beside them ran into each other.
  std::string data = "x,y,label\n", line = "x,y,n\n", entries;
  std::size_t n = 0;
  for (const auto& r : rows) {
    data += fmt::format("{:.9g},{:.9g},{}\n", r.x, r.y, csvField(r.label));
    if (!r.front) continue;
    line += fmt::format("{:.9g},{:.9g},{}\n", r.x, r.y, ++n);
    entries += fmt::format(", \\\n     NaN with points pt 7 ps 0 title {}",
                           gnuplotQuote(fmt::format("{}: {}", n, r.label)));
  }
  const fs::path plots = dir / "plots";
  fs::create_directories(plots);
  writeText(plots / "pareto_points.csv", data);
  writeText(plots / "pareto_front.csv", line);
  const std::string body = fmt::format(
      "set title {}\nset xlabel {}\nset ylabel {}\nset grid\nset key outside below left Left "
      "reverse vertical maxcols 2 font ',10'\nset offsets graph 0.05, graph 0.05, graph 0.08, "
      "graph 0.08\n"
      "plot 'pareto_points.csv' skip 1 using 1:2 with points pt 7 ps 1.2 lc rgb '#999999' "
      "title 'every point', \\\n"
      "     'pareto_front.csv' skip 1 using 1:2 with linespoints lw 2 pt 7 ps 1.6 lc rgb "
      "'#d62728' title 'Pareto front (no point is better in both)', \\\n"
      "     'pareto_front.csv' skip 1 using 1:2:3 with labels offset 0,1 font ',10' "
      "tc rgb '#d62728' notitle{}\n",
      gnuplotQuote(fmt::format("Pareto front: {} ({}) and {} ({})", xc,
                               objectives[0]["sense"].get<std::string>(), yc,
                               objectives[1]["sense"].get<std::string>())),
      gnuplotQuote(axisLabel(xc)), gnuplotQuote(axisLabel(yc)), entries);
  set.figures.push_back(drawFigure(plots, "pareto_front", "Pareto front", body, 1100, 700));
  return set;
}

}  // namespace ej::report
