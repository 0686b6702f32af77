// Sample files (.npy, .npz, .csv): values, shapes, labels and NHWC transposition checked
// against arrays written here byte by byte from the NPY format description
// (numpy.lib.format), and every error located.
#include "sim/data/sample_file.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace ej::data {
namespace {
namespace fs = std::filesystem;

// An NPY 1.0 file: magic, version, little-endian header length, the header padded with
// spaces to a multiple of 64 bytes and ended by '\n', then the raw data.
std::string npy(const std::string& descr, const std::string& shape, const std::string& data,
                int version = 1) {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t pre = version == 1 ? 10 : 12;
  while ((pre + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out = std::string("\x93NUMPY", 6) + char(version) + char(0);
  out += char(h.size() & 0xFF), out += char(h.size() >> 8 & 0xFF);
  if (version != 1) out += std::string(2, '\0');
  return out + h + data;
}

template <typename T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

class SampleFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("ej_sample_file_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override { fs::remove_all(m_dir); }
  fs::path write(const std::string& name, const std::string& bytes) {
    std::ofstream(m_dir / name, std::ios::binary) << bytes;
    return m_dir / name;
  }
  // An .npz: a zip of NAME.npy members (deflated, as numpy.savez_compressed writes them).
  fs::path npz(const std::string& name, const std::vector<std::pair<std::string, std::string>>& m) {
    int err = 0;
    zip_t* z = zip_open((m_dir / name).c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    EXPECT_NE(z, nullptr);
    std::vector<std::string> keep;
    keep.reserve(m.size());
    for (const auto& [member, bytes] : m) {
      keep.push_back(bytes);
      zip_source_t* src = zip_source_buffer(z, keep.back().data(), keep.back().size(), 0);
      zip_file_add(z, (member + ".npy").c_str(), src, ZIP_FL_OVERWRITE);
    }
    EXPECT_EQ(zip_close(z), 0);
    return m_dir / name;
  }
  static std::string errorOf(const std::function<void()>& f) {
    try {
      f();
    } catch (const SampleFileError& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path m_dir;
};

TEST_F(SampleFileTest, NpyFloat32TwoSamples) {
  const auto f = write("x.npy", npy("<f4", "(2, 1, 2, 2)",
                                    raw(std::vector<float>{0, 0.25f, 0.5f, 1, -1, 2, 3, 4.5f})));
  const SampleSet s = readSamples(f, 1, 2, 2);
  ASSERT_EQ(s.inputs.size(), 2u);
  EXPECT_EQ(s.inputs[0], (std::vector<float>{0, 0.25f, 0.5f, 1}));
  EXPECT_EQ(s.inputs[1], (std::vector<float>{-1, 2, 3, 4.5f}));
  EXPECT_FALSE(s.labelled());
  EXPECT_EQ(s.describe(), f.string() + " (2 samples, <f4 [2,1,2,2], no labels)");
}

TEST_F(SampleFileTest, NpyVersionTwoAndIntegerTypes) {
  const auto f = write("u8.npy", npy("|u1", "(1, 3)", std::string("\x00\x7f\xff", 3), 2));
  EXPECT_EQ(readSamples(f, 3, 1, 1).inputs[0], (std::vector<float>{0, 127, 255}));
  const auto g = write("i16.npy", npy("<i2", "(1, 2)", raw(std::vector<std::int16_t>{-300, 7})));
  EXPECT_EQ(readSamples(g, 2, 1, 1).inputs[0], (std::vector<float>{-300, 7}));
}

// TensorFlow's NHWC [N, H, W, C] is transposed to NCHW: pixel (y, x) channel c moves from
// (y*W + x)*C + c to (c*H + y)*W + x.
TEST_F(SampleFileTest, NhwcIsTransposedToNchw) {
  // H = 1, W = 2, C = 3: pixels (r0, g0, b0), (r1, g1, b1) = 1..6.
  const auto f =
      write("nhwc.npy", npy("<f4", "(1, 1, 2, 3)", raw(std::vector<float>{1, 2, 3, 4, 5, 6})));
  const SampleSet s = readSamples(f, 3, 1, 2);
  EXPECT_EQ(s.inputs[0], (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_NE(s.layout.find("NHWC, transposed to NCHW"), std::string::npos);
}

TEST_F(SampleFileTest, NpzWithLabelsAndOneHotLabels) {
  const auto x = npy("<f4", "(3, 2)", raw(std::vector<float>{1, 2, 3, 4, 5, 6}));
  const auto f =
      npz("a.npz", {{"x", x}, {"y", npy("<i8", "(3,)", raw(std::vector<std::int64_t>{2, 0, 1}))}});
  const SampleSet s = readSamples(f, 2, 1, 1);
  EXPECT_EQ(s.labels, (std::vector<int>{2, 0, 1}));
  EXPECT_EQ(s.inputs[2], (std::vector<float>{5, 6}));
  const auto g = npz(
      "b.npz",
      {{"x", x}, {"y", npy("<f4", "(3, 3)", raw(std::vector<float>{0, 0, 1, 1, 0, 0, 0, 1, 0}))}});
  EXPECT_EQ(readSamples(g, 2, 1, 1).labels, (std::vector<int>{2, 0, 1}));
}

TEST_F(SampleFileTest, CsvWithHeaderAndLabelColumn) {
  const auto f = write("s.csv", "a,b,label\n0.5,1,3\n\n-2,4e-1,0\n");
  const SampleSet s = readSamples(f, 2, 1, 1);
  ASSERT_EQ(s.inputs.size(), 2u);
  EXPECT_EQ(s.inputs[1], (std::vector<float>{-2, 0.4f}));
  EXPECT_EQ(s.labels, (std::vector<int>{3, 0}));
}

TEST_F(SampleFileTest, ErrorsAreLocated) {
  const auto csv = write("bad.csv", "a,b,label\n1,2,0\n1, x1,0\n");
  EXPECT_EQ(errorOf([&] { readSamples(csv, 2, 1, 1); }),
            csv.string() + ":3:3: 'x1' is not a number");
  const auto ragged = write("ragged.csv", "1,2\n1,2,3\n");
  EXPECT_EQ(errorOf([&] { readSamples(ragged, 2, 1, 1); }),
            ragged.string() + ":2:1: 3 columns, the first row has 2");
  // 2 x 3 float32 need 24 bytes; 20 are there.
  const auto cut = write("cut.npy", npy("<f4", "(2, 3)", std::string(20, '\0')));
  EXPECT_EQ(errorOf([&] { readSamples(cut, 3, 1, 1); }),
            cut.string() + ": the header's shape needs 24 data bytes, the file holds 20");
  const auto big = write("big.npy", npy(">f4", "(1, 1)", std::string(4, '\0')));
  EXPECT_EQ(errorOf([&] { readSamples(big, 1, 1, 1); }),
            big.string() + ": dtype '>f4': only little-endian numbers are supported");
  const auto shape = write("shape.npy", npy("<f4", "(2, 5)", std::string(40, '\0')));
  EXPECT_EQ(errorOf([&] { readSamples(shape, 1, 2, 2); }),
            shape.string() + ": each sample [5] holds 5 values, the model's input [1,2,2] takes 4");
  const auto junk = write("junk.npy", "PK not numpy");
  EXPECT_EQ(errorOf([&] { readSamples(junk, 1, 1, 1); }),
            junk.string() + ": not a NumPy .npy file (no \\x93NUMPY magic)");
  const auto labels = npz("l.npz", {{"x", npy("<f4", "(2, 1)", raw(std::vector<float>{1, 2}))},
                                    {"y", npy("<f4", "(2,)", raw(std::vector<float>{1, 0.5f}))}});
  EXPECT_EQ(errorOf([&] { readSamples(labels, 1, 1, 1); }),
            labels.string() + ": y: label 1 (0.5) is not a class index");
  const auto other = write("x.txt", "1");
  EXPECT_EQ(errorOf([&] { readSamples(other, 1, 1, 1); }),
            other.string() + ": unknown sample file type (.npy, .npz or .csv)");
}

}  // namespace
}  // namespace ej::data
