#include "sim/data/mnist.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

#include "sim/core/config.h"

namespace ej::data {
namespace {

// Reads the real package once per process (each TEST runs in its own process under ctest).
const MnistSet& all() {
  static const MnistSet set = [] {
    core::Config::setDataRoot(EJ_SOURCE_DIR);
    return loadMnist();
  }();
  return set;
}

TEST(MnistTest, PackageHoldsTenThousandDigitsWithTheFilesCounts) {
  const auto& set = all();
  ASSERT_EQ(set.size(), 10000u);
  ASSERT_EQ(set.images.size(), 10000u);
  // Counts = length of each src/digits/D.json "data" array / 784, counted with Python's json.
  const std::array<int, 10> expected{1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
  EXPECT_EQ(set.histogram(), expected);
  const auto h = set.histogram();
  EXPECT_EQ(std::accumulate(h.begin(), h.end(), 0), 10000);
  // Package order: 0.json first, so the first digit is a 0 and the last a 9.
  EXPECT_EQ(set.labels.front(), 0);
  EXPECT_EQ(set.labels.back(), 9);
}

TEST(MnistTest, FirstImageMatchesThePackageText) {
  const auto& image = all().images.front();
  // 0.json's first digit: value 127 is 0.2 and 129 is 0.992 in the file text; the sum of
  // its 784 values is 121.921 (Python, float64). Tolerance 1e-3: 784 float32 additions.
  EXPECT_FLOAT_EQ(image[127], 0.2f);
  EXPECT_FLOAT_EQ(image[129], 0.992f);
  EXPECT_NEAR(std::accumulate(image.begin(), image.end(), 0.0), 121.921, 1e-3);
}

TEST(MnistTest, SplitIsTheDocumentedFixedOne) {
  const auto split = splitMnist(all());
  ASSERT_EQ(split.train.size(), 7000u);
  ASSERT_EQ(split.validation.size(), 1000u);
  ASSERT_EQ(split.test.size(), 2000u);
  // Worked out independently by a Python transcription of SplitMix64 + Fisher-Yates
  // (seed 20150101), see sim/data/README.md.
  const std::array<int, 10> testHist{197, 224, 195, 187, 202, 185, 199, 209, 202, 200};
  const std::array<int, 10> validationHist{103, 121, 82, 89, 102, 95, 102, 100, 98, 108};
  const std::array<int, 10> trainHist{701, 782, 714, 756, 676, 583, 713, 761, 644, 670};
  EXPECT_EQ(split.test.histogram(), testHist);
  EXPECT_EQ(split.validation.histogram(), validationHist);
  EXPECT_EQ(split.train.histogram(), trainHist);
  EXPECT_EQ(std::vector<int>(split.test.packageIndex.begin(), split.test.packageIndex.begin() + 5),
            (std::vector<int>{13, 17, 18, 27, 28}));
  EXPECT_EQ(split.test.packageIndex.back(), 9993);
  EXPECT_EQ(std::vector<int>(split.validation.packageIndex.begin(),
                             split.validation.packageIndex.begin() + 5),
            (std::vector<int>{11, 22, 23, 38, 43}));
  EXPECT_EQ(split.validation.packageIndex.back(), 9995);
  std::set<int> seen(split.train.packageIndex.begin(), split.train.packageIndex.end());
  seen.insert(split.test.packageIndex.begin(), split.test.packageIndex.end());
  seen.insert(split.validation.packageIndex.begin(), split.validation.packageIndex.end());
  EXPECT_EQ(seen.size(), 10000u);  // disjoint and complete
}

TEST(MnistTest, MissingPackageSaysHowToFetchIt) {
  setenv("EDGEJOULE_MNIST", "/nonexistent/mnist", 1);
  try {
    findMnistPackage();
    FAIL() << "no error for a missing package";
  } catch (const MnistError& e) {
    EXPECT_NE(std::string(e.what()).find("tools/install-deps"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/nonexistent/mnist"), std::string::npos) << e.what();
  }
  unsetenv("EDGEJOULE_MNIST");
}

// A damaged digit file is named with what is wrong in it, never read in part.
TEST(MnistTest, DamagedDigitFileIsNamedWithWhatIsWrong) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("ej-mnist-test-" + std::to_string(::getpid())) / "src" / "digits";
  std::filesystem::create_directories(dir);
  for (int d = 0; d < 10; ++d) {
    std::string zeros = "0";
    for (int i = 1; i < kMnistPixels; ++i) zeros += ",0";
    std::ofstream(dir / (std::to_string(d) + ".json")) << "{\"data\": [" << zeros << "]}";
  }
  const auto package = dir.parent_path().parent_path();
  EXPECT_EQ(loadMnist(package).size(), 10u);  // the well-formed package reads
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"data\": [0, \"x\"]}", "not a number"},
      {"{\"pixels\": [0]}", "unexpected key \"pixels\""},
      {"{\"data\": 3}", "\"data\" is not an array"},
      {"[0, 1]", "not a JSON object"},
      {"{\"data\": [0, 1", "JSON error"},
      {"{}", "no \"data\" array"},
      {"{\"data\": [0.5, 0.25]}", "is not a whole number of 784-pixel digits"},
  };
  for (const auto& [text, expected] : cases) {
    std::ofstream(dir / "3.json") << text;
    try {
      loadMnist(package);
      ADD_FAILURE() << "no error for " << text;
    } catch (const MnistError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find((dir / "3.json").string()), std::string::npos) << what;
      EXPECT_NE(what.find(expected), std::string::npos) << text << ": " << what;
    }
  }
  std::filesystem::remove_all(package);
}

TEST(MnistTest, SplitMix64MatchesTheReferenceSequence) {
  // Reference: splitmix64.c by Vigna (prng.di.unimi.it), seed 0 -> first output
  // 0xE220A8397B1DCDAF.
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xE220A8397B1DCDAFULL);
}

}  // namespace
}  // namespace ej::data
