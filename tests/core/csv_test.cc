// The one CSV reader: rows with the line they start on, RFC 4180 quoting, located errors.
#include "sim/core/csv.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ej::core {
namespace {

TEST(CsvTest, RowsKeepTheirLineAndBlankLines) {
  const auto f = CsvFile::parse("a,b\r\n1, 2\n\n\"x,\ny\",\"q\"\"\"\nlast,1", "t.csv");
  const auto& r = f.rows();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].line, 1u);
  EXPECT_EQ(r[0].cells, (std::vector<std::string>{"a", "b"}));  // CR of CRLF dropped
  EXPECT_EQ(r[1].cells, (std::vector<std::string>{"1", "2"}));  // blanks around a field trimmed
  EXPECT_TRUE(r[2].blank());
  EXPECT_EQ(r[2].line, 3u);
  // A quoted field holds a comma and a line end; "" is a quote. The row starts on line 4.
  EXPECT_EQ(r[3].line, 4u);
  EXPECT_EQ(r[3].cells, (std::vector<std::string>{"x,\ny", "q\""}));
  EXPECT_EQ(r[4].line, 6u);  // after the two-line row; no final line end
  EXPECT_EQ(r[4].cells, (std::vector<std::string>{"last", "1"}));
}

TEST(CsvTest, StrayQuoteIsLocated) {
  try {
    CsvFile::parse("a,b\n1,2\n3,x\"y\n", "bad.csv");
    FAIL() << "no error";
  } catch (const CsvError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bad.csv:3: not well-formed CSV", 0), 0u) << e.what();
  }
  try {
    CsvFile::parse("a,b\n1,\"open\n2,3\n", "open.csv");
    FAIL() << "no error";
  } catch (const CsvError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("open.csv:2: ", 0), 0u) << e.what();
  }
}

TEST(CsvTest, SizeLimitIsCheckedBeforeReading) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("ej_csv_big_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << std::string(2000, 'x');
  CsvOptions small;
  small.maxBytes = 1000;
  EXPECT_THROW(CsvFile::read(path, small), CsvError);
  EXPECT_EQ(CsvFile::read(path).rows().size(), 1u);
  EXPECT_THROW(CsvFile::read(path.string() + ".missing"), CsvError);
  std::filesystem::remove(path);
}

TEST(CsvTest, NumbersAreWholeCellsAndFinite) {
  EXPECT_EQ(csvNumber(" 12.5 "), 12.5);
  EXPECT_EQ(csvNumber("-3e2"), -300.0);
  EXPECT_FALSE(csvNumber(""));
  EXPECT_FALSE(csvNumber("12 W"));
  EXPECT_FALSE(csvNumber("nan"));
  EXPECT_FALSE(csvNumber("1e999"));
}

}  // namespace
}  // namespace ej::core
