// Monte Carlo runs: points from --vary distributions, run by the sweep's point runner,
// gathered into mc.csv and mc_summary.json; see mc.h and README.md.
#include "sim/report/mc.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "sim/core/config.h"
#include "sim/core/io.h"
#include "sim/core/process.h"
#include "sim/report/plot_data.h"
#include "sim/report/stats.h"
#include "sim/report/world.h"
#include "sim/report/yaml_walk.h"

namespace ej::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Columns read as lifetimes: empty means the battery outlived the run (battery_life_days)
// or never empties at the run's mean rate (projected_life_days): right-censored.
bool isLifeColumn(const std::string& c) {
  return c == "battery_life_days" || c == "projected_life_days";
}

void findSeeds(const YAML::Node& node, const std::string& path, std::vector<std::string>& keys,
               FirstVisit& first) {
  if (!first(node)) return;  // an alias of a node already walked
  auto join = [&](const std::string& k) { return path.empty() ? k : path + "." + k; };
  if (node.IsMap()) {
    bool lorawan = false, hasSeed = false;
    for (const auto& kv : node) {
      const std::string k = kv.first.as<std::string>();
      if (k == "seed" && kv.second.IsScalar()) {
        keys.push_back(join(k));
        hasSeed = true;
      } else if (k == "protocol" && kv.second.IsScalar() && kv.second.Scalar() == "lorawan") {
        lorawan = true;
      } else {
        findSeeds(kv.second, join(k), keys, first);
      }
    }
    if (lorawan && !hasSeed) keys.push_back(join("seed"));
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      findSeeds(node[i], join(std::to_string(i)), keys, first);
    }
  }
}

json readJsonFile(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
  return json::parse(in);
}

std::string number(double v) { return fmt::format("{:.9g}", v); }

}  // namespace

std::vector<std::string> scenarioSeedKeys(const fs::path& scenario) {
  std::vector<std::string> keys;
  FirstVisit first;
  findSeeds(YAML::LoadFile(scenario.string()), "", keys, first);
  return keys;
}

std::vector<std::string> scenarioValues(const fs::path& scenario, const std::string& key) {
  core::Config node = core::Config::load(scenario);
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    if (dot == std::string::npos) break;
    node = node.child(key.substr(start, dot - start));
    start = dot + 1;
  }
  const std::string last = key.substr(start);
  if (!node.has(last)) node.fail(last, "missing: a scaled key (KEY*=) needs a value to scale");
  return node.texts(last);
}

std::string scaledValue(const std::vector<std::string>& base, double factor) {
  std::vector<std::string> out;
  for (const auto& b : base) {
    const auto n = splitNumber(b);
    if (!n) throw std::invalid_argument(fmt::format("'{}' is not a number to scale", b));
    out.push_back(n->unit.empty() ? number(n->value * factor)
                                  : fmt::format("{:.9g} {}", n->value * factor, n->unit));
  }
  if (out.size() == 1) return out.front();
  std::string list = "[";
  for (std::size_t i = 0; i < out.size(); ++i) list += (i ? ", " : "") + out[i];
  return list + "]";
}

std::vector<SweepPoint> mcPoints(const McOptions& o) {
  const auto u = sampleUnit(o.seed, o.samples, o.vary.size(), o.latinHypercube);
  const auto seedKeys = o.drawSeeds ? scenarioSeedKeys(o.scenario) : std::vector<std::string>{};
  std::map<std::string, std::vector<std::string>> base;
  for (const auto& v : o.vary) {
    if (v.scale) base[v.key] = scenarioValues(o.scenario, v.key);
  }
  const int width = std::max<int>(4, static_cast<int>(std::to_string(o.samples - 1).size()));
  std::vector<SweepPoint> points;
  for (std::size_t i = 0; i < o.samples; ++i) {
    SweepPoint p{i, fmt::format("points/{:0{}}", i, width), o.fixed};
    for (std::size_t k = 0; k < o.vary.size(); ++k) {
      const auto& v = o.vary[k];
      if (v.scale) {
        p.values.emplace_back(v.key, scaledValue(base[v.key], v.dist.quantile(u[i][k])));
      } else {
        p.values.emplace_back(v.key, v.dist.valueAt(u[i][k]));
      }
    }
    const auto seeds = sampleSeeds(o.seed, i, seedKeys.size());
    for (std::size_t k = 0; k < seedKeys.size(); ++k) {
      p.values.emplace_back(seedKeys[k], std::to_string(seeds[k]));
    }
    points.push_back(std::move(p));
  }
  return points;
}

