// One-at-a-time and Morris screening runs; see sensitivity.h and README.md.
#include "sim/report/sensitivity.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>

#include "sim/core/io.h"
#include "sim/core/quantity.h"
#include "sim/report/distributions.h"
#include "sim/report/mc.h"
#include "sim/report/plot_data.h"

namespace ej::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string trim(std::string_view s) {
  const auto a = s.find_first_not_of(" \t");
  if (a == std::string_view::npos) return "";
  return std::string(s.substr(a, s.find_last_not_of(" \t") + 1 - a));
}

// A Morris trajectory's start and order: factor order[j] moves by +delta at step j + 1.
struct Trajectory {
  std::vector<double> start;
  std::vector<std::size_t> order;
};

// Morris (1991): start on the grid {0, 1/(p-1), ..., 1 - delta}, delta = p / (2 (p - 1)),
// so every step of +delta stays on the grid; the factors' order at random.
std::vector<Trajectory> morrisTrajectories(std::size_t r, std::size_t k, int p,
                                           std::uint64_t seed) {
  const double delta = p / (2.0 * (p - 1));
  const int startLevels = p / 2;  // levels 0 .. p/2 - 1 (x <= 1 - delta)
  std::vector<Trajectory> out;
  for (std::size_t t = 0; t < r; ++t) {
    std::mt19937_64 g(mixSeed(seed, 0x4D0122ULL + t));
    Trajectory tr;
    for (std::size_t i = 0; i < k; ++i) {
      tr.start.push_back(static_cast<double>(g() % static_cast<std::uint64_t>(startLevels)) /
                         (p - 1));
    }
    tr.order.resize(k);
    for (std::size_t i = 0; i < k; ++i) tr.order[i] = i;
    for (std::size_t i = k; i > 1; --i) std::swap(tr.order[i - 1], tr.order[g() % i]);
    (void)delta;
    out.push_back(std::move(tr));
  }
  return out;
}

std::optional<double> lifeOf(const std::vector<std::pair<std::string, std::string>>& outputs,
                             std::string& basis) {
  std::map<std::string, std::string> m(outputs.begin(), outputs.end());
  if (!m["battery_life_days"].empty()) {
    basis = "battery_life_days";
    return std::stod(m["battery_life_days"]);
  }
  if (!m["projected_life_days"].empty()) {
    basis = "projected_life_days";
    return std::stod(m["projected_life_days"]);
  }
  basis = "never (the mean balance is not negative)";
  return std::nullopt;
}

