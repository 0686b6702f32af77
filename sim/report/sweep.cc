// Sweep runner: the missing points are dealt into shards, each run by one worker process
// (`edgejoule sweep-shard`) that forks a process per point from itself, so that a point pays
// for neither exec nor the shared libraries (or, with --shard N, that simulates all its
// points side by side in one SystemC kernel); at most N workers at a time. A point is done exactly
// when its summary.json exists: its folder is written through a temporary sibling renamed into
// place, so a killed worker leaves no half-written point.
#include "sim/report/sweep.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>

#include "sim/core/io.h"
#include "sim/core/process.h"
#include "sim/report/mc.h"
#include "sim/report/pareto.h"
#include "sim/report/plot_data.h"
#include "sim/report/sweep_ranges.h"
#include "sim/report/world.h"

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
  int depth = 0;  // commas inside linspace(...) and logspace(...) do not split
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && depth > 0) --depth;
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == ',') {
      value += ',';
      ++i;
    } else if (text[i] == ',' && depth == 0) {
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
  // Ranges expand in place: `7:12:1`, `linspace(7.5 uA, 30 uA, 4)`, `logspace(1, 100, 3)`.
  std::vector<std::string> values;
  for (const auto& v : s.values) {
    std::optional<std::vector<std::string>> range;
    try {
      range = expandRange(v);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(fmt::format("--set {}: {}", s.key, e.what()));
    }
    if (range) {
      values.insert(values.end(), range->begin(), range->end());
    } else {
      values.push_back(v);
    }
  }
  s.values = std::move(values);
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

// Why a worker failed: the first line of its stderr (FILE). A worker that could not write
// even that (a full disk takes its message too) is described from outside: its exit STATUS
// if known, and the free space of the disk holding OUT when it is (nearly) full.
std::string firstLine(const fs::path& file, const fs::path& out = {},
                      std::optional<int> status = std::nullopt) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  if (!line.empty()) return line;
  line = status ? fmt::format("exited with status {} without a message", *status)
                : std::string("failed without a message");
  std::error_code ec;
  const auto space = out.empty() ? fs::space_info{} : fs::space(out, ec);
  // Less than 64 KiB free: not room for a point's files (summary.json alone is larger).
  if (!out.empty() && !ec && space.available < (64u << 10)) {
    line += fmt::format(
        ": the disk holding {} is full ({} bytes free), so neither its results "
        "nor its message could be written",
        out.string(), space.available);
  }
  return line;
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
// child dies with the sweep, so a killed sweep leaves no worker behind to race its successor.
pid_t startShard(const fs::path& program, const fs::path& shardFile, const fs::path& err) {
  return core::startProcess(
      {program.string(), {"sweep-shard", shardFile.string()}, {}, {}, err, true});
}

}  // namespace

std::vector<std::size_t> shardSizes(std::size_t pending, unsigned workers) {
  constexpr std::size_t kMaxShard = 16;
  const std::size_t share = std::size_t{2} * workers;
  std::vector<std::size_t> sizes;
  while (pending > 0) {
    sizes.push_back(std::clamp<std::size_t>((pending + share - 1) / share, 1, kMaxShard));
    pending -= sizes.back();
  }
  return sizes;
}

bool claimShard(const fs::path& points, std::size_t k) {
  const fs::path claim = points / fmt::format(".shard-claim-{}", k);
  const int fd = ::open(claim.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::close(fd);
    return true;
  }
  if (errno == EEXIST) return false;
  throw std::runtime_error(fmt::format("{}: {}", claim.string(), std::strerror(errno)));
}

