// Monte Carlo, sensitivity, Pareto and range pieces without a kernel: distributions against
// closed forms, percentile intervals against binomial tables, sampling determinism, ranges,
// Pareto fronts worked out by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "sim/core/config.h"
#include "sim/report/distributions.h"
#include "sim/report/mc.h"
#include "sim/report/pareto.h"
#include "sim/report/sensitivity.h"
#include "sim/report/stats.h"
#include "sim/report/sweep.h"
#include "sim/report/sweep_ranges.h"
#include "tests/yaml_text.h"

namespace ej::report {
namespace {

// Quantiles: Boost.Math agrees with closed forms to rounding; 1e-9 relative covers it.
constexpr double kRel = 1e-9;

TEST(DistributionTest, QuantilesMatchClosedForms) {
  // normal(10, 2) at 0.975: 10 + 2 z, z = 1.959963984540054 (the standard 97.5 % point).
  EXPECT_NEAR(parseVary("k=normal(10, 2)").dist.quantile(0.975), 10 + 2 * 1.959963984540054,
              13.92 * kRel);
  // lognormal(median 20, sigma 0.5): the median, and at Phi(1) = 0.8413447460685429 it is
  // 20 e^0.5.
  const auto ln = parseVary("k=lognormal(20 /d, 0.5)").dist;
  EXPECT_NEAR(ln.quantile(0.5), 20, 20 * kRel);
  EXPECT_NEAR(ln.quantile(0.8413447460685429), 20 * std::exp(0.5), 33 * 1e-8);
  // triangular(0, 1, 2): F(x) = x^2 / 2 below the mode, so F^-1(0.125) = 0.5; the mode at 0.5.
  const auto tri = parseVary("k=triangular(0, 1, 2)").dist;
  EXPECT_NEAR(tri.quantile(0.125), 0.5, kRel);
  EXPECT_NEAR(tri.quantile(0.5), 1.0, kRel);
  // uniform(7.5, 30) at 0.25: 7.5 + 0.25 x 22.5 = 13.125, written in the first bound's unit
  // (0.03 mA is 30 uA).
  const auto uni = parseVary("node.pir.quiescent=uniform(7.5 uA, 0.03 mA)").dist;
  EXPECT_EQ(uni.unit, "uA");
  EXPECT_NEAR(uni.quantile(0.25), 13.125, 13.125 * kRel);
  EXPECT_EQ(uni.valueAt(0.5), "18.75 uA");
  // choice: equal probability per item, in order.
  const auto ch = parseVary("w=choice(a.csv, b.csv, c.csv)").dist;
  EXPECT_EQ(ch.valueAt(0.0), "a.csv");
  EXPECT_EQ(ch.valueAt(0.34), "b.csv");
  EXPECT_EQ(ch.valueAt(0.99), "c.csv");
  EXPECT_TRUE(parseVary("node.battery.capacity*=uniform(0.95, 1.05)").scale);
}

TEST(DistributionTest, BadDistributionsAreOneLocatedLine) {
  auto error = [](const std::string& text) {
    try {
      parseVary(text);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("a.b=gauss(1, 2)"),
            "--vary a.b: unknown distribution 'gauss' (normal, lognormal, uniform, triangular, "
            "choice)");
  EXPECT_EQ(error("a.b=normal(1)"), "--vary a.b: normal takes 2 arguments (mean, sd), not 1");
  EXPECT_EQ(error("a.b=uniform(3 uA, 2 s)"),
            "--vary a.b: '2 s' is not a current (e.g. 120 mA) "
            "like '3 uA'");
  EXPECT_EQ(error("a.b=uniform(30 uA, 7.5 uA)"), "--vary a.b: uniform: lo '30 uA' > hi '7.5 uA'");
  EXPECT_EQ(error("a.b=normal(15 uA, -2 uA)"), "--vary a.b: normal: the sd '-2 uA' is negative");
  EXPECT_EQ(error("a.b=triangular(3, 2, 1)"), "--vary a.b: triangular: lo '3' > hi '1'");
  EXPECT_EQ(error("a.b=triangular(1, 5, 3)"),
            "--vary a.b: triangular: the mode '5' is not within [1, 3]");
  EXPECT_EQ(error("a.b=lognormal(20 /d, 2 /d)"),
            "--vary a.b: sigma '2 /d' is of ln(x): a plain number");
  EXPECT_EQ(error("a.b"),
            "--vary 'a.b': expected KEY=DIST, for example "
            "node.pir.quiescent=uniform(7.5 uA, 30 uA)");
}

TEST(SamplingTest, PortableGeneratorAndDeterministicSamples) {
  // The C++ standard fixes mt19937_64's 10000th output for the default seed
  // ([rand.predef]): the generator under every draw is the same everywhere.
  std::mt19937_64 g;
  g.discard(9999);
  EXPECT_EQ(g(), 9981545732273789042ULL);
  // Plain Monte Carlo: sample i does not depend on N (a folder grows by its new samples).
  const auto a = sampleUnit(42, 10, 3, false), b = sampleUnit(42, 100, 3, false);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(a[i], b[i]);
  EXPECT_NE(sampleUnit(43, 10, 3, false)[0], a[0]);
  // Latin hypercube: every factor's N strata are each hit exactly once.
  const auto l = sampleUnit(7, 50, 4, true);
  for (std::size_t k = 0; k < 4; ++k) {
    std::set<int> strata;
    for (const auto& row : l) {
      ASSERT_GE(row[k], 0.0);
      ASSERT_LT(row[k], 1.0);
      strata.insert(static_cast<int>(row[k] * 50));
    }
    EXPECT_EQ(strata.size(), 50u) << k;
  }
  // Scenario seeds: 31-bit, the same for a sample whatever else is drawn.
  const auto s = sampleSeeds(42, 3, 2);
  EXPECT_EQ(s, sampleSeeds(42, 3, 2));
  EXPECT_GE(s[0], 0);
  EXPECT_LE(s[0], 2147483647L);
  EXPECT_NE(s[0], s[1]);
}

TEST(SamplingTest, ScenarioSeedsAreFoundInTheFile) {
  // reference-node.yaml names the PIR's Poisson seed; its LoRaWAN radio has none (default 1).
  EXPECT_EQ(scenarioSeedKeys(EJ_SOURCE_DIR "/scenarios/reference-node.yaml"),
            (std::vector<std::string>{"node.pir.motion.poisson.seed", "node.radio.seed"}));
  EXPECT_TRUE(scenarioSeedKeys(EJ_SOURCE_DIR "/scenarios/seed-paper-pir.yaml").empty());
}

TEST(SamplingTest, SeedsUnderAliasesOfAliasesAreFoundOnce) {
  // Twelve levels of ten aliases each: 10^12 paths to the seed at the bottom. The walk visits
  // each mapping and list once (as the loader does), so it returns at once, with the seed
  // under the first path that reaches it (the walk before followed all 10^12; not run here).
  const auto file =
      std::filesystem::temp_directory_path() / ("ej_seeds_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(file) << test::aliasesOfAliases("{seed: 3}", 12);
  const auto keys = scenarioSeedKeys(file);
  std::filesystem::remove(file);
  EXPECT_EQ(keys, (std::vector<std::string>{"l0.0.seed"}));
}

TEST(ListOverrideTest, AWholeListFromTheCommandLine) {
  // What `KEY*=` writes for monthly clearness: the list in YAML's flow style replaces the
  // file's (sourced) list, and both count as read.
  const std::string yaml = "weather:\n  clearness: {value: [0.4, 0.5], source: x}\n";
  const auto cfg = core::Config::parse(yaml, "t.yaml", {{"weather.clearness", "[0.44, 0.55]"}});
  EXPECT_EQ(cfg.child("weather").texts("clearness"), (std::vector<std::string>{"0.44", "0.55"}));
  EXPECT_NO_THROW(cfg.requireAllRead());
  const auto bad = core::Config::parse(yaml, "t.yaml", {{"weather.clearness", "[0.4, [1]]"}});
  try {
    bad.child("weather").texts("clearness");
    ADD_FAILURE() << "no error";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "--set weather.clearness: expected a list of single values");
  }
}

TEST(StatsTest, OrderStatisticIntervalsMatchBinomialTables) {
  // Median of 100: ranks 40 and 61, coverage 0.9648 (the distribution-free table, e.g.
  // Conover 1999 table A3; here from the binomial sums by hand in Python).
  auto r = percentileRanks(100, 0.5, 0.95);
  EXPECT_EQ(r.lower, 40u);
  EXPECT_EQ(r.upper, 61u);
  EXPECT_NEAR(r.coverage, 0.9647997997822952, 1e-9);  // binomial CDF, Boost vs exact sums
  r = percentileRanks(20, 0.5, 0.95);
  EXPECT_EQ(r.lower, 6u);
  EXPECT_EQ(r.upper, 15u);
  r = percentileRanks(1000, 0.1, 0.95);
  EXPECT_EQ(r.lower, 82u);
  EXPECT_EQ(r.upper, 120u);
  EXPECT_NEAR(r.coverage, 0.9549071811148523, 1e-9);
  // Too few samples for a bound: P10 of 10 has no lower rank at 95 %.
  EXPECT_EQ(percentileRanks(10, 0.1, 0.95).lower, 0u);
}

// The ranks by the definition, scanning every rank (what percentileRanks did before it bisected).
RankInterval scannedRanks(std::size_t n, double p, double level) {
  const double tail = (1 - level) / 2;
  boost::math::binomial_distribution<> b(static_cast<double>(n), p);
  auto B = [&](long k) { return k < 0 ? 0.0 : k >= static_cast<long>(n) ? 1.0 : cdf(b, k); };
  RankInterval r{0, n + 1, 0};
  for (std::size_t l = 1; l <= n; ++l) {
    if (B(static_cast<long>(l) - 1) <= tail) r.lower = l;
  }
  for (std::size_t u = n; u >= 1; --u) {
    if (1 - B(static_cast<long>(u) - 1) <= tail) r.upper = u;
  }
  return r;
}

TEST(StatsTest, BisectedRanksEqualAScanOfEveryRank) {
  for (std::size_t n : {0, 1, 2, 3, 5, 10, 19, 20, 59, 100, 299, 300, 1000}) {
    for (double p : {0.05, 0.1, 0.5, 0.9, 0.95}) {
      for (double level : {0.9, 0.95, 0.99}) {
        const RankInterval want = scannedRanks(n, p, level);
        const RankInterval got = percentileRanks(n, p, level);
        EXPECT_EQ(got.lower, want.lower) << "n " << n << " p " << p << " level " << level;
        EXPECT_EQ(got.upper, want.upper) << "n " << n << " p " << p << " level " << level;
      }
    }
  }
}

TEST(StatsTest, CensoredSamplesSitAboveEveryObservedOne) {
  // 8 observed lives 1..8 days and 2 beyond the horizon: P50 = X_(5) = 5, P90 = X_(9):
  // censored, so unknown (null), never dropped (n stays 10).
  std::vector<double> observed = {8, 3, 1, 7, 2, 6, 4, 5};
  const auto p50 = percentile(observed, 2, 0.5);
  EXPECT_EQ(p50.rank, 5u);
  EXPECT_EQ(p50.value, 5.0);
  const auto p90 = percentile(observed, 2, 0.9);
  EXPECT_EQ(p90.rank, 9u);
  EXPECT_FALSE(p90.value.has_value());
  const auto m = moments({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(m.mean, 5.0);
  EXPECT_NEAR(m.sd, std::sqrt(32.0 / 7), 1e-12);  // sum of squares 32 over n - 1 = 7
}

TEST(RangeTest, StepsLinspaceAndLogspaceWithUnits) {
  EXPECT_EQ(*expandRange("1:2:0.25"), (std::vector<std::string>{"1", "1.25", "1.5", "1.75", "2"}));
  EXPECT_EQ(expandRange("7:12:1")->size(), 6u);
  EXPECT_EQ(*expandRange("10 uA:30 uA:10 uA"),
            (std::vector<std::string>{"10 uA", "20 uA", "30 uA"}));
  EXPECT_EQ(*expandRange("linspace(7.5 uA, 30 uA, 4)"),
            (std::vector<std::string>{"7.5 uA", "15 uA", "22.5 uA", "30 uA"}));
  EXPECT_EQ(*expandRange("logspace(1 mA, 100 mA, 3)"),
            (std::vector<std::string>{"1 mA", "10 mA", "100 mA"}));
  EXPECT_FALSE(expandRange("08:00").has_value());
  EXPECT_FALSE(expandRange("08:00:00").has_value());
  EXPECT_FALSE(expandRange("models/a.onnx").has_value());
  EXPECT_THROW(expandRange("1:2:0"), std::invalid_argument);
  EXPECT_THROW(expandRange("2:1:1"), std::invalid_argument);
  EXPECT_THROW(expandRange("linspace(1, 2, 1)"), std::invalid_argument);
  EXPECT_THROW(expandRange("logspace(0, 2, 3)"), std::invalid_argument);
  EXPECT_THROW(expandRange("1 mA:2 s:1 mA"), std::invalid_argument);
  // In a --set list, a linspace's commas do not split the list.
  const auto set = parseSweepSet("node.pir.quiescent=5 uA, linspace(10 uA, 30 uA, 3)");
  EXPECT_EQ(set.values, (std::vector<std::string>{"5 uA", "10 uA", "20 uA", "30 uA"}));
}

TEST(ParetoTest, FrontOfAHandTable) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ej_pareto_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "sweep.csv") << "point,accuracy,battery_life_days\n"
                                      "0,99,100\n"  // on the front: best accuracy
                                      "1,98,200\n"  // on the front
                                      "2,97,150\n"  // beaten by 1 in both
                                      "3,90,\n"     // never emptied: longest life, on it
                                      "4,98,200\n"  // equal to 1: neither beats the other
                                      "5,,300\n";   // no accuracy: on no front
  const auto objectives = parseObjectives("accuracy:max,battery_life_days:max");
  EXPECT_EQ(markPareto(dir / "sweep.csv", objectives), 4u);
  const auto t = CsvTable::read(dir / "sweep.csv");
  const auto c = *t.column("pareto");
  std::vector<std::string> marks;
  for (const auto& row : t.rows) marks.push_back(row[c]);
  EXPECT_EQ(marks, (std::vector<std::string>{"true", "true", "false", "true", "true", "false"}));
  EXPECT_THROW(parseObjectives("accuracy:max"), std::invalid_argument);
  EXPECT_THROW(parseObjectives("accuracy:best,x:max"), std::invalid_argument);
  std::filesystem::remove_all(dir);
}

TEST(SensitivityTest, FactorsAndScaledLists) {
  const Factor f = parseFactor("node.pir.quiescent=7.5 uA..30 uA");
  EXPECT_EQ(f.valueAt(0, {}), "7.5 uA");
  EXPECT_EQ(f.valueAt(1, {}), "30 uA");
  EXPECT_THROW(parseFactor("k=30 uA..7.5 uA"), std::invalid_argument);
  EXPECT_THROW(parseFactor("k=1 uA..2 s"), std::invalid_argument);
  EXPECT_THROW(parseFactor("k=1 uA"), std::invalid_argument);
  // A spreading factor: whole numbers stay whole on the Morris grid (1/3 of 7..12 is 8.67).
  EXPECT_EQ(parseFactor("node.radio.spreading_factor=7..12").valueAt(1.0 / 3, {}), "9");
  EXPECT_EQ(parseFactor("k=0.5..2").valueAt(0.5, {}), "1.25");
  // Scaling each month's clearness by 1.1: 0.45 -> 0.495, 0.5 -> 0.55.
  EXPECT_EQ(scaledValue({"0.45", "0.5"}, 1.1), "[0.495, 0.55]");
  EXPECT_EQ(scaledValue({"950 mAh"}, 0.95), "902.5 mAh");
}

// Guided self-scheduling by hand: 40 points on 2 workers take a quarter of what is left each
// time (rounded up): 10 of 40, 8 of 30, 6 of 22, 4 of 16, 3 of 12, 3 of 9, 2 of 6, then single
// points. 1,000 take 16 (the most) 59 times, to 56 left, then 14, 11, 8, 6, 5, 3, 3, 2, 1 x 4.
TEST(ShardTest, GuidedSizesShrinkToSinglePoints) {
  using Sizes = std::vector<std::size_t>;
  EXPECT_EQ(shardSizes(40, 2), (Sizes{10, 8, 6, 4, 3, 3, 2, 1, 1, 1, 1}));
  Sizes thousand(59, 16);
  for (std::size_t n : Sizes{14, 11, 8, 6, 5, 3, 3, 2, 1, 1, 1, 1}) thousand.push_back(n);
  EXPECT_EQ(shardSizes(1000, 2), thousand);
  EXPECT_EQ(shardSizes(5, 1), (Sizes{3, 1, 1}));
  EXPECT_TRUE(shardSizes(0, 4).empty());
}

// Each shard is claimed once: the second claim of shard 3 fails, another shard's succeeds, and
// a folder that is not there is an error, not "taken by another rank".
TEST(ShardTest, EachShardIsClaimedOnce) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ej_claims_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  EXPECT_TRUE(claimShard(dir, 3));
  EXPECT_FALSE(claimShard(dir, 3));
  EXPECT_TRUE(claimShard(dir, 4));
  EXPECT_TRUE(fs::exists(dir / ".shard-claim-3"));
  EXPECT_THROW(claimShard(dir / "missing", 0), std::runtime_error);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ej::report
