// Sweep runner: the missing points are dealt into shards, each run by one worker process
// (`edgejoule sweep-shard`) that simulates all its points side by side in one SystemC
// kernel; at most N workers at a time. A point is done exactly when its summary.json exists:
// its folder is written through a temporary sibling renamed into place, so a killed worker
// leaves no half-written point.
#include "sim/report/sweep.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <stdexcept>

#include "sim/report/plot_data.h"

namespace ej::report {
namespace fs = std::filesystem;
using nlohmann::json;

SweepSet parseSweepSet(std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw std::invalid_argument(
        fmt::format("--set '{}': expected key.path=value1,value2,...", assignment));
  }
  SweepSet s{std::string(assignment.substr(0, eq)), {}};
  std::string value;
  const std::string_view text = assignment.substr(eq + 1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == ',') {
      value += ',';
      ++i;
    } else if (text[i] == ',') {
      s.values.push_back(value);
      value.clear();
    } else {
      value += text[i];
    }
  }
  s.values.push_back(value);
  for (auto& v : s.values) {
    const auto first = v.find_first_not_of(' ');
    v = first == std::string::npos ? "" : v.substr(first, v.find_last_not_of(' ') + 1 - first);
    if (v.empty()) {
      throw std::invalid_argument(fmt::format("--set {}: an empty value in '{}'", s.key, text));
    }
  }
  return s;
}

std::vector<SweepPoint> sweepPoints(const std::vector<SweepSet>& sets, bool zip) {
  std::vector<SweepPoint> points;
  if (sets.empty()) return points;
  std::size_t count = 1;
  if (zip) {
    for (const auto& s : sets) {
      if (s.values.size() == 1) continue;
      if (count != 1 && s.values.size() != count) {
        throw std::invalid_argument(
            fmt::format("--zip: --set {} has {} values where another list has {}", s.key,
                        s.values.size(), count));
      }
      count = s.values.size();
    }
  } else {
    for (const auto& s : sets) count *= s.values.size();
  }
  const int width = std::max<int>(4, static_cast<int>(std::to_string(count - 1).size()));
  for (std::size_t i = 0; i < count; ++i) {
    SweepPoint p{i, fmt::format("points/{:0{}}", i, width), {}};
    // Grid: the index in mixed radix, the last key the fastest digit.
    std::vector<std::size_t> digit(sets.size());
    std::size_t rest = i;
    for (std::size_t k = sets.size(); k-- > 0;) {
      const std::size_t n = sets[k].values.size();
      digit[k] = zip ? (n == 1 ? 0 : i) : rest % n;
      if (!zip) rest /= n;
    }
    for (std::size_t k = 0; k < sets.size(); ++k) {
      p.values.emplace_back(sets[k].key, sets[k].values[digit[k]]);
    }
    points.push_back(std::move(p));
  }
  return points;
}