std::vector<std::pair<std::string, std::string>> sweepFigures(const core::RunSummary& s) {
  const auto number = [](double v) { return fmt::format("{:.9g}", v); };
  std::vector<std::pair<std::string, std::string>> f = {
      {"battery_life_days", s.battery_life_days ? number(*s.battery_life_days) : ""},
      {"energy_neutral", s.energy_neutral ? "true" : "false"},
      {"daily.consumed_mAh", number(s.daily.consumed_mAh)},
      {"daily.harvested_mAh", number(s.daily.harvested_mAh)},
      {"daily.net_mAh", number(s.daily.net_mAh)},
      {"daily.wasted_mAh", number(s.daily.wasted_mAh)},
      {"daily.consumed_J", number(s.daily.consumed_J)},
      {"daily.harvested_J", number(s.daily.harvested_J)},
      {"battery.final_soc", number(s.battery.final_soc)},
      {"battery.minimum_mAh", number(s.battery.minimum_mAh)},
      {"simulated_days", number(s.simulated_days)}};
  // The int8 top-1 accuracy of the (first) network the node runs, a fraction in [0, 1] as
  // in summary.json's inference[0].accuracy_int8 (every machine-readable file carries a
  // fraction; text for people prints percent with a % sign); empty when not measured.
  if (!s.inference.empty()) {
    const auto& a = s.inference.front().accuracy_int8;
    f.emplace_back("accuracy", a ? number(*a) : "");
  }
  for (const auto& [name, c] : s.components) {
    f.emplace_back("components." + name + ".charge_per_day_mAh", number(c.charge_per_day_mAh));
  }
  return f;
}

std::vector<std::pair<std::string, std::string>> sweepFigures(const json& summary) {
  return sweepFigures(summary.get<core::RunSummary>());
}

