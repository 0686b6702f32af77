// Sample files: the NPY format (numpy.lib.format, "A Simple File Format for NumPy Arrays",
// NEP 1), npz archives through libzip (loaded at the first one), and CSV.
//
// The .npy reader is this project's own: Debian's xtensor (libxtensor-dev 0.24.3, xnpy.hpp)
// was checked and not used, as it does not check that the whole array was read (a truncated
// file gives uninitialised values), allocates the header's size unchecked, sign-extends the
// low byte of the header length and needs the header's keys in one order (the format lets
// them come in any).
#include "sim/data/sample_file.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <type_traits>

namespace ej::data {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw SampleFileError(fmt::format("{}: {}", where, what));
}

std::string readLimited(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) fail(file.string(), "cannot read the file (" + ec.message() + ")");
  if (size > kMaxSampleFileBytes)
    fail(file.string(), fmt::format("larger than {} bytes", kMaxSampleFileBytes));
  std::ifstream in(file, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in || !in.read(bytes.data(), std::streamsize(size)))
    fail(file.string(), "cannot read the file");
  return bytes;
}

// The Python literal dict of an NPY header: 'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), in any order.
struct NpyHeader {
  std::string descr;
  bool fortran = false;
  std::vector<std::size_t> shape;
};

NpyHeader parseHeader(const std::string& h, const std::string& where) {
  NpyHeader out;
  std::size_t i = 0;
  auto skip = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\n' || h[i] == '\t')) ++i;
  };
  auto expect = [&](char c) {
    skip();
    if (i >= h.size() || h[i] != c) fail(where, fmt::format("NPY header: '{}' expected", c));
    ++i;
  };
  auto quoted = [&] {
    skip();
    if (i >= h.size() || (h[i] != '\'' && h[i] != '"')) fail(where, "NPY header: string expected");
    const char q = h[i++];
    const auto end = h.find(q, i);
    if (end == std::string::npos) fail(where, "NPY header: unterminated string");
    std::string s = h.substr(i, end - i);
    i = end + 1;
    return s;
  };
  bool haveDescr = false, haveOrder = false, haveShape = false;
  expect('{');
  for (;;) {
    skip();
    if (i < h.size() && h[i] == '}') break;
    const std::string key = quoted();
    expect(':');
    skip();
    if (key == "descr") {
      out.descr = quoted(), haveDescr = true;
    } else if (key == "fortran_order") {
      if (h.compare(i, 4, "True") == 0)
        out.fortran = true, i += 4;
      else if (h.compare(i, 5, "False") == 0)
        i += 5;
      else
        fail(where, "NPY header: fortran_order must be True or False");
      haveOrder = true;
    } else if (key == "shape") {
      expect('(');
      for (;;) {
        skip();
        if (i < h.size() && h[i] == ')') break;
        std::size_t v = 0, digits = 0;
        while (i < h.size() && h[i] >= '0' && h[i] <= '9' && digits < 18)
          v = v * 10 + std::size_t(h[i++] - '0'), ++digits;
        if (digits == 0 || (i < h.size() && h[i] >= '0' && h[i] <= '9'))
          fail(where, "NPY header: bad shape");
        out.shape.push_back(v);
        skip();
        if (i < h.size() && h[i] == ',') ++i;
      }
      ++i;
      haveShape = true;
    } else {
      fail(where, "NPY header: unknown key '" + key + "'");
    }
    skip();
    if (i < h.size() && h[i] == ',') ++i;
  }
  if (!haveDescr || !haveOrder || !haveShape)
    fail(where, "NPY header: descr, fortran_order and shape are all required");
  return out;
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

