// Weather file readers: EPW, PVGIS TMY (CSV and JSON), NSRDB/SAM, plain CSV with ISO 8601
// offsets; every bad row located FILE:LINE; the rule at the ends of a trace.
#include "sim/harvest/solar/weather_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/core/calendar.h"

namespace ej::solar {
namespace {

double at(const char* iso) { return *core::parseUtcTimestamp(iso); }

std::filesystem::path writeFile(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path;
}

// The error readWeatherFile gives for TEXT written to NAME ("" when it reads).
std::string errorOf(const std::string& name, const std::string& text) {
  const auto path = writeFile(name, text);
  try {
    readWeatherFile(path);
  } catch (const std::runtime_error& e) {
    // Without the temporary folder, wherever the message names the file.
    std::string what = e.what();
    const std::string dir = path.parent_path().string() + "/";
    for (auto at = what.find(dir); at != std::string::npos; at = what.find(dir)) {
      what.erase(at, dir.size());
    }
    return what;
  }
  return "";
}

const std::string kHeader = "time,ghi,dni,dhi,temp_air\n";

TEST(WeatherFilesTest, IsoStampsWithOffsets) {
  EXPECT_EQ(parseIsoInstant("2026-06-21T10:00Z"), at("2026-06-21T10:00:00Z"));
  EXPECT_EQ(parseIsoInstant("2026-06-21T12:00+02:00"), at("2026-06-21T10:00:00Z"));
  EXPECT_EQ(parseIsoInstant("2026-06-21 05:30:15-0500"), at("2026-06-21T10:30:15Z"));
  EXPECT_EQ(parseIsoInstant("2026-06-21T11:00+01"), at("2026-06-21T10:00:00Z"));
  EXPECT_FALSE(parseIsoInstant("2026-06-21T10:00"));  // no zone
  EXPECT_FALSE(parseIsoInstant("2026-02-30T10:00Z"));
  EXPECT_FALSE(parseIsoInstant("2026-06-21T10:00+2"));
  EXPECT_EQ(parsePvgisTime("20200621:1010"), at("2020-06-21T10:10:00Z"));
  EXPECT_FALSE(parsePvgisTime("20200631:1010"));
}

TEST(WeatherFilesTest, EveryBadRowIsLocated) {
  const std::string ok = "2026-12-01T16:00Z,50,10,45,4\n2026-12-01T17:00Z,0,0,0,3\n";
  EXPECT_EQ(errorOf("w.csv", kHeader + ok), "");
  // A row with ';' separators in the middle (the issue's case): one column, not five.
  EXPECT_EQ(
      errorOf("semi.csv", kHeader + ok + "2026-12-01 18:00;0;0;0;3\n2026-12-01T19:00Z,0,0,0,2\n"),
      "semi.csv:4: 1 column where the header (line 1) has 5; the row uses ';' where CSV "
      "separates with ','");
  EXPECT_EQ(errorOf("zone.csv", kHeader + ok + "2026-12-01 18:00,0,0,0,3\n"),
            "zone.csv:4: time '2026-12-01 18:00' has no zone: end it with Z (UTC) or an offset "
            "such as +01:00");
  EXPECT_EQ(
      errorOf("sort.csv", kHeader + "2026-12-01T17:00Z,0,0,0,3\n2026-12-01T16:00Z,50,10,45,4\n"),
      "sort.csv:3: 2026-12-01T16:00:00Z is not after the previous row's 2026-12-01T17:00:00Z "
      "(sort.csv:2): rows must be sorted by time, each instant once");
  EXPECT_EQ(errorOf("neg.csv", kHeader + "2026-12-01T16:00Z,-5,0,0,4\n"),
            "neg.csv:2: GHI -5 W/m2 is outside 0..1500 W/m2");
  EXPECT_EQ(errorOf("big.csv", kHeader + ok + "2026-12-01T18:00Z,5000,0,0,3\n"),
            "big.csv:4: GHI 5000 W/m2 is outside 0..1500 W/m2");
  EXPECT_EQ(errorOf("dni.csv", kHeader + "2026-12-01T16:00Z,50,1600,45,4\n"),
            "dni.csv:2: DNI 1600 W/m2 is outside 0..1500 W/m2");
  EXPECT_EQ(errorOf("cold.csv", kHeader + "2026-12-01T16:00Z,50,10,45,-75\n"),
            "cold.csv:2: air temperature -75 degC is outside -60..60 degC");
  EXPECT_EQ(errorOf("short.csv", kHeader + ok + "2026-12-01T18:00Z,0,0,3\n"),
            "short.csv:4: 4 columns where the header (line 1) has 5");
  EXPECT_EQ(errorOf("empty.csv", kHeader + "2026-12-01T16:00Z,50,,45,4\n"),
            "empty.csv:2: DNI '' is missing");
  EXPECT_EQ(
      errorOf("gap.csv", kHeader + ok + "2026-12-01T18:00Z,0,0,0,3\n2026-12-01T23:00Z,0,0,0,3\n"),
      "gap.csv:5: 5 h after the previous row (gap.csv:4), the file's step is 1 h: rows are "
      "missing");
  EXPECT_EQ(errorOf("nohead.csv", "time;ghi\n2026-12-01T16:00Z;50\n"),
            "nohead.csv: no header line with a time column (time, timestamp, time(UTC)) and a GHI "
            "column (ghi, G(h)); the file uses ';' where CSV separates with ','");
}

// The csv fuzzer's finding (tests/fuzz/regressions/csv/year-1013-out-of-order.csv): a row of
// year 1013 after one of 2026 is out of order, and the error naming both instants threw
// boost::gregorian::bad_year ("Year is out of valid range: 1400..9999", no file or line).
TEST(WeatherFilesTest, OutOfOrderRowOfAnyYearIsLocated) {
  EXPECT_EQ(errorOf("old.csv", "time,ghi\n2026-12-01T01:00Z,0\n1013-12-01T02:00Z,0\n"),
            "old.csv:3: 1013-12-01T02:00:00Z is not after the previous row's "
            "2026-12-01T01:00:00Z (old.csv:2): rows must be sorted by time, each instant once");
}

// The csv fuzzer's second finding (tests/fuzz/regressions/csv/epw-year-90-digits.epw): an EPW
// or NSRDB year beyond an int was converted to one (undefined behaviour, UBSan) and the row
// read with whatever came out. Years are 1..9999, as ISO 8601 writes them.
TEST(WeatherFilesTest, YearsBeyondFourDigitsAreRefused) {
  const std::string epw =
      "LOCATION,Trieste,FVG,ITA,hand-written,161100,45.65,13.78,1.0,2\n"
      "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n"
      "1e20,1,1,12,60,?9?9?9?9E0?9?9?9?9*9?9?9?9?9?9?9?9?9?9*_*9*9*9?9?9,4.5,-2.0,70,101300,300,"
      "1300,280,250,400,120,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n";
  EXPECT_EQ(errorOf("big.epw", epw),
            "big.epw:3: no such hour: 1e20-1-1 hour 12 (years 1..9999, hours 1..24)");
  const std::string nsrdb =
      "Source,Location ID,City,State,Country,Latitude,Longitude,Time Zone,Elevation,Local Time "
      "Zone\n"
      "NSRDB,149190,-,-,-,39.73,-105.18,-7,1829,-7\n"
      "Year,Month,Day,Hour,Minute,DHI,DNI,GHI,Temperature\n"
      "10000,6,21,10,30,110,820,760,24.5\n";
  EXPECT_EQ(errorOf("big.csv", nsrdb),
            "big.csv:4: no such instant (Year 1..9999, Month, Day, Hour 0..23, Minute 0..59)");
}

TEST(WeatherFilesTest, EndsHoldLessThanOneStep) {
  // An hourly trace ending at 23:00 of the last day: the steps of the last hour (their
  // midpoints up to 23:55) hold the 23:00 row; midnight is one step past it: refused.
  const auto file = writeFile("end.csv", kHeader +
                                             "2026-12-31T22:00Z,0,0,0,3\n"
                                             "2026-12-31T23:00Z,0,0,0,2\n");
  const auto trace = readWeatherFile(file);
  EXPECT_DOUBLE_EQ(trace.step_s(), 3600.0);
  ASSERT_TRUE(trace.at(at("2026-12-31T23:55:00Z"), false));
  EXPECT_DOUBLE_EQ(*trace.at(at("2026-12-31T23:55:00Z"), false)->tempAir_C, 2.0);
  EXPECT_FALSE(trace.at(at("2027-01-01T00:00:00Z"), false));
  EXPECT_NO_THROW(trace.checkCovers(at("2026-12-31T22:05:00Z"), at("2026-12-31T23:55:00Z"), false));
  EXPECT_THROW(trace.checkCovers(at("2026-12-31T22:05:00Z"), at("2027-01-01T00:05:00Z"), false),
               std::runtime_error);
  // A 3-day trace is no typical year.
  try {
    trace.checkCovers(0, 0, true);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("`typical_year: true` needs a whole year"),
              std::string::npos)
        << e.what();
  }
}

TEST(WeatherFilesTest, PvgisStampsAtTenPastHoldBackToMidnight) {
  // PVGIS hourly rows are stamped HH:10: a run starting at midnight samples 00:05 first,
  // 5 min before the first row, within one step: held.
  const auto file = writeFile("pvgis10.csv",
                              "time,Gb(n),Gd(h),G(h),H_sun,T2m,WS10m,Int\n"
                              "20260101:0010,0,0,0,0,3.5,2.1,0\n"
                              "20260101:0110,0,0,0,0,3.0,2.0,0\n");
  const auto trace = readWeatherFile(file);
  const auto first = trace.at(at("2026-01-01T00:05:00Z"), false);
  ASSERT_TRUE(first);
  EXPECT_DOUBLE_EQ(*first->tempAir_C, 3.5);
}

TEST(WeatherFilesTest, ReadsEpwAtTheHoursMiddleInUtc) {
  // EPW: hour 12 of 1 January at UTC+1 is the hour 11:00-12:00 local, 10:00-11:00 UTC,
  // stamped at its middle 10:30Z. Fields 14-16 (GHI, DNI, DHI) in Wh/m2 over that hour.
  const std::string loc = "LOCATION,Trieste,FVG,ITA,hand-written,161100,45.65,13.78,1.0,2\n";
  const std::string head =
      "DESIGN CONDITIONS,0\nTYPICAL/EXTREME PERIODS,0\nGROUND TEMPERATURES,0\n"
      "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0\nCOMMENTS 1,hand-written\nCOMMENTS 2,\n"
      "DATA PERIODS,1,1,Data,Sunday, 1/ 1,12/31\n";
  auto line = [](int hour, int ghi, int dni, int dhi, double t) {
    return "2005,1," + std::to_string(1) + "," + std::to_string(hour) +
           ",60,?9?9?9?9E0?9?9?9?9*9?9?9?9?9?9?9?9?9?9*_*9*9*9?9?9," + std::to_string(t) +
           ",-2.0,70,101300,300,1300,280," + std::to_string(ghi) + "," + std::to_string(dni) + "," +
           std::to_string(dhi) + ",0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0\n";
  };
  const auto file =
      writeFile("t.epw", loc + head + line(12, 250, 400, 120, 4.5) + line(13, 230, 380, 110, 5.0));
  const auto trace = readWeatherFile(file);
  EXPECT_TRUE(trace.typical());
  ASSERT_EQ(trace.samples().size(), 2u);
  EXPECT_DOUBLE_EQ(trace.samples()[0].epoch, at("2005-01-01T10:30:00Z"));
  EXPECT_DOUBLE_EQ(trace.samples()[0].ghi_Wm2, 250.0);
  EXPECT_DOUBLE_EQ(*trace.samples()[0].dni_Wm2, 400.0);
  EXPECT_DOUBLE_EQ(*trace.samples()[1].dhi_Wm2, 110.0);
  EXPECT_DOUBLE_EQ(*trace.samples()[1].tempAir_C, 5.0);
  EXPECT_EQ(errorOf("m.epw", loc + head + line(12, 9999, 400, 120, 4.5)),
            "m.epw:9: GHI missing (9999)");
  // Hour 1 of 1 January at UTC+1 is 23:00-24:00 UTC of 31 December: the year's order wraps
  // once, which a typical year allows.
  const auto wrap = readWeatherFile(writeFile(
      "w.epw", loc + head + line(1, 0, 0, 0, 3.0) + line(2, 0, 0, 0, 2.5) + line(3, 0, 0, 0, 2.0)));
  ASSERT_EQ(wrap.samples().size(), 3u);
  EXPECT_DOUBLE_EQ(wrap.samples()[0].epoch, at("2004-12-31T23:30:00Z"));
  EXPECT_EQ(errorOf("twice.epw", loc + head + line(1, 0, 0, 0, 3.0) + line(2, 0, 0, 0, 2.5) +
                                     line(1, 0, 0, 0, 3.0)),
            "twice.epw:11: 2004-12-31T23:30:00Z is not after the previous row's "
            "2005-01-01T00:30:00Z (twice.epw:10): rows must be sorted by time, each instant "
            "once (a typical year: by month, day and hour)");
}

TEST(WeatherFilesTest, ReadsPvgisTmyJsonAndCsvAlike) {
  // The layout of PVGIS 5.2's `tmy` tool: JSON outputs.tmy_hourly; CSV with the months'
  // years, the header time(UTC),T2m,RH,G(h),Gb(n),Gd(h),IR(h),WS10m,WD10m,SP, a footer.
  const auto json = writeFile(
      "tmy.json", R"j({"inputs":{"location":{"latitude":45.65,"longitude":13.78,"elevation":10}},)j"
                  R"j("outputs":{"months_selected":[{"month":1,"year":2012}],"tmy_hourly":[)j"
                  R"j({"time(UTC)":"20120101:1000","T2m":4.1,"RH":80,"G(h)":210.0,"Gb(n)":300.0,)j"
                  R"j("Gd(h)":95.0,"IR(h)":280,"WS10m":3,"WD10m":60,"SP":101300},)j"
                  R"j({"time(UTC)":"20120101:1100","T2m":4.9,"RH":78,"G(h)":260.0,"Gb(n)":380.0,)j"
                  R"j("Gd(h)":100.0,"IR(h)":280,"WS10m":3,"WD10m":60,"SP":101300}]}})j");
  const auto csv = writeFile("tmy.csv",
                             "Latitude (decimal degrees):,45.650\n"
                             "Longitude (decimal degrees):,13.780\n"
                             "Elevation (m):,10\n"
                             "month,year\n"
                             "1,2012\n"
                             "time(UTC),T2m,RH,G(h),Gb(n),Gd(h),IR(h),WS10m,WD10m,SP\n"
                             "20120101:1000,4.1,80,210.0,300.0,95.0,280,3,60,101300\n"
                             "20120101:1100,4.9,78,260.0,380.0,100.0,280,3,60,101300\n"
                             "T2m: 2-m air temperature (degree Celsius)\n"
                             "G(h): Global irradiance on the horizontal plane (W/m2)\n");
  const auto a = readWeatherFile(json);
  const auto b = readWeatherFile(csv);
  EXPECT_TRUE(a.typical());
  EXPECT_TRUE(b.typical());
  ASSERT_EQ(a.samples().size(), 2u);
  ASSERT_EQ(b.samples().size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_DOUBLE_EQ(a.samples()[i].epoch, b.samples()[i].epoch);
    EXPECT_DOUBLE_EQ(a.samples()[i].ghi_Wm2, b.samples()[i].ghi_Wm2);
    EXPECT_DOUBLE_EQ(*a.samples()[i].dni_Wm2, *b.samples()[i].dni_Wm2);
    EXPECT_DOUBLE_EQ(*a.samples()[i].tempAir_C, *b.samples()[i].tempAir_C);
  }
  EXPECT_DOUBLE_EQ(a.samples()[1].epoch, at("2012-01-01T11:00:00Z"));
  EXPECT_EQ(errorOf("bad.json",
                    R"j({"outputs":{"tmy_hourly":[{"time(UTC)":"20120101:1000","G(h)":-1}]}})j"),
            "bad.json: outputs.tmy_hourly[0]: GHI -1 W/m2 is outside 0..1500 W/m2");
}

TEST(WeatherFilesTest, ReadsNsrdbInItsTimeZone) {
  // NSRDB PSM3 CSV: metadata names and values, then the columns. Time Zone -7: the 10:30
  // row is 17:30 UTC.
  const auto file = writeFile("nsrdb.csv",
                              "Source,Location ID,City,State,Country,Latitude,Longitude,Time "
                              "Zone,Elevation,Local Time Zone\n"
                              "NSRDB,149190,-,-,-,39.73,-105.18,-7,1829,-7\n"
                              "Year,Month,Day,Hour,Minute,DHI,DNI,GHI,Temperature\n"
                              "2019,6,21,10,30,110,820,760,24.5\n"
                              "2019,6,21,11,30,115,840,860,26.0\n");
  const auto trace = readWeatherFile(file);
  EXPECT_FALSE(trace.typical());
  ASSERT_EQ(trace.samples().size(), 2u);
  EXPECT_DOUBLE_EQ(trace.samples()[0].epoch, at("2019-06-21T17:30:00Z"));
  EXPECT_DOUBLE_EQ(trace.samples()[0].ghi_Wm2, 760.0);
  EXPECT_DOUBLE_EQ(*trace.samples()[0].dni_Wm2, 820.0);
  EXPECT_DOUBLE_EQ(*trace.samples()[1].tempAir_C, 26.0);
}

}  // namespace
}  // namespace ej::solar