namespace {

const json* find(const json& j, const std::string& dotted) {
  const json* node = &j;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    const std::string key = dotted.substr(start, dot - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}

std::string cell(const json* v) {
  if (!v || v->is_null()) return "";
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  if (v->is_number()) return fmt::format("{:.9g}", v->get<double>());
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

json readJson(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
  return json::parse(in);
}

std::string describe(const SweepPoint& p) {
  std::string d;
  for (const auto& [k, v] : p.values) d += (d.empty() ? "" : ", ") + k + "=" + v;
  return d;
}

std::string firstLine(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line.empty() ? "failed without a message" : line;
}

// The definition that must match for a folder's points to be reused.
json definition(const SweepOptions& o, const std::string& scenarioText) {
  json sets = json::array();
  for (const auto& s : o.sets) sets.push_back({{"key", s.key}, {"values", s.values}});
  return {{"scenario", o.scenario.string()},
          {"scenario_name", o.scenarioName},
          {"scenario_text", scenarioText},
          {"sets", sets},
          {"zip", o.zip}};
}

std::string duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  const long t = static_cast<long>(s + 0.5);
  return t >= 3600 ? fmt::format("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
                   : fmt::format("{}:{:02}", t / 60, t % 60);
}

class ProgressBar {
 public:
  ProgressBar(bool enabled, std::size_t total, std::size_t done)
      : m_enabled(enabled), m_total(total), m_start(done), m_done(done) {
    draw();
  }
  void pointDone() {
    ++m_done;
    draw();
  }
  void finish() {
    if (m_enabled) fmt::print(stderr, "\n");
  }

 private:
  void draw() {
    if (!m_enabled || m_total == 0) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - m_t0).count();
    const std::size_t now = m_done - m_start;
    const double rate = elapsed > 0 && now > 0 ? now / elapsed : 0;
    const std::size_t width = 30, filled = width * m_done / m_total;
    const std::string eta =
        rate > 0 ? "about " + duration((m_total - m_done) / rate) + " left" : "";
    fmt::print(stderr, "\r  [{}{}] {}/{} points  {:.2f} points/s  {}   ", std::string(filled, '#'),
               std::string(width - filled, '.'), m_done, m_total, rate, eta);
    std::fflush(stderr);
  }
  using Clock = std::chrono::steady_clock;
  bool m_enabled;
  std::size_t m_total, m_start, m_done;
  Clock::time_point m_t0 = Clock::now();
};

// Starts `PROGRAM sweep-shard SHARD_FILE` with stdout to /dev/null and stderr to ERR; the
// child dies with the sweep (PR_SET_PDEATHSIG), so a killed sweep leaves no worker behind to
// race its successor.
pid_t startShard(const SweepOptions& o, const fs::path& shardFile, const fs::path& err) {
  std::vector<std::string> args = {o.program.string(), "sweep-shard", shardFile.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(fmt::format("cannot fork: {}", strerror(errno)));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    const int null = open("/dev/null", O_WRONLY);
    const int errFd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null < 0 || errFd < 0 || dup2(null, 1) < 0 || dup2(errFd, 2) < 0) _exit(1);
    close(null);
    close(errFd);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Points per shard: enough shards to keep every worker busy to the end (about four per
// worker, so an unlucky last shard idles the others briefly), at most kMaxShard points each
// (a killed worker loses at most that many).
std::size_t shardSize(std::size_t pending, unsigned workers) {
  constexpr std::size_t kMaxShard = 16;
  const std::size_t shards = std::size_t{4} * workers;
  return std::clamp<std::size_t>((pending + shards - 1) / shards, 1, kMaxShard);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> sweepFigures(const json& summary) {
  std::vector<std::pair<std::string, std::string>> f;
  for (const char* key :
       {"battery_life_days", "energy_neutral", "daily.consumed_mAh", "daily.harvested_mAh",
        "daily.net_mAh", "daily.wasted_mAh", "daily.consumed_J", "daily.harvested_J",
        "battery.final_soc", "battery.minimum_mAh", "simulated_days"}) {
    f.emplace_back(key, cell(find(summary, key)));
  }
  // The accuracy of the (first) network the node runs, in percent: summary.json's
  // inference[0].accuracy_int8 is a fraction.
  if (summary.contains("inference") && !summary["inference"].empty() &&
      summary["inference"][0].contains("accuracy_int8")) {
    // null ("not measured": no labelled test data) stays an empty cell, never 0.
    const json& fraction = summary["inference"][0]["accuracy_int8"];
    const json percent = fraction.is_number() ? json(fraction.get<double>() * 100) : json(nullptr);
    f.emplace_back("accuracy", cell(&percent));
  }
  if (summary.contains("components")) {
    for (const auto& [name, c] : summary["components"].items()) {
      f.emplace_back("components." + name + ".charge_per_day_mAh",
                     cell(find(c, "charge_per_day_mAh")));
    }
  }
  return f;
}

fs::path writeSweepCsv(const fs::path& out, const std::vector<SweepSet>& sets,
                       const std::vector<SweepPoint>& points) {
  std::vector<std::map<std::string, std::string>> figures;
  std::vector<std::string> columns;
  for (const auto& p : points) {
    std::map<std::string, std::string> row;
    for (const auto& [k, v] : sweepFigures(readJson(out / p.dir / "summary.json"))) {
      if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
      row[k] = v;
    }
    figures.push_back(std::move(row));
  }
  std::string csv = "point";
  for (const auto& s : sets) csv += "," + csvField(s.key);
  for (const auto& c : columns) csv += "," + csvField(c);
  csv += "\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    csv += points[i].dir.substr(points[i].dir.find('/') + 1);
    for (const auto& kv : points[i].values) csv += "," + csvField(kv.second);
    for (const auto& c : columns) csv += "," + csvField(figures[i][c]);
    csv += "\n";
  }
  writeFileAtomically(out / "sweep.csv", csv);
  return out / "sweep.csv";
}

SweepOutcome runSweep(const SweepOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto points = sweepPoints(o.sets, o.zip);
  fs::create_directories(o.out / "points");

  // One sweep per folder at a time; the lock goes with the process, however it ends.
  const fs::path lockFile = o.out / ".lock";
  const int lock = open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) != 0) {
    throw std::runtime_error(fmt::format("{}: another sweep is running there", o.out.string()));
  }

  json def = definition(o, readFile(o.scenario));
  def["points"] = json::array();
  for (const auto& p : points) {
    json values = json::object();
    for (const auto& [k, v] : p.values) values[k] = v;
    def["points"].push_back({{"dir", p.dir}, {"values", values}});
  }
  const fs::path manifest = o.out / "sweep.json";
  if (fs::exists(manifest)) {
    const json old = readJson(manifest);
    for (const char* key : {"sets", "zip", "scenario_text"}) {
      if (old.value(key, json()) != def[key]) {
        const std::string what = key == std::string("sets")  ? "the --set values differ"
                                 : key == std::string("zip") ? "--zip differs"
                                                             : "the scenario file changed";
        throw std::runtime_error(fmt::format(
            "{} holds another sweep ({}); resume it with the same arguments and scenario, or "
            "choose another --out",
            o.out.string(), what));
      }
    }
  } else {
    writeFileAtomically(manifest, def.dump(2) + "\n");
  }
  fs::remove(o.out / "sweep.csv");  // it stands for a complete sweep only

  // Leftovers of a killed sweep: the temporary folders of points that never finished.
  for (const auto& e : fs::directory_iterator(o.out / "points")) {
    const std::string name = e.path().filename().string();
    if (name.rfind('.', 0) == 0 &&
        (name.find(".tmp-") != std::string::npos || name.rfind(".shard-", 0) == 0)) {
      fs::remove_all(e.path());
    }
  }

  SweepOutcome outcome;
  outcome.points = points.size();
  std::vector<const SweepPoint*> pending;
  for (const auto& p : points) {
    if (fs::exists(o.out / p.dir / "summary.json")) {
      ++outcome.alreadyDone;
    } else {
      pending.push_back(&p);
    }
  }
  ProgressBar bar(o.progress, points.size(), outcome.alreadyDone);
  const unsigned workers = std::max(1u, o.workers);
  // Shards to run; a shard that fails is dealt again one point per shard, so the failure is
  // pinned on its own point and the others still run.
  std::vector<std::vector<const SweepPoint*>> queue;
  if (o.horizons_s.size() == points.size()) {
    std::stable_sort(pending.begin(), pending.end(), [&](const SweepPoint* a, const SweepPoint* b) {
      return o.horizons_s[a->index] < o.horizons_s[b->index];
    });
  }
  const std::size_t size = o.shard ? o.shard : shardSize(pending.size(), workers);
  for (std::size_t i = 0; i < pending.size(); i += size) {
    queue.emplace_back(pending.begin() + i, pending.begin() + std::min(pending.size(), i + size));
  }
  struct Running {
    std::vector<const SweepPoint*> points;
    fs::path file, err;
  };
  std::map<pid_t, Running> running;
  std::vector<std::string> failures;
  std::size_t next = 0, shardNumber = 0;
  while (next < queue.size() || !running.empty()) {
    while (next < queue.size() && running.size() < workers) {
      Running r{queue[next++], {}, {}};
      const std::string stem = fmt::format(".shard-{}", shardNumber++);
      r.file = o.out / "points" / (stem + ".json");
      r.err = o.out / "points" / (stem + ".stderr");
      // The scenario as given (the worker shares our folder): summary.json names it so.
      json shard = {{"scenario", o.scenario.string()}, {"points", json::array()}};
      for (const SweepPoint* p : r.points) {
        json values = json::array();
        for (const auto& [k, v] : p->values) values.push_back({k, v});
        shard["points"].push_back({{"dir", fs::absolute(o.out / p->dir).string()},
                                   {"name", "p" + fs::path(p->dir).filename().string()},
                                   {"values", values}});
      }
      writeFileAtomically(r.file, shard.dump(2) + "\n");
      const pid_t pid = startShard(o, r.file, r.err);
      running[pid] = std::move(r);
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(fmt::format("waiting for a sweep shard: {}", strerror(errno)));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    Running r = std::move(it->second);
    running.erase(it);
    std::vector<const SweepPoint*> missing;
    // A point whose folder exists is done, however the worker ended: folders appear whole.
    for (const SweepPoint* p : r.points) {
      if (fs::exists(o.out / p->dir / "summary.json")) {
        ++outcome.ran;
        bar.pointDone();
      } else {
        missing.push_back(p);
      }
    }
    if (!missing.empty() && r.points.size() > 1) {
      for (const SweepPoint* p : missing) queue.push_back({p});
    } else if (!missing.empty()) {
      const SweepPoint& p = *missing.front();
      failures.push_back(fmt::format("point {} ({}): {}", p.dir, describe(p),
                                     WIFSIGNALED(status)
                                         ? fmt::format("killed by signal {}", WTERMSIG(status))
                                         : firstLine(r.err)));
    }
    fs::remove(r.file);
    if (missing.empty() || r.points.size() > 1) {
      fs::remove(r.err);
    } else {  // a point that failed alone keeps its stderr under its own name
      fs::rename(r.err,
                 o.out / "points" /
                     fmt::format(".{}.stderr", fs::path(missing.front()->dir).filename().string()));
    }
  }
  bar.finish();
  if (!failures.empty()) {
    throw std::runtime_error(fmt::format("{} of {} points failed (the others are kept); first: {}",
                                         failures.size(), points.size(), failures.front()));
  }
  outcome.csv = writeSweepCsv(o.out, o.sets, points);
  outcome.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return outcome;
}

}  // namespace ej::report