NpyArray parseNpy(const std::string& bytes, const std::string& where) {
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, magic, 6) != 0)
    fail(where, "not a NumPy .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t headerLen = 0, at = 0;
  if (major == 1) {
    headerLen = std::size_t(static_cast<unsigned char>(bytes[8])) |
                std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
    at = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(where, "truncated NPY header");
    for (int k = 0; k < 4; ++k)
      headerLen |= std::size_t(static_cast<unsigned char>(bytes[8 + std::size_t(k)])) << (8 * k);
    at = 12;
  } else {
    fail(where, fmt::format("NPY format version {} is not supported (1, 2, 3)", major));
  }
  if (headerLen > bytes.size() - at) fail(where, "truncated NPY header");
  const NpyHeader h = parseHeader(bytes.substr(at, headerLen), where);
  at += headerLen;
  if (h.fortran) fail(where, "Fortran-order arrays are not supported (save a C-order array)");
  // Byte order '<' (little), '|' (not applicable) or '=' (native, little on every host we run).
  if (h.descr.size() < 3 || (h.descr[0] != '<' && h.descr[0] != '|' && h.descr[0] != '='))
    fail(where, "dtype '" + h.descr + "': only little-endian numbers are supported");
  const std::string type = h.descr.substr(1);
  static const std::map<std::string, std::size_t> sizes = {
      {"f4", 4}, {"f8", 8}, {"i1", 1}, {"u1", 1}, {"i2", 2}, {"u2", 2},
      {"i4", 4}, {"u4", 4}, {"i8", 8}, {"u8", 8}, {"b1", 1}};
  const auto size = sizes.find(type);
  if (size == sizes.end())
    fail(where, "dtype '" + h.descr + "' is not supported (bool, int, uint, float32/64)");
  std::size_t count = 1;
  for (auto d : h.shape) {
    if (d != 0 && count > kMaxSampleFileBytes / d) fail(where, "the array is too large");
    count *= d;
  }
  if (count * size->second != bytes.size() - at) {
    fail(where, fmt::format("the header's shape needs {} data bytes, the file holds {}",
                            count * size->second, bytes.size() - at));
  }
  NpyArray a;
  a.dtype = h.descr;
  a.shape = h.shape;
  a.values.resize(count);
  const char* p = bytes.data() + at;
  for (std::size_t k = 0; k < count; ++k, p += size->second) {
    double v = 0;
    if (type == "f4")
      v = load<float>(p);
    else if (type == "f8")
      v = load<double>(p);
    else if (type == "i1")
      v = load<std::int8_t>(p);
    else if (type == "u1" || type == "b1")
      v = load<std::uint8_t>(p);
    else if (type == "i2")
      v = load<std::int16_t>(p);
    else if (type == "u2")
      v = load<std::uint16_t>(p);
    else if (type == "i4")
      v = load<std::int32_t>(p);
    else if (type == "u4")
      v = load<std::uint32_t>(p);
    else if (type == "i8")
      v = double(load<std::int64_t>(p));
    else
      v = double(load<std::uint64_t>(p));
    a.values[k] = v;
  }
  return a;
}

namespace {

// libzip's functions, the library loaded (dlopen) at the first .npz read: only .npz files
// need it, and linked, it and the OpenSSL libcrypto it needs were loaded at every start of
// every command (a quarter of the dynamic loader's symbol look-ups).
struct LibZip {
  decltype(&zip_open) open;
  decltype(&zip_close) close;
  decltype(&zip_error_init_with_code) errorInitWithCode;
  decltype(&zip_error_strerror) errorStrerror;
  decltype(&zip_error_fini) errorFini;
  decltype(&zip_get_num_entries) getNumEntries;
  decltype(&zip_stat_index) statIndex;
  decltype(&zip_fopen_index) fopenIndex;
  decltype(&zip_fclose) fclose;
  decltype(&zip_strerror) strerror;
  decltype(&zip_fread) fread;

  // Throws std::runtime_error when the library or one of its functions cannot be loaded.
  static const LibZip& get() {
    static const LibZip lib = load();
    return lib;
  }