PointOutputs pointOutputs(const fs::path& dir) {
  const json summary = readJsonFile(dir / "summary.json");
  auto out = sweepFigures(summary);
  // Projected life: the battery's life when it emptied; else the charge left at the end
  // over the run's mean daily deficit (a linear extrapolation: no self-discharge, rate or
  // temperature effects beyond the run); empty when the run's mean balance is not negative.
  std::string projected;
  const json& life = summary.value("battery_life_days", json());
  if (life.is_number()) {
    projected = number(life.get<double>());
  } else {
    const double net = summary.at("daily").at("net_mAh").get<double>();
    if (net < 0) {
      projected = number(summary.at("simulated_days").get<double>() +
                         summary.at("battery").at("final_mAh").get<double>() / -net);
    }
  }
  out.emplace_back("projected_life_days", projected);
  // The December balance: the mean and the worst whole day of every December in the run.
  std::string decMean, decWorst;
  if (fs::exists(dir / "daily.csv")) {
    const CsvTable daily = CsvTable::read(dir / "daily.csv");
    const auto date = daily.column("date"), net = daily.column("net_mAh"),
               len = daily.column("length_d");
    double sum = 0, worst = INFINITY;
    std::size_t n = 0;
    for (std::size_t r = 0; date && net && len && r < daily.rows.size(); ++r) {
      const std::string& d = daily.rows[r][*date];
      if (d.size() < 7 || d.substr(5, 2) != "12" || daily.number(r, *len).value_or(0) < 1) {
        continue;
      }
      const double v = daily.number(r, *net).value_or(NAN);
      sum += v;
      worst = std::min(worst, v);
      ++n;
    }
    if (n > 0) {
      decMean = number(sum / n);
      decWorst = number(worst);
    }
  }
  out.emplace_back("december.mean_net_mAh", decMean);
  out.emplace_back("december.worst_day_net_mAh", decWorst);
  return out;
}

json summarizeSamples(const fs::path& csv, const std::vector<std::string>& inputColumns,
                      double level) {
  const CsvTable t = CsvTable::read(csv);
  json outputs = json::object();
  const auto horizon = t.column("simulated_days");
  for (std::size_t c = 0; c < t.header.size(); ++c) {
    const std::string& name = t.header[c];
    if (name == "sample" ||
        std::find(inputColumns.begin(), inputColumns.end(), name) != inputColumns.end()) {
      continue;
    }
    std::vector<double> values;
    std::size_t empty = 0, text = 0;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      if (const auto v = t.number(r, c)) {
        values.push_back(*v);
      } else if (t.rows[r][c].empty()) {
        ++empty;
      } else {
        ++text;
      }
    }
    const bool life = isLifeColumn(name);
    // Not a numeric output (a life column is one even when every sample is censored).
    if ((values.empty() && !(life && empty > 0)) || text > 0) continue;
    const std::size_t censored = life ? empty : 0;
    json o = {{"n", values.size() + censored}};
    if (life) {
      o["observed"] = values.size();
      o["censored"] = censored;
      if (censored > 0) {
        double h = 0;
        for (std::size_t r = 0; horizon && r < t.rows.size(); ++r) {
          h = std::max(h, t.number(r, *horizon).value_or(0));
        }
        o["censoring"] = name == "battery_life_days"
                             ? fmt::format(
                                   "right-censored: {} of {} samples never emptied within the run "
                                   "({:g} days); percentiles falling among them are null (beyond "
                                   "the horizon), and mean and sd are not given",
                                   censored, values.size() + censored, h)
                             : fmt::format(
                                   "right-censored: {} of {} samples do not empty at their run's "
                                   "mean balance (not negative); percentiles falling among them "
                                   "are null (never), and mean and sd are not given",
                                   censored, values.size() + censored);
      }
    } else if (empty > 0) {
      o["missing"] = empty;
    }
    if (censored == 0) {
      const Moments m = moments(values);
      o["mean"] = m.mean;
      o["sd"] = m.sd;
    } else {
      o["mean"] = nullptr;
      o["sd"] = nullptr;
    }
    json ps = json::object();
    for (double p : {0.05, 0.10, 0.50, 0.90, 0.95}) {
      const Percentile q = percentile(values, censored, p, level);
      auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
      ps[fmt::format("p{}", static_cast<int>(std::lround(p * 100)))] = {
          {"value", opt(q.value)},        {"rank", q.rank},
          {"ci_lower", opt(q.lower)},     {"ci_upper", opt(q.upper)},
          {"ci_lower_rank", q.lowerRank}, {"ci_upper_rank", q.upperRank},
          {"ci_coverage", q.coverage}};
    }
    o["percentiles"] = ps;
    outputs[name] = o;
  }
  return {{"samples", t.rows.size()},
          {"confidence_level", level},
          {"percentile_method",
           "P = X_(k), k = ceil(p n) of the n samples sorted (inverse empirical CDF); its "
           "interval [X_(l), X_(u)] is distribution-free, from order statistics (Hahn & Meeker "
           "1991, Statistical Intervals, section 5.2): the largest l and smallest u whose "
           "binomial tails are each at most (1 - level)/2; ci_coverage is the exact coverage. "
           "A bound whose rank falls outside the sample, or among censored samples, is null"},
          {"outputs", outputs}};
}

