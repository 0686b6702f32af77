// Calibration and test inputs (and labels) from the files users have: NumPy .npy and .npz
// (read with libzip) and CSV. See README.md, "Sample files".
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace ej::data {

// A file that cannot be read as samples: what() is "FILE: what is wrong" (CSV:
// "FILE:LINE:COL: what is wrong"; npz: "FILE: member: what is wrong").
class SampleFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One NumPy array: its shape and its values converted to double (C order).
struct NpyArray {
  std::string dtype;  // the header's descr, e.g. "<f4"
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

// The NPY format 1.0 / 2.0 / 3.0 (numpy.lib.format): little-endian or byte-sized bool, int
// and float types, C order. WHERE names the source in errors.
NpyArray parseNpy(const std::string& bytes, const std::string& where);

// Limits: a sample file holds at most this many bytes (uncompressed) and samples.
inline constexpr std::uint64_t kMaxSampleFileBytes = 1ULL << 30;
inline constexpr std::size_t kMaxSamples = 1000000;

// Samples for a model whose input is C x H x W (NCHW; a vector input is N x 1 x 1).
struct SampleSet {
  std::filesystem::path file;
  std::vector<std::vector<float>> inputs;  // each C*H*W values, NCHW order
  std::vector<int> labels;                 // one per input, or empty: the file has none
  std::string layout;                      // how the file's arrays were read, for reports
  bool labelled() const { return !labels.empty(); }
  // "FILE (N samples, layout, labelled|no labels)".
  std::string describe() const;
};

// Reads FILE by its extension:
// - .npy: one array [N, ...] of inputs (no labels).
// - .npz: arrays `x` [N, ...] (inputs) and, optionally, `y` (labels: [N] integers, or
//   [N, K] one-hot / scores, taken by argmax). A single array of any name is taken as `x`.
// - .csv: one sample per line, comma separated numbers; an optional first line of column
//   names, where a column `label` holds integer labels.
// Per sample the values must be C*H*W in number: [C,H,W] (or flat) is taken as is; [H,W,C]
// with C != H (TensorFlow's NHWC) is transposed to NCHW and said so in `layout`.
SampleSet readSamples(const std::filesystem::path& file, int c, int h, int w);

}  // namespace ej::data