 private:
  static LibZip load() {
    constexpr const char* kName = "libzip.so.4";  // Debian's libzip4 (libzip-dev's soname)
    void* so = ::dlopen(kName, RTLD_NOW | RTLD_LOCAL);
    if (!so) throw std::runtime_error(fmt::format("cannot load {}: {}", kName, ::dlerror()));
    auto sym = [so, kName](auto& f, const char* name) {
      f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(::dlsym(so, name));
      if (!f) throw std::runtime_error(fmt::format("{} has no {}", kName, name));
    };
    LibZip z{};
    sym(z.open, "zip_open");
    sym(z.close, "zip_close");
    sym(z.errorInitWithCode, "zip_error_init_with_code");
    sym(z.errorStrerror, "zip_error_strerror");
    sym(z.errorFini, "zip_error_fini");
    sym(z.getNumEntries, "zip_get_num_entries");
    sym(z.statIndex, "zip_stat_index");
    sym(z.fopenIndex, "zip_fopen_index");
    sym(z.fclose, "zip_fclose");
    sym(z.strerror, "zip_strerror");
    sym(z.fread, "zip_fread");
    return z;
  }
};

// The members of an .npz archive (a zip of NAME.npy files, stored or deflated), by name
// without ".npy".
std::map<std::string, NpyArray> readNpz(const fs::path& file) {
  const LibZip* loaded = nullptr;
  try {
    loaded = &LibZip::get();
  } catch (const std::runtime_error& e) {
    fail(file.string(), e.what());
  }
  const LibZip& lib = *loaded;
  int err = 0;
  std::unique_ptr<zip_t, decltype(&zip_close)> z(lib.open(file.c_str(), ZIP_RDONLY, &err),
                                                 lib.close);
  if (!z) {
    zip_error_t e;
    lib.errorInitWithCode(&e, err);
    const std::string text = lib.errorStrerror(&e);
    lib.errorFini(&e);
    fail(file.string(), "not a readable .npz (zip) archive: " + text);
  }
  std::map<std::string, NpyArray> out;
  const zip_int64_t n = lib.getNumEntries(z.get(), 0);
  std::uint64_t total = 0;
  for (zip_int64_t k = 0; k < n; ++k) {
    zip_stat_t st;
    if (lib.statIndex(z.get(), zip_uint64_t(k), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE))
      fail(file.string(), "cannot read the archive's directory");
    std::string name = st.name;
    const std::string where = file.string() + ": " + name;
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".npy") != 0)
      fail(where, "an .npz member must be a .npy file");
    total += st.size;
    if (total > kMaxSampleFileBytes)
      fail(where, fmt::format("the arrays hold more than {} bytes", kMaxSampleFileBytes));
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> f(
        lib.fopenIndex(z.get(), zip_uint64_t(k), 0), lib.fclose);
    if (!f) fail(where, std::string("cannot open: ") + lib.strerror(z.get()));
    std::string bytes(st.size, '\0');
    const zip_int64_t got = lib.fread(f.get(), bytes.data(), st.size);
    if (got < 0 || zip_uint64_t(got) != st.size) fail(where, "cannot read (damaged archive?)");
    out[name.substr(0, name.size() - 4)] = parseNpy(bytes, where);
  }
  return out;
}