std::string percentileText(const std::string& name, const json& output, const json& percentile,
                           const std::string& field) {
  const json& v = percentile.at(field);
  if (v.is_number()) return fmt::format("{:.6g}", v.get<double>());
  // A null rank within the observed samples: no such order statistic (too few samples);
  // beyond them: censored.
  const std::string rankKey = field == "value" ? "rank" : field + "_rank";
  const std::size_t n = output.at("n").get<std::size_t>();
  const std::size_t observed = output.value("observed", n);
  return isLifeColumn(name) && percentile.at(rankKey).get<std::size_t>() > observed
             ? std::string(">run")
             : std::string("n/a");
}

std::string describeMcSummary(const json& s) {
  std::string out = fmt::format(
      "  P10, P50, P90 [{:g} % interval] (n/a: too few samples for that bound; >run: beyond "
      "the run, censored)\n",
      100 * s.value("confidence_level", 0.95));
  for (const char* name :
       {"battery_life_days", "projected_life_days", "daily.net_mAh", "daily.consumed_mAh",
        "december.mean_net_mAh", "december.worst_day_net_mAh"}) {
    if (!s["outputs"].contains(name)) continue;
    const json& o = s["outputs"][name];
    out += fmt::format("  {}", name);
    if (o.value("censored", 0) > 0) {
      out += fmt::format(" ({} of {} censored)", o["censored"].get<std::size_t>(),
                         o["n"].get<std::size_t>());
    }
    out += ":\n   ";
    for (const char* p : {"p10", "p50", "p90"}) {
      const json& q = o["percentiles"][p];
      out += fmt::format(" {} {} [{}, {}]", p, percentileText(name, o, q, "value"),
                         percentileText(name, o, q, "ci_lower"),
                         percentileText(name, o, q, "ci_upper"));
    }
    if (o["mean"].is_number()) {
      out += fmt::format("  mean {:.6g} sd {:.3g}", o["mean"].get<double>(), o["sd"].get<double>());
    }
    out += "\n";
  }
  return out;
}

