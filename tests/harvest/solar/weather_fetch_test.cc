// `weather fetch`: the PVGIS request, what is kept, and refusals; never the network (the
// answer is a file written by hand in PVGIS's tmy JSON layout, given through a fake GET or
// a file:// URL to libcurl).
#include "sim/harvest/solar/weather_fetch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/harvest/solar/weather_files.h"

namespace ej::solar {
namespace {

namespace fs = std::filesystem;

// Two hours of a PVGIS 5.2 `tmy` JSON answer (its layout, values written by hand).
const char* kAnswer =
    R"j({"inputs":{"location":{"latitude":45.65,"longitude":13.78,"elevation":2.0},)j"
    R"j("meteo_data":{"radiation_db":"PVGIS-SARAH2","year_min":2005,"year_max":2020}},)j"
    R"j("outputs":{"months_selected":[{"month":1,"year":2012}],"tmy_hourly":[)j"
    R"j({"time(UTC)":"20120101:1000","T2m":4.1,"RH":80.0,"G(h)":210.0,"Gb(n)":300.0,)j"
    R"j("Gd(h)":95.0,"IR(h)":280.0,"WS10m":3.0,"WD10m":60.0,"SP":101300.0},)j"
    R"j({"time(UTC)":"20120101:1100","T2m":4.9,"RH":78.0,"G(h)":260.0,"Gb(n)":380.0,)j"
    R"j("Gd(h)":100.0,"IR(h)":280.0,"WS10m":3.0,"WD10m":60.0,"SP":101300.0}]},)j"
    R"j("meta":{}})j";

fs::path freshDir(const char* name) {
  const auto dir = fs::temp_directory_path() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(WeatherFetchTest, AsksPvgisTmyAsJson) {
  EXPECT_EQ(pvgisTmyUrl(45.65, 13.78),
            "https://re.jrc.ec.europa.eu/api/v5_2/tmy?lat=45.6500&lon=13.7800&outputformat=json");
}

TEST(WeatherFetchTest, KeepsTheAnswerWithItsSourceAndDate) {
  const auto dir = freshDir("ej_fetch_keep");
  const auto out = dir / "trieste.json";
  std::string asked;
  const auto r = fetchPvgisTmy(45.65, 13.78, out, [&](const std::string& url) {
    asked = url;
    return std::string(kAnswer);
  });
  EXPECT_EQ(asked, pvgisTmyUrl(45.65, 13.78));
  EXPECT_EQ(r.hours, 2u);
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["edgejoule_source"]["url"], asked);
  EXPECT_EQ(j["edgejoule_source"]["fetched_utc"], r.fetchedUtc);
  EXPECT_EQ(j["outputs"]["tmy_hourly"][1]["G(h)"], 260.0);
  // The kept file reads as the PVGIS TMY it is.
  const auto trace = readWeatherFile(out);
  EXPECT_TRUE(trace.typical());
  EXPECT_DOUBLE_EQ(trace.samples()[0].ghi_Wm2, 210.0);
  // Only the file itself is left (the temporary was renamed).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(WeatherFetchTest, RefusesToOverwriteAndWritesNothingOnABadAnswer) {
  const auto dir = freshDir("ej_fetch_refuse");
  const auto out = dir / "x.json";
  std::ofstream(out) << "mine";
  auto get = [](const std::string&) { return std::string(kAnswer); };
  EXPECT_THROW(fetchPvgisTmy(45.65, 13.78, out, get), std::runtime_error);
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "mine");
  // A bad row in the answer: nothing kept.
  const auto out2 = dir / "y.json";
  std::string bad = kAnswer;
  bad.replace(bad.find("\"G(h)\":260.0"), 12, "\"G(h)\":-26.0");
  EXPECT_THROW(fetchPvgisTmy(45.65, 13.78, out2, [&](const std::string&) { return bad; }),
               std::runtime_error);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  EXPECT_THROW(fetchPvgisTmy(95, 13.78, out2, get), std::runtime_error);
}

TEST(WeatherFetchTest, LibcurlReadsAFileUrlAndNamesWhatFailed) {
  const auto dir = freshDir("ej_fetch_curl");
  std::ofstream(dir / "answer.json") << kAnswer;
  EXPECT_EQ(httpGet("file://" + (dir / "answer.json").string()), kAnswer);
  try {
    httpGet("file://" + (dir / "missing.json").string());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot download file://"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ej::solar