bool pointDone(const fs::path& dir) {
  if (!core::isEdgejouleFolder(dir)) return false;
  try {
    core::readRunSummary(dir / "summary.json");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

fs::path writeSweepCsv(const fs::path& out, const std::vector<SweepSet>& sets,
                       const std::vector<SweepPoint>& points,
                       const std::vector<PointOutputs>& outputs) {
  std::vector<std::map<std::string, std::string>> figures;
  std::vector<std::string> columns;
  for (const auto& point : outputs) {
    std::map<std::string, std::string> row;
    for (const auto& [k, v] : point) {
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
  core::writeFileAtomically(out / "sweep.csv", csv);
  return out / "sweep.csv";
}

namespace {

// One run per folder at a time; the lock goes with the process, however it ends.
class FolderLock {
 public:
  explicit FolderLock(const fs::path& out) {
    const fs::path file = out / ".lock";
    m_fd = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0 || flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
      if (m_fd >= 0) close(m_fd);
      throw std::runtime_error(fmt::format("{}: another sweep is running there", out.string()));
    }
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock() { close(m_fd); }

 private:
  int m_fd = -1;
};

// Writes RUN's manifest, or checks that the folder's matches it (a folder holding another
// run is refused).
void writeOrCheckManifest(const PointRun& run) {
  json def = run.definition;
  def["points"] = json::array();
  for (const auto& p : run.points) {
    json values = json::object();
    for (const auto& [k, v] : p.values) values[k] = v;
    def["points"].push_back({{"dir", p.dir}, {"values", values}});
  }
  const fs::path manifest = run.out / run.manifest;
  if (!fs::exists(manifest)) {
    core::writeFileAtomically(manifest, def.dump(2) + "\n");
    return;
  }
  const json old = readJson(manifest);
  for (const auto& [key, what] : run.mustMatch) {
    if (old.value(key, json()) != def.value(key, json())) {
      throw std::runtime_error(fmt::format(
          "{} holds another {} ({}); resume it with the same arguments and scenario, or "
          "choose another --out",
          run.out.string(), fs::path(run.manifest).stem().string(), what));
    }
  }
  // The same run, grown (more Monte Carlo samples): the manifest lists the points now.
  if (old != def) core::writeFileAtomically(manifest, def.dump(2) + "\n");
}

// Leftovers of a killed run: the temporary folders of points that never finished.
void removeLeftovers(const fs::path& pointsDir) {
  for (const auto& e : fs::directory_iterator(pointsDir)) {
    const std::string name = e.path().filename().string();
    // `.NNNN.stderr`: what a point that failed alone said. It runs again now, and says it
    // again if it fails again.
    const bool failedPointStderr =
        name.size() > 8 && name.front() == '.' &&
        name.compare(name.size() - 7, 7, ".stderr") == 0 &&
        std::all_of(name.begin() + 1, name.end() - 7, [](char c) { return c >= '0' && c <= '9'; });
    if (name.rfind('.', 0) == 0 && (name.find(".tmp-") != std::string::npos ||
                                    name.rfind(".shard-", 0) == 0 || failedPointStderr)) {
      fs::remove_all(e.path());
    }
  }
}

bool pointDone(const PointRun& run, const SweepPoint& p) {
  return report::pointDone(run.out / p.dir);
}

// The shards of PENDING. With --shard N, cut from the points in order of horizon, so a
// kernel's nodes end together; forked, the longest horizons first (Graham's longest-first
// rule, SIAM J. Appl. Math. 17(2), 1969), so that the short points fill the workers' ends.
std::vector<std::vector<const SweepPoint*>> cutShards(const PointRun& run,
                                                      std::vector<const SweepPoint*> pending,
                                                      unsigned workers) {
  if (run.horizons_s.size() == run.points.size()) {
    std::stable_sort(pending.begin(), pending.end(), [&](const SweepPoint* a, const SweepPoint* b) {
      const double ha = run.horizons_s[a->index], hb = run.horizons_s[b->index];
      return run.shard ? ha < hb : ha > hb;
    });
  }
  // --shard N: N points a kernel; else forked points in shards of shrinking size.
  const std::vector<std::size_t> sizes =
      run.shard ? std::vector<std::size_t>((pending.size() + run.shard - 1) / run.shard, run.shard)
                : shardSizes(pending.size(), workers);
  std::vector<std::vector<const SweepPoint*>> shards;
  std::size_t first = 0;
  for (const std::size_t size : sizes) {
    const std::size_t end = std::min(pending.size(), first + size);
    shards.emplace_back(pending.begin() + first, pending.begin() + end);
    first = end;
  }
  return shards;
}

// The worker processes of one run: at most `workers` at a time, each simulating one shard.
// A shard that fails is dealt again one point per shard, so the failure is pinned on its own
// point and the others still run.
class ShardPool {
 public:
  ShardPool(const PointRun& run, ProgressBar& bar) : m_run(run), m_bar(bar) {}

  // Runs QUEUE to the end; returns the points run now and the failures, one line each. With
  // CLAIMED, the shards of QUEUE run here only if CLAIMED(index) says so (the ranks' shared
  // list); the points of a failed shard, queued again one a shard, are this process's own.
  std::size_t runAll(std::vector<std::vector<const SweepPoint*>> queue, unsigned workers,
                     const std::function<bool(std::size_t)>& claimed = {}) {
    m_queue = std::move(queue);
    const std::size_t shared = claimed ? m_queue.size() : 0;
    std::size_t next = 0;
    while (next < m_queue.size() || !m_running.empty()) {
      while (next < m_queue.size() && m_running.size() < workers) {
        const std::size_t k = next++;
        if (k < shared && !claimed(k)) continue;
        start(m_queue[k]);
      }
      if (!m_running.empty()) collect(core::waitForAnyChild());
    }
    return m_ran;
  }
  const std::vector<std::string>& failures() const { return m_failures; }
  const PointPhases& phases() const { return m_phases; }

 private:
  // A worker's times (written as it ended; none when it was killed).
  void addTimes(const fs::path& file) {
    try {
      if (fs::exists(file)) {
        const json t = readJson(file);
        m_phases.start += t.at("start_s").get<double>();
        m_phases.fork += t.at("fork_s").get<double>();
        m_phases.load += t.at("load_s").get<double>();
        m_phases.simulate += t.at("simulate_s").get<double>();
        m_phases.write += t.at("write_s").get<double>();
        m_phases.points += t.at("points").get<std::size_t>();
      }
    } catch (const std::exception&) {
      // Times are for the benchmark only: a worker killed while writing them costs nothing.
    }
    fs::remove(file);
  }

  struct Running {
    std::vector<const SweepPoint*> points;
    fs::path file, err, times;
  };

  void start(const std::vector<const SweepPoint*>& points) {
    Running r{points, {}, {}, {}};
    // The rank in the name: under MPI, ranks share the folder.
    const std::string stem = fmt::format(".shard-{}-{}-{}", getpid(), m_number++, points.size());
    r.file = m_run.out / "points" / (stem + ".json");
    r.err = m_run.out / "points" / (stem + ".stderr");
    // The scenario as given (the worker shares our folder): summary.json names it so.
    // The worker reports its times into TIMES; STARTED_AT (the steady clock, one clock for
    // every process) lets it time its own start.
    r.times = m_run.out / "points" / (stem + ".times.json");
    json shard = {{"scenario", m_run.scenario.string()},
                  {"one_kernel", m_run.shard != 0},
                  {"times", fs::absolute(r.times).string()},
                  {"points", json::array()}};
    for (const SweepPoint* p : r.points) {
      json values = json::array();
      for (const auto& [k, v] : p->values) values.push_back({k, v});
      shard["points"].push_back({{"dir", fs::absolute(m_run.out / p->dir).string()},
                                 {"name", "p" + fs::path(p->dir).filename().string()},
                                 {"values", values}});
    }
    shard["started_at"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    core::writeFileAtomically(r.file, shard.dump(2) + "\n");
    m_running[startShard(m_run.program, r.file, r.err)] = std::move(r);
  }

  void collect(const core::ChildExit& exit) {
    const auto it = m_running.find(exit.pid);
    if (it == m_running.end()) return;
    Running r = std::move(it->second);
    m_running.erase(it);
    std::vector<const SweepPoint*> missing;
    // A point whose folder exists is done, however the worker ended: folders appear whole.
    for (const SweepPoint* p : r.points) {
      if (pointDone(m_run, *p)) {
        ++m_ran;
        m_bar.pointDone();
      } else {
        missing.push_back(p);
      }
    }
    if (!missing.empty() && r.points.size() > 1) {
      for (const SweepPoint* p : missing) m_queue.push_back({p});
    } else if (!missing.empty()) {
      const SweepPoint& p = *missing.front();
      m_failures.push_back(fmt::format("point {} ({}): {}", p.dir, describe(p),
                                       exit.signalled
                                           ? fmt::format("killed by signal {}", exit.code)
                                           : firstLine(r.err, m_run.out, exit.code)));
    }
    addTimes(r.times);
    fs::remove(r.file);
    if (missing.empty() || r.points.size() > 1) {
      fs::remove(r.err);
    } else {  // a point that failed alone keeps its stderr under its own name
      fs::rename(r.err,
                 m_run.out / "points" /
                     fmt::format(".{}.stderr", fs::path(missing.front()->dir).filename().string()));
    }
  }

  const PointRun& m_run;
  ProgressBar& m_bar;
  std::vector<std::vector<const SweepPoint*>> m_queue;
  std::map<pid_t, Running> m_running;
  std::vector<std::string> m_failures;
  std::size_t m_number = 0, m_ran = 0;
  PointPhases m_phases;
};

}  // namespace

PointRunOutcome runPoints(const PointRun& run) {
  // The folder's and the scenario's paths go into JSON files (the definition, the shards),
  // and JSON holds UTF-8 only: any other path is refused before anything is written, by
  // every rank alike (nlohmann's dump is the check).
  for (const auto& [option, path] : {std::pair{"--out", run.out}, {"the scenario", run.scenario}}) {
    try {
      (void)json(fs::absolute(path).string()).dump();
    } catch (const json::type_error&) {
      throw core::OutputRefused(fmt::format(
          "{} {}: not UTF-8; a study writes its paths into JSON files, which hold UTF-8 only",
          option, path.string()));
    }
  }
  const World& world = World::get();
  PointRunOutcome outcome;
  outcome.points = run.points.size();
  outcome.ranks = world.size();
  outcome.writer = world.rank() == 0;
  // Rank 0 (the only one without MPI) takes the folder, checks it and finds what is left;
  // the other ranks receive the list.
  std::unique_ptr<FolderLock> lock;
  std::vector<std::size_t> pending;
  std::string error;
  if (world.rank() == 0) {
    try {
      // The folder is ours when new, empty, or an earlier run's (its marker, or the manifest
      // of a run written before markers); anything else is the user's and is refused.
      if (!fs::exists(run.out / run.manifest)) core::checkOutputTarget(run.out, run.force);
      fs::create_directories(run.out / "points");
      if (!core::isEdgejouleFolder(run.out)) {
        core::writeMarker(run.out,
                          {run.manifest.substr(0, run.manifest.find('.')), run.scenario.string()});
      }
      lock = std::make_unique<FolderLock>(run.out);
      writeOrCheckManifest(run);
      for (const auto& file : run.complete) fs::remove(run.out / file);
      removeLeftovers(run.out / "points");
      for (const auto& p : run.points) {
        if (pointDone(run, p)) continue;
        // A folder without the marker and a summary that reads is no result (a full disk, or
        // an older edgejoule, left it): points/ is the run's own, so the point runs again.
        if (fs::exists(run.out / p.dir)) {
          fs::remove_all(run.out / p.dir);
          ++outcome.rerun;
        }
        pending.push_back(p.index);
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  // The lock stays held until the process ends, past the tables written after this returns.
  static std::vector<std::unique_ptr<FolderLock>> held;
  if (lock) held.push_back(std::move(lock));
  world.broadcast(error, pending);
  if (!error.empty()) throw std::runtime_error(error);
  outcome.alreadyDone = run.points.size() - pending.size();

  std::vector<const SweepPoint*> toRun;
  for (const std::size_t i : pending) toRun.push_back(&run.points.at(i));
  const unsigned workers = std::max(1u, run.workers);
  // Under MPI every rank cuts the same shards, for all the ranks' workers, and takes them from
  // that one list by claims (claimShard) as its workers free up. A rank's progress is its own,
  // so only a single process draws the bar (a rank's stderr is the launcher's pipe anyway).
  ProgressBar bar(run.progress && world.size() == 1, outcome.points, outcome.alreadyDone);
  ShardPool pool(run, bar);
  const fs::path points = run.out / "points";
  std::function<bool(std::size_t)> claimed;
  if (world.size() > 1) claimed = [&points](std::size_t k) { return claimShard(points, k); };
  outcome.ran = pool.runAll(cutShards(run, toRun, workers * world.size()), workers, claimed);
  bar.finish();
  const std::size_t failed = world.sum(pool.failures().size());
  // Every rank is past its pool (the sum above waits for all): the claims can go.
  if (world.size() > 1 && world.rank() == 0) {
    for (const auto& e : fs::directory_iterator(points)) {
      if (e.path().filename().string().rfind(".shard-claim-", 0) == 0) fs::remove(e.path());
    }
  }
  outcome.ran = world.sum(outcome.ran);
  // Summed over the ranks in microseconds (the world sums counts).
  const auto sumSeconds = [&world](double s) {
    return static_cast<double>(world.sum(static_cast<std::size_t>(s * 1e6 + 0.5))) / 1e6;
  };
  const PointPhases& ph = pool.phases();
  outcome.phases = {sumSeconds(ph.start),    sumSeconds(ph.fork),  sumSeconds(ph.load),
                    sumSeconds(ph.simulate), sumSeconds(ph.write), world.sum(ph.points)};
  if (failed > 0) {
    std::string first = pool.failures().empty() ? "" : pool.failures().front();
    if (first.empty()) {  // failed on another rank: its point kept its stderr
      for (std::size_t i : pending) {
        const SweepPoint& p = run.points[i];
        if (pointDone(run, p)) continue;
        first = fmt::format(
            "point {} ({}): {}", p.dir, describe(p),
            firstLine(
                run.out / "points" / fmt::format(".{}.stderr", fs::path(p.dir).filename().string()),
                run.out));
        break;
      }
    }
    throw std::runtime_error(fmt::format("{} of {} points failed (the others are kept); first: {}",
                                         failed, run.points.size(), first));
  }
  return outcome;
}

PointRun studyRun(const StudyOptions& o, const std::string& manifest, json definition,
                  std::vector<std::pair<std::string, std::string>> mustMatch) {
  PointRun run;
  run.scenario = o.scenario;
  run.out = o.out;
  run.manifest = manifest;
  json fixed = json::array();
  for (const auto& [k, v] : o.fixed) fixed.push_back(k + "=" + v);
  definition["set"] = fixed;
  definition["scenario"] = o.scenario.string();
  definition["scenario_name"] = o.scenarioName;
  definition["scenario_text"] = readFile(o.scenario);
  run.definition = std::move(definition);
  run.mustMatch = std::move(mustMatch);
  run.mustMatch.emplace_back("set", "the --set values differ");
  run.mustMatch.emplace_back("scenario_text", "the scenario file changed");
  run.workers = o.workers;
  run.shard = o.shard;
  run.program = o.program;
  run.progress = o.progress;
  return run;
}

SweepOutcome runSweep(const SweepOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  PointRun run;
  run.scenario = o.scenario;
  run.out = o.out;
  run.manifest = "sweep.json";
  json sets = json::array();
  for (const auto& s : o.sets) sets.push_back({{"key", s.key}, {"values", s.values}});
  run.definition = {{"scenario", o.scenario.string()},
                    {"scenario_name", o.scenarioName},
                    {"scenario_text", readFile(o.scenario)},
                    {"sets", sets},
                    {"zip", o.zip}};
  if (!o.pareto.empty()) {
    json objectives = json::array();
    for (const auto& [column, max] : o.pareto) {
      objectives.push_back({{"column", column}, {"sense", max ? "max" : "min"}});
    }
    run.definition["pareto"] = objectives;
  }
  run.mustMatch = {{"sets", "the --set values differ"},
                   {"zip", "--zip differs"},
                   {"scenario_text", "the scenario file changed"}};
  run.complete = {"sweep.csv"};  // it stands for a complete sweep only
  run.points = sweepPoints(o.sets, o.zip);
  run.workers = o.workers;
  run.shard = o.shard;
  run.horizons_s = o.horizons_s;
  run.program = o.program;
  run.progress = o.progress;
  run.force = o.force;
  const PointRunOutcome r = runPoints(run);
  const auto outputs = gatherPointOutputs(o.out, run.points);  // every rank reads its share
  SweepOutcome outcome;
  outcome.points = r.points;
  outcome.alreadyDone = r.alreadyDone;
  outcome.rerun = r.rerun;
  outcome.ran = r.ran;
  outcome.ranks = r.ranks;
  outcome.phases = r.phases;
  if (r.writer) {
    outcome.csv = writeSweepCsv(o.out, o.sets, run.points, outputs);
    if (!o.pareto.empty()) {
      std::vector<Objective> objectives;
      for (const auto& [column, max] : o.pareto) objectives.push_back({column, max});
      outcome.paretoPoints = markPareto(outcome.csv, objectives);
    }
  }
  outcome.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return outcome;
}

}  // namespace ej::report