std::vector<PointOutputs> gatherPointOutputs(const fs::path& out,
                                             const std::vector<SweepPoint>& points) {
  const World& world = World::get();
  // This rank's share: points rank, rank + ranks, ... (all of them alone).
  std::vector<std::size_t> mine;
  for (std::size_t i = world.rank(); i < points.size(); i += world.size()) mine.push_back(i);
  std::vector<PointOutputs> read(mine.size());
  const std::size_t n =
      std::clamp<std::size_t>(core::usableCpus(), 1, std::max<std::size_t>(1, mine.size()));
  // A thread's first failure: its point's index among MINE, and the exception.
  std::vector<std::pair<std::size_t, std::exception_ptr>> errors(n, {mine.size(), nullptr});
  const auto readShare = [&](std::size_t t) {
    for (std::size_t j = t; j < mine.size(); j += n) {
      try {
        read[j] = pointOutputs(out / points[mine[j]].dir);
      } catch (...) {
        errors[t] = {j, std::current_exception()};
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < n; ++t) pool.emplace_back(readShare, t);
  readShare(0);
  for (auto& th : pool) th.join();
  // The failure of the first point in the points' order: the same whatever read it.
  const auto failed = std::min_element(errors.begin(), errors.end(),
                                       [](auto& a, auto& b) { return a.first < b.first; });
  if (world.size() == 1) {
    if (failed->second) std::rethrow_exception(failed->second);
    return read;
  }
  // Under MPI: each rank's rows (or its first failure) to rank 0, as JSON. Nothing before the
  // gather may throw: rank 0 would wait in it for ever. So any exception counts, a path that
  // is not UTF-8 is sent with replacement characters, and a rank that cannot even say what
  // failed (out of memory) fails at its first point.
  std::string share;
  try {
    json s;
    if (failed->second) {
      std::string what = "an error that is not a std::exception";
      try {
        std::rethrow_exception(failed->second);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      s = {{"failed", mine[failed->first]}, {"error", what}};
    } else {
      s = {{"rows", read}};
    }
    share = s.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (...) {
    share = fmt::format(R"({{"failed": {}, "error": "MPI rank {}: cannot send its rows"}})",
                        mine.empty() ? 0 : mine.front(), world.rank());
  }
  const std::vector<std::string> shares = world.gather(std::move(share));
  if (world.rank() != 0) return {};
  std::vector<PointOutputs> all(points.size());
  std::pair<std::size_t, std::string> firstFailure{points.size(), ""};
  for (std::size_t r = 0; r < shares.size(); ++r) {
    const json s = json::parse(shares[r]);
    if (s.contains("failed")) {
      firstFailure = std::min(
          firstFailure, {s.at("failed").get<std::size_t>(), s.at("error").get<std::string>()});
      continue;
    }
    const auto& rows = s.at("rows");
    for (std::size_t j = 0; j < rows.size(); ++j) {
      all[r + j * shares.size()] = rows[j].get<PointOutputs>();
    }
  }
  if (firstFailure.first < points.size()) throw std::runtime_error(firstFailure.second);
  return all;
}

McOutcome runMc(const McOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  json vary = json::array();
  for (const auto& v : o.vary) vary.push_back(v.text);
  // Plain Monte Carlo draws sample i the same for any N: a folder grows from 100 to 1,000
  // samples by running the 900 new ones. A Latin hypercube's strata depend on N.
  PointRun run = studyRun(o, "mc.json",
                          {{"vary", vary},
                           {"seed", o.seed},
                           {"draw_seeds", o.drawSeeds},
                           {"latin_hypercube", o.latinHypercube},
                           {"samples", o.samples}},
                          {{"vary", "the --vary distributions differ"},
                           {"seed", "--seed differs"},
                           {"draw_seeds", "--fixed-seeds differs"},
                           {"latin_hypercube", "--lhs differs"}});
  if (o.latinHypercube) run.mustMatch.emplace_back("samples", "--samples differs (--lhs)");
  run.complete = {"mc.csv", "mc_summary.json"};
  run.points = mcPoints(o);
  McOutcome outcome;
  outcome.run = runPoints(run);
  const auto gathering = std::chrono::steady_clock::now();
  const auto outputs = gatherPointOutputs(o.out, run.points);  // every rank reads its share
  if (outcome.run.writer) {
    // mc.csv: sample, the drawn inputs, then every output.
    std::vector<std::string> inputs;
    for (const auto& [k, v] : run.points.front().values) inputs.push_back(k);
    // The --set values are the same in every row: columns too, so a row is a whole run.
    std::vector<std::string> columns;
    std::vector<std::map<std::string, std::string>> rows;
    for (const auto& point : outputs) {
      std::map<std::string, std::string> row;
      for (const auto& [k, v] : point) {
        if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
        row[k] = v;
      }
      rows.push_back(std::move(row));
    }
    std::string csv = "sample";
    for (const auto& k : inputs) csv += "," + csvField(k);
    for (const auto& c : columns) csv += "," + csvField(c);
    csv += "\n";
    for (std::size_t i = 0; i < run.points.size(); ++i) {
      csv += std::to_string(i);
      for (const auto& kv : run.points[i].values) csv += "," + csvField(kv.second);
      for (const auto& c : columns) csv += "," + csvField(rows[i][c]);
      csv += "\n";
    }
    outcome.csv = o.out / "mc.csv";
    core::writeFileAtomically(outcome.csv, csv);
    json s = summarizeSamples(outcome.csv, inputs, o.level);
    s["scenario"] = o.scenarioName;
    s["seed"] = o.seed;
    s["latin_hypercube"] = o.latinHypercube;
    s["vary"] = vary;
    s["set"] = run.definition["set"];
    s["seed_keys"] = json::array();
    if (o.drawSeeds) s["seed_keys"] = scenarioSeedKeys(o.scenario);
    s["sampling"] =
        "u = 53 bits of std::mt19937_64 (seeded per sample by SplitMix64 of --seed and the "
        "sample index) through each distribution's inverse CDF (Boost.Math)" +
        std::string(o.latinHypercube ? "; Latin hypercube: u = (stratum + u) / N, strata "
                                       "permuted per factor (McKay, Beckman & Conover 1979)"
                                     : "");
    outcome.summary = o.out / "mc_summary.json";
    core::writeFileAtomically(outcome.summary, s.dump(2) + "\n");
    outcome.summaryJson = std::move(s);
  }
  outcome.gather_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - gathering).count();
  outcome.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return outcome;
}

}  // namespace ej::report