double netOf(const std::vector<std::pair<std::string, std::string>>& outputs) {
  for (const auto& [k, v] : outputs) {
    if (k == "daily.net_mAh" && !v.empty()) return std::stod(v);
  }
  return NAN;
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::string Factor::valueAt(double x, const std::vector<std::string>& base) const {
  const double v = integer ? std::round(lo + x * (hi - lo)) : lo + x * (hi - lo);
  if (scale) return scaledValue(base, v);
  return unit.empty() ? fmt::format("{:.9g}", v) : fmt::format("{:.9g} {}", v, unit);
}

Factor parseFactor(std::string_view text) {
  Factor f;
  f.text = std::string(text);
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw std::invalid_argument(
        fmt::format("--vary '{}': expected KEY=LO..HI, for example node.pir.quiescent=7.5 uA..30 "
                    "uA",
                    text));
  }
  std::string key = trim(text.substr(0, eq));
  if (!key.empty() && key.back() == '*') {
    f.scale = true;
    key = trim(std::string_view(key).substr(0, key.size() - 1));
  }
  f.key = key;
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument(fmt::format("--vary {}: {}", key, what));
  };
  const std::string range = trim(text.substr(eq + 1));
  const auto dots = range.find("..");
  if (dots == std::string::npos) fail(fmt::format("'{}': expected LO..HI", range));
  const std::string loText = trim(std::string_view(range).substr(0, dots));
  const std::string hiText = trim(std::string_view(range).substr(dots + 2));
  const auto lo = core::parseQuantity(loText), hi = core::parseQuantity(hiText);
  const auto split = splitNumber(loText), splitHi = splitNumber(hiText);
  if (!lo || !split) fail(fmt::format("'{}' is not a number or a quantity", loText));
  if (!hi || !splitHi) fail(fmt::format("'{}' is not a number or a quantity", hiText));
  if (lo->dimension != hi->dimension) {
    fail(fmt::format("'{}' is not {} like '{}'", hiText, core::describe(lo->dimension), loText));
  }
  f.unit = trim(split->unit);
  const auto zero = core::parseQuantity(f.unit.empty() ? "0" : "0 " + f.unit);
  const auto one = core::parseQuantity(f.unit.empty() ? "1" : "1 " + f.unit);
  f.lo = (lo->value - zero->value) / (one->value - zero->value);
  f.hi = (hi->value - zero->value) / (one->value - zero->value);
  auto whole = [](const std::string& t) {
    return !t.empty() && t.find_first_not_of("+-0123456789") == std::string::npos;
  };
  f.integer = !f.scale && f.unit.empty() && whole(loText) && whole(hiText);
  if (f.lo > f.hi) fail(fmt::format("lo '{}' > hi '{}'", loText, hiText));
  if (f.lo == f.hi) fail(fmt::format("lo and hi are both '{}': nothing varies", loText));
  return f;
}

std::vector<SweepPoint> sensitivityPoints(const SensitivityOptions& o) {
  const std::size_t k = o.factors.size();
  std::vector<std::vector<std::string>> base(k);
  for (std::size_t i = 0; i < k; ++i) {
    if (o.factors[i].scale) base[i] = scenarioValues(o.scenario, o.factors[i].key);
  }
  std::vector<std::vector<std::pair<std::string, std::string>>> values;
  values.push_back({});  // the baseline: the scenario as written
  for (std::size_t i = 0; i < k; ++i) {
    for (double x : {0.0, 1.0})
      values.push_back({{o.factors[i].key, o.factors[i].valueAt(x, base[i])}});
  }
  const double delta = o.morrisLevels / (2.0 * (o.morrisLevels - 1));
  for (const auto& t : morrisTrajectories(o.morrisTrajectories, k, o.morrisLevels, o.seed)) {
    std::vector<double> x = t.start;
    for (std::size_t step = 0; step <= k; ++step) {
      if (step > 0) x[t.order[step - 1]] += delta;
      std::vector<std::pair<std::string, std::string>> v;
      for (std::size_t i = 0; i < k; ++i) {
        v.emplace_back(o.factors[i].key, o.factors[i].valueAt(x[i], base[i]));
      }
      values.push_back(std::move(v));
    }
  }
  std::vector<SweepPoint> points;
  for (std::size_t i = 0; i < values.size(); ++i) {
    auto v = o.fixed;
    v.insert(v.end(), values[i].begin(), values[i].end());
    points.push_back({i, fmt::format("points/{:04}", i), std::move(v)});
  }
  return points;
}

