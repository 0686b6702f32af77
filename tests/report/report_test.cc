// Sweep grids and the small text helpers of the reports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "sim/core/calendar.h"
#include "sim/core/config.h"
#include "sim/core/io.h"
#include "sim/report/html_report.h"
#include "sim/report/number_text.h"
#include "sim/report/plot_data.h"
#include "sim/report/sweep.h"
#include "tests/yaml_text.h"

namespace ej::report {
namespace {

TEST(SweepSetTest, SplitsOnCommasKeepsSpacesAndEscapedCommas) {
  const auto s = parseSweepSet("node.mcu.states.active=80 mA, 120 mA,a\\,b");
  EXPECT_EQ(s.key, "node.mcu.states.active");
  EXPECT_EQ(s.values, (std::vector<std::string>{"80 mA", "120 mA", "a,b"}));
  EXPECT_THROW(parseSweepSet("no-equals-sign"), std::invalid_argument);
  EXPECT_THROW(parseSweepSet("key=1,,2"), std::invalid_argument);
}

TEST(SweepPointsTest, GridVariesTheLastKeyFastest) {
  const auto points = sweepPoints({{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}}, false);
  ASSERT_EQ(points.size(), 6u);  // 2 x 3
  EXPECT_EQ(points[0].dir, "points/0000");
  EXPECT_EQ(points[5].dir, "points/0005");
  // Index 4 = 1 * 3 + 1: a's second value, b's second value.
  EXPECT_EQ(points[4].values[0].second, "2");
  EXPECT_EQ(points[4].values[1].second, "y");
  EXPECT_EQ(points[2].values[0].second, "1");
  EXPECT_EQ(points[2].values[1].second, "z");
}

TEST(SweepPointsTest, ZipPairsValuesAndRepeatsSingleValues) {
  const auto points =
      sweepPoints({{"a", {"1", "2", "3"}}, {"b", {"x"}}, {"c", {"p", "q", "r"}}}, true);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[2].values[0].second, "3");
  EXPECT_EQ(points[2].values[1].second, "x");
  EXPECT_EQ(points[2].values[2].second, "r");
  EXPECT_THROW(sweepPoints({{"a", {"1", "2"}}, {"c", {"p", "q", "r"}}}, true),
               std::invalid_argument);
}

TEST(SweepPointsTest, FolderNamesWidenPastTenThousandPoints) {
  const auto points = sweepPoints(
      {{"a", std::vector<std::string>(101, "v")}, {"b", std::vector<std::string>(100, "w")}},
      false);
  ASSERT_EQ(points.size(), 10100u);
  EXPECT_EQ(points.back().dir, "points/10099");
  EXPECT_EQ(points.front().dir, "points/00000");
}

TEST(Base64Test, Rfc4648TestVectors) {
  // RFC 4648, section 10.
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(HtmlTest, EscapesMarkup) {
  EXPECT_EQ(escapeHtml("<a href=\"x\">&'</a>"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

TEST(CsvTest, QuotedFieldsRoundTrip) {
  EXPECT_EQ(csvField("80 mA"), "80 mA");
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  const auto dir =
      std::filesystem::temp_directory_path() / ("ej_report_csv_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  core::writeFileAtomically(dir / "t.csv", "k,v\n" + csvField("a,b") + ",2.5\nx,\n");
  const auto t = CsvTable::read(dir / "t.csv");
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0][0], "a,b");
  EXPECT_EQ(t.number(0, 1), 2.5);
  EXPECT_EQ(t.number(1, 1), std::nullopt);  // an empty cell is no number
  EXPECT_EQ(t.column("v"), 1u);
  std::filesystem::remove_all(dir);
}

TEST(SplitNumberTest, NumberAndUnit) {
  const auto a = splitNumber("80 mA");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, 80);
  EXPECT_EQ(a->unit, "mA");
  const auto b = splitNumber("12");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->unit, "");
  EXPECT_FALSE(splitNumber("models/a.onnx"));
}

TEST(PartSourcesTest, ListsTheSourcesOfTheSeedPaperParts) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  const std::filesystem::path scenario =
      std::filesystem::path(EJ_SOURCE_DIR) / "scenarios/seed-paper-pir-solar.yaml";
  const auto parts = partSources(readFile(scenario), scenario);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].reference, "hw/mcu/seed-paper-generic.yaml");
  EXPECT_EQ(parts[0].name, "Generic MCU of the seed paper");
  // hw/mcu/seed-paper-generic.yaml: states.active and states.sleep, each with its source.
  ASSERT_EQ(parts[0].values.size(), 2u);
  EXPECT_EQ(parts[0].values[0].key, "states.active");
  EXPECT_EQ(parts[0].values[0].value, "120 mA");
  EXPECT_NE(parts[0].values[0].source.find("seed paper"), std::string::npos);
  EXPECT_EQ(parts[1].reference, "hw/solar/seed-paper-constant.yaml");
  ASSERT_EQ(parts[1].values.size(), 2u);  // current and duration
  EXPECT_EQ(parts[1].values[0].value, "200 mA");
}