// A CSV cell as a number, or nullopt.
bool number(const std::string& cell, double& v) {
  if (cell.empty()) return false;
  errno = 0;
  char* end = nullptr;
  v = std::strtod(cell.c_str(), &end);
  return errno == 0 && end == cell.c_str() + cell.size() && std::isfinite(v);
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// CSV: rows of numbers; an optional header line; a column named `label`.
void readCsv(const fs::path& file, std::vector<std::vector<double>>& rows,
             std::vector<int>& labels) {
  std::istringstream in(readLimited(file));
  std::string line;
  int lineNo = 0, labelCol = -1;
  std::size_t columns = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++lineNo;
    if (trim(line).empty()) continue;
    std::vector<std::pair<std::string, int>> cells;  // text, column (1-based)
    std::size_t start = 0;
    for (;;) {
      const auto comma = line.find(',', start);
      cells.emplace_back(trim(line.substr(start, comma - start)), int(start) + 1);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    double v = 0;
    if (first) {
      first = false;
      bool header = false;
      for (const auto& c : cells) header |= !number(c.first, v);
      if (header) {
        for (std::size_t k = 0; k < cells.size(); ++k) {
          if (cells[k].first == "label") labelCol = int(k);
        }
        columns = cells.size();
        continue;
      }
    }
    if (columns == 0) columns = cells.size();
    if (cells.size() != columns) {
      throw SampleFileError(fmt::format("{}:{}:1: {} columns, the first row has {}", file.string(),
                                        lineNo, cells.size(), columns));
    }
    if (rows.size() >= kMaxSamples)
      throw SampleFileError(
          fmt::format("{}:{}:1: more than {} samples", file.string(), lineNo, kMaxSamples));
    std::vector<double> row;
    for (std::size_t k = 0; k < cells.size(); ++k) {
      if (!number(cells[k].first, v)) {
        throw SampleFileError(fmt::format("{}:{}:{}: '{}' is not a number", file.string(), lineNo,
                                          cells[k].second, cells[k].first));
      }
      if (int(k) == labelCol) {
        if (v != std::floor(v) || v < 0 || v > 1e6)
          throw SampleFileError(fmt::format("{}:{}:{}: label '{}' is not a class index",
                                            file.string(), lineNo, cells[k].second,
                                            cells[k].first));
        labels.push_back(int(v));
      } else {
        row.push_back(v);
      }
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) fail(file.string(), "no samples (no rows of numbers)");
}

// Splits X [N, ...] into N samples of C*H*W values in NCHW order.
void takeInputs(const NpyArray& x, const std::string& where, int c, int h, int w, SampleSet& s) {
  const std::size_t per = std::size_t(c) * std::size_t(h) * std::size_t(w);
  if (x.shape.empty()) fail(where, "the inputs must be an array [N, ...], not a scalar");
  const std::size_t n = x.shape[0];
  if (n == 0) fail(where, "no samples (the first dimension is 0)");
  if (n > kMaxSamples) fail(where, fmt::format("more than {} samples", kMaxSamples));
  if (x.values.size() != n * per) {
    std::string dims;
    for (std::size_t k = 1; k < x.shape.size(); ++k) dims += fmt::format(",{}", x.shape[k]);
    fail(where, fmt::format("each sample [{}] holds {} values, the model's input [{},{},{}] "
                            "takes {}",
                            dims.empty() ? "" : dims.substr(1), x.values.size() / n, c, h, w, per));
  }
  const bool nhwc = x.shape.size() == 4 && int(x.shape[1]) == h && int(x.shape[2]) == w &&
                    int(x.shape[3]) == c && c != h && c > 1;
  s.layout = fmt::format("{} [{}", x.dtype, n);
  for (std::size_t k = 1; k < x.shape.size(); ++k) s.layout += fmt::format(",{}", x.shape[k]);
  s.layout += nhwc ? "] NHWC, transposed to NCHW" : "]";
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<float> v(per);
    const double* src = x.values.data() + i * per;
    for (int ch = 0; ch < c; ++ch) {
      for (int y = 0; y < h; ++y) {
        for (int xx = 0; xx < w; ++xx) {
          const std::size_t to = (std::size_t(ch) * h + y) * w + xx;
          const std::size_t from = nhwc ? (std::size_t(y) * w + xx) * c + ch : to;
          v[to] = float(src[from]);
        }
      }
    }
    s.inputs.push_back(std::move(v));
  }
}

void takeLabels(const NpyArray& y, const std::string& where, SampleSet& s) {
  const std::size_t n = s.inputs.size();
  if (y.shape.empty() || y.shape[0] != n)
    fail(where, fmt::format("{} labels for {} inputs", y.shape.empty() ? 0 : y.shape[0], n));
  const std::size_t k = y.values.size() / n;
  for (std::size_t i = 0; i < n; ++i) {
    if (k == 1) {
      const double v = y.values[i];
      if (v != std::floor(v) || v < 0 || v > 1e6)
        fail(where, fmt::format("label {} ({}) is not a class index", i, v));
      s.labels.push_back(int(v));
    } else {  // one-hot or scores: the largest
      const auto* p = y.values.data() + i * k;
      s.labels.push_back(int(std::max_element(p, p + k) - p));
    }
  }
}

}  // namespace

std::string SampleSet::describe() const {
  return fmt::format("{} ({} samples, {}, {})", file.string(), inputs.size(), layout,
                     labelled() ? "labelled" : "no labels");
}

SampleSet readSamples(const fs::path& file, int c, int h, int w) {
  SampleSet s;
  s.file = file;
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char ch) { return char(std::tolower(ch)); });
  if (ext == ".npy") {
    takeInputs(parseNpy(readLimited(file), file.string()), file.string(), c, h, w, s);
  } else if (ext == ".npz") {
    auto arrays = readNpz(file);
    if (arrays.size() == 1 && !arrays.count("x")) {
      const std::string name = arrays.begin()->first;
      takeInputs(arrays.begin()->second, file.string() + ": " + name, c, h, w, s);
    } else {
      if (!arrays.count("x")) fail(file.string(), "no array `x` (the inputs)");
      takeInputs(arrays.at("x"), file.string() + ": x", c, h, w, s);
      if (arrays.count("y")) takeLabels(arrays.at("y"), file.string() + ": y", s);
    }
  } else if (ext == ".csv") {
    std::vector<std::vector<double>> rows;
    readCsv(file, rows, s.labels);
    NpyArray x;
    x.dtype = "csv";
    x.shape = {rows.size(), rows[0].size()};
    for (const auto& r : rows) x.values.insert(x.values.end(), r.begin(), r.end());
    takeInputs(x, file.string(), c, h, w, s);
    s.layout = fmt::format("CSV, {} rows of {} values{}", rows.size(), rows[0].size(),
                           s.labels.empty() ? "" : " + label");
  } else {
    fail(file.string(), "unknown sample file type (.npy, .npz or .csv)");
  }
  return s;
}

}  // namespace ej::data