std::string sensitivityTable(const json& r) {
  std::string out = fmt::format(
      "  baseline: life {} ({}), net {:+.4g} mAh/day\n",
      r["baseline"]["life_days"].is_number()
          ? fmt::format("{:.6g} days", r["baseline"]["life_days"].get<double>())
          : std::string("never"),
      r["baseline"]["life_basis"].get<std::string>(), r["baseline"]["net_mAh"].get<double>());
  out += "  one at a time, ranked by the larger change of life:\n";
  auto pct = [](const json& v) {
    return v.is_number() ? fmt::format("{:+.0f} %", v.get<double>()) : std::string("n/a");
  };
  std::size_t width = 0;
  for (const auto& f : r["factors"]) width = std::max(width, f["key"].get<std::string>().size());
  for (const auto& f : r["factors"]) {
    out += fmt::format(
        "  {:>2}. {:<{}}: {} / {} of life   net {:+.4g} / {:+.4g} mAh/day   ({} .. {})\n",
        f["rank"].get<int>(), f["key"].get<std::string>(), width, pct(f["life_low_pct"]),
        pct(f["life_high_pct"]), f["net_low_mAh"].get<double>(), f["net_high_mAh"].get<double>(),
        f["low"].get<std::string>(), f["high"].get<std::string>());
  }
  if (r.contains("morris")) {
    const json& m = r["morris"];
    out += fmt::format(
        "  Morris ({} trajectories, {} levels, delta {:.3g}), ranked by mu* of life:\n",
        m["trajectories"].get<std::size_t>(), m["levels"].get<int>(), m["delta"].get<double>());
    for (const auto& f : m["factors"]) {
      out += fmt::format(
          "  {:>2}. {:<{}}: mu* {:.4g} days, mu {:+.4g}, sigma {:.4g}  (net: mu* {:.4g} mAh/day)\n",
          f["rank"].get<int>(), f["key"].get<std::string>(), width, f["life_mu_star"].get<double>(),
          f["life_mu"].get<double>(), f["life_sigma"].get<double>(),
          f["net_mu_star"].get<double>());
    }
  }
  return out;
}