// Twelve levels of ten aliases each (10^12 paths to the bottom), under keys the loader takes
// as documentation: the walk visits each mapping and list once, so the part at the bottom is
// listed once and the call returns at once (the walk before followed all 10^12 paths; not run
// here).
TEST(PartSourcesTest, AliasesOfAliasesAreWalkedOnce) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  // Where the text would be written (never read): parts are looked up beside it first.
  const std::filesystem::path scenario =
      std::filesystem::path(EJ_SOURCE_DIR) / "scenarios/notes.yaml";
  const auto parts =
      partSources(test::aliasesOfAliases("{part: hw/mcu/seed-paper-generic.yaml}", 12), scenario);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "Generic MCU of the seed paper");
  EXPECT_EQ(parts[0].values.size(), 2u);  // states.active and states.sleep, as above
}

// writeGeneral against std::to_chars(general, precision), which rounds the exact binary value
// (C11 %g): every byte equal. The values: random bit patterns (every exponent, subnormals,
// inf, nan), uniform values over 40 decades, decimals of up to 11 digits and their
// neighbours, and decimals ending in 5 one digit past the precision (the ties, where the
// shortest digits cannot decide) and their neighbours.
TEST(NumberTextTest, GeneralIsPrintfG) {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> unit(0, 1);
  long checked = 0;
  auto expectSame = [&checked](double v, int precision) {
    char want[40], got[40];
    char* wantEnd =
        std::to_chars(want, want + sizeof want, v, std::chars_format::general, precision).ptr;
    char* gotEnd = writeGeneral(got, v, precision);
    ASSERT_EQ(std::string(got, gotEnd), std::string(want, wantEnd))
        << "precision " << precision << ", bits of " << v;
    ++checked;
  };
  auto decimal = [](std::uint64_t mantissa, int exp10) {
    return std::stod(std::to_string(mantissa) + "e" + std::to_string(exp10));
  };
  for (int i = 0; i < 50000; ++i) {
    const std::uint64_t bits = rng();
    double raw = 0;
    std::memcpy(&raw, &bits, sizeof raw);
    const int exp10 = static_cast<int>(rng() % 40) - 20;
    const double uniform = unit(rng) * std::pow(10.0, exp10);
    const double d = decimal(rng() % 100000000000ULL, exp10 / 2);
    for (int precision : {1, 6, 9}) {
      const double tie = decimal(
          (rng() % static_cast<std::uint64_t>(std::pow(10.0, precision))) * 10 + 5, exp10 / 2);
      for (double v : {raw, uniform, -uniform, d, tie, static_cast<double>(rng() % 2000000000)}) {
        expectSame(v, precision);
        expectSame(std::nextafter(v, 0.0), precision);
        expectSame(std::nextafter(v, std::numeric_limits<double>::infinity()), precision);
      }
    }
  }
  for (double v : {0.0, -0.0, 1.0, 0.5, 0.05, 1e-4, 1e-5, 9.9999999995, 999999999.5, 999999999.4,
                   1e9, 123456789.0, 1234567890.0, std::numeric_limits<double>::min(),
                   std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::infinity(), std::nan("")}) {
    for (int precision : {1, 6, 9, 17}) expectSame(v, precision);
  }
  EXPECT_GT(checked, 2500000);
}

TEST(NumberTextTest, UtcAsFormatUtcPrintsIt) {
  char text[32];
  for (double t : {0.0, 1767225599.9, 1767225600.0, 951782400.0 /* 2000-02-29 */, -1.0,
                   253402300799.0 /* 9999-12-31T23:59:59 */}) {
    EXPECT_EQ(std::string(text, writeUtc(text, t, true)), core::formatUtc(t));
    EXPECT_EQ(std::string(text, writeUtc(text, t, false)), core::formatUtcDate(t));
  }
  // In a row, hourly and at odd instants, across days, a leap day and a year's end, and
  // beyond the years it prints (none) and back.
  UtcWriter row;
  for (double t = 951696000.5; t < 951696000.0 + 3 * 86400; t += 3599.7) {
    EXPECT_EQ(std::string(text, row.write(text, t, true)), core::formatUtc(t));
    EXPECT_EQ(std::string(text, row.write(text, t, false)), core::formatUtcDate(t));
  }
  for (double t : {1767225599.0, 1767225600.0, -0.5, 253402300800.0, 1767225600.0}) {
    char* end = row.write(text, t, true);
    if (t >= 253402300800.0) {
      EXPECT_EQ(end, nullptr);
    } else {
      EXPECT_EQ(std::string(text, end), core::formatUtc(t));
    }
  }
  EXPECT_EQ(writeUtc(text, 253402300800.0, true), nullptr);  // year 10000: formatUtc's sign
  EXPECT_EQ(writeUtc(text, -62167219201.0, true), nullptr);  // year -1
}

}  // namespace
}  // namespace ej::report