SensitivityOutcome runSensitivity(const SensitivityOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  json factors = json::array();
  for (const auto& f : o.factors) factors.push_back(f.text);
  PointRun run = studyRun(o, "sensitivity_points.json",
                          {{"vary", factors},
                           {"morris_trajectories", o.morrisTrajectories},
                           {"morris_levels", o.morrisLevels},
                           {"seed", o.seed}},
                          {{"vary", "the --vary ranges differ"},
                           {"morris_trajectories", "--morris differs"},
                           {"morris_levels", "--levels differs"},
                           {"seed", "--seed differs"}});
  run.complete = {"sensitivity.json", "sensitivity.txt"};
  run.points = sensitivityPoints(o);
  SensitivityOutcome outcome;
  outcome.run = runPoints(run);
  const auto all = gatherPointOutputs(o.out, run.points);  // every rank reads its share
  if (!outcome.run.writer) return outcome;

  const std::size_t k = o.factors.size();
  std::vector<std::optional<double>> life(run.points.size());
  std::vector<double> net(run.points.size());
  std::vector<std::string> basis(run.points.size());
  for (const auto& p : run.points) {
    const auto& outputs = all[p.index];
    life[p.index] = lifeOf(outputs, basis[p.index]);
    net[p.index] = netOf(outputs);
  }
  json r = {
      {"scenario", o.scenarioName},
      {"life",
       "battery_life_days where the battery emptied within the run, else "
       "projected_life_days (the charge left over the run's mean daily deficit)"},
      {"baseline", {{"life_days", opt(life[0])}, {"life_basis", basis[0]}, {"net_mAh", net[0]}}}};
  auto pct = [&](const std::optional<double>& v) -> json {
    if (!v || !life[0] || *life[0] == 0) return nullptr;
    return 100 * (*v - *life[0]) / *life[0];
  };
  json list = json::array();
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t lo = 1 + 2 * i, hi = 2 + 2 * i;
    list.push_back({{"key", o.factors[i].key},
                    {"low", run.points[lo].values.back().second},
                    {"high", run.points[hi].values.back().second},
                    {"life_low_days", opt(life[lo])},
                    {"life_high_days", opt(life[hi])},
                    {"life_low_pct", pct(life[lo])},
                    {"life_high_pct", pct(life[hi])},
                    {"net_low_mAh", net[lo]},
                    {"net_high_mAh", net[hi]}});
  }
  // Ranked by the larger change of life (a factor that makes life unbounded ranks first).
  auto swing = [](const json& f) {
    double s = 0;
    for (const char* c : {"life_low_pct", "life_high_pct"}) {
      s = std::max(s, f[c].is_number() ? std::abs(f[c].get<double>()) : INFINITY);
    }
    return s;
  };
  std::stable_sort(list.begin(), list.end(),
                   [&](const json& a, const json& b) { return swing(a) > swing(b); });
  for (std::size_t i = 0; i < list.size(); ++i) list[i]["rank"] = i + 1;
  r["factors"] = list;

  if (o.morrisTrajectories > 0) {
    const double delta = o.morrisLevels / (2.0 * (o.morrisLevels - 1));
    const auto trajectories = morrisTrajectories(o.morrisTrajectories, k, o.morrisLevels, o.seed);
    std::vector<std::vector<double>> eeLife(k), eeNet(k);
    std::size_t skipped = 0;
    for (std::size_t t = 0; t < trajectories.size(); ++t) {
      const std::size_t first = 1 + 2 * k + t * (k + 1);
      for (std::size_t step = 1; step <= k; ++step) {
        const std::size_t f = trajectories[t].order[step - 1];
        const auto a = life[first + step - 1], b = life[first + step];
        // Elementary effect in the factor's unit range: (y(x + delta e_i) - y(x)) / delta.
        if (a && b) {
          eeLife[f].push_back((*b - *a) / delta);
        } else {
          ++skipped;
        }
        eeNet[f].push_back((net[first + step] - net[first + step - 1]) / delta);
      }
    }
    auto stats = [](const std::vector<double>& ee) {
      double mu = 0, muStar = 0;
      for (double e : ee) {
        mu += e;
        muStar += std::abs(e);
      }
      const double n = static_cast<double>(ee.size());
      mu = n > 0 ? mu / n : NAN;
      muStar = n > 0 ? muStar / n : NAN;
      double ss = 0;
      for (double e : ee) ss += (e - mu) * (e - mu);
      return std::array<double, 3>{mu, muStar, n > 1 ? std::sqrt(ss / (n - 1)) : NAN};
    };
    json mf = json::array();
    for (std::size_t i = 0; i < k; ++i) {
      const auto l = stats(eeLife[i]), n = stats(eeNet[i]);
      mf.push_back({{"key", o.factors[i].key},
                    {"life_mu", l[0]},
                    {"life_mu_star", l[1]},
                    {"life_sigma", l[2]},
                    {"life_effects", eeLife[i].size()},
                    {"net_mu", n[0]},
                    {"net_mu_star", n[1]},
                    {"net_sigma", n[2]}});
    }
    std::stable_sort(mf.begin(), mf.end(), [](const json& a, const json& b) {
      const double x = a["life_mu_star"].is_number() ? a["life_mu_star"].get<double>() : -1;
      const double y = b["life_mu_star"].is_number() ? b["life_mu_star"].get<double>() : -1;
      return x > y;
    });
    for (std::size_t i = 0; i < mf.size(); ++i) mf[i]["rank"] = i + 1;
    r["morris"] = {{"trajectories", o.morrisTrajectories},
                   {"levels", o.morrisLevels},
                   {"delta", delta},
                   {"units",
                    "elementary effects per unit of the factor's range (LO..HI mapped to 0..1): "
                    "life in days, net in mAh/day"},
                   {"effects_without_a_life", skipped},
                   {"method",
                    "Morris (1991) one-step-at-a-time trajectories on a p-level grid; mu* = "
                    "mean |EE| (Campolongo, Cariboni & Saltelli 2007), sigma = sd of EE"},
                   {"factors", mf}};
  }
  outcome.json = o.out / "sensitivity.json";
  core::writeFileAtomically(outcome.json, r.dump(2) + "\n");
  core::writeFileAtomically(o.out / "sensitivity.txt", sensitivityTable(r));
  outcome.result = std::move(r);
  outcome.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return outcome;
}

}  // namespace ej::report
