// Analytic cycle formulas and their calibration against the emulator.
#include "sim/nn/analytic.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <cmath>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "sim/data/mnist.h"
#include "sim/nn/emulator.h"
#include "sim/nn/profile.h"

namespace ej::nn {

namespace {

// Whether output (oy, ox)'s window lies inside the input.
bool windowInside(const ej_layer_t& d, int oy, int ox) {
  const int iy0 = oy * d.stride_h - d.pad_t, ix0 = ox * d.stride_w - d.pad_l;
  return iy0 >= 0 && ix0 >= 0 && iy0 + d.k_h <= d.in_h && ix0 + d.k_w <= d.in_w;
}

// Trip counts of the optimized kernels (ej_kernels_opt.c), per path.
std::vector<double> optimizedFeatures(const QLayer& l, Core core, int path) {
  const ej_layer_t& d = l.desc;
  const bool dsp = hasDsp(core);
  const double outputs = double(d.out_c) * d.out_h * d.out_w;
  if (path == EJ_PATH_IM2COL) {
    // Per group: ceil(P/2) column pairs x ceil(cout_g/2) filter pairs run the 2x2 block,
    // whose loop takes 4 taps (DSP) or 2 taps per trip, then the rest one by one; every
    // column is gathered tap by tap, inside the input, 1x1, or checked at the border.
    const double k = double(d.in_c / d.groups) * d.k_h * d.k_w;
    const double step = dsp ? 4 : 2;
    const double trips = std::floor(k / step), tail = k - trips * step;
    const int p = d.out_h * d.out_w;
    const double blocks = double(d.groups) * ((p + 1) / 2) * ((d.out_c / d.groups + 1) / 2);
    double inside = 0, border = 0;
    for (int oy = 0; oy < d.out_h; ++oy) {
      for (int ox = 0; ox < d.out_w; ++ox) (windowInside(d, oy, ox) ? inside : border) += 1;
    }
    const double columns = double(d.groups) * p;
    const double rows = d.k_h * d.k_w == 1 ? 0 : double(d.in_c / d.groups) * d.k_h;
    return {blocks * trips,
            blocks * tail,
            blocks,
            outputs,
            inside * d.groups * k,
            border * d.groups * k,
            inside * d.groups * rows,
            columns,
            1.0};
  }
  if (path == EJ_PATH_DEPTHWISE3X3) {
    // Border outputs: the clipped loop's rows inside the input and taps inside it.
    double inside = 0, border = 0, borderRows = 0, borderTaps = 0;
    for (int oy = 0; oy < d.out_h; ++oy) {
      for (int ox = 0; ox < d.out_w; ++ox) {
        if (windowInside(d, oy, ox)) {
          inside += 1;
          continue;
        }
        border += 1;
        for (int ky = 0; ky < 3; ++ky) {
          const int iy = oy * d.stride_h - d.pad_t + ky;
          if (iy < 0 || iy >= d.in_h) continue;
          borderRows += 1;
          for (int kx = 0; kx < 3; ++kx) {
            const int ix = ox * d.stride_w - d.pad_l + kx;
            borderTaps += ix >= 0 && ix < d.in_w;
          }
        }
      }
    }
    return {inside * d.out_c,
            border * d.out_c,
            borderRows * d.out_c,
            borderTaps * d.out_c,
            double(d.out_c) * d.out_h,
            double(d.out_c),
            1.0};
  }
  // EJ_PATH_FC. DSP: the input converted 4 at a time, then row pairs over 4-tap trips;
  // otherwise row quads over single taps, then single rows.
  const double k = d.in_c, n = d.out_c;
  if (dsp) {
    const double pairs = std::ceil(n / 2), trips = std::floor(k / 4), tail = k - trips * 4;
    return {pairs * trips, pairs * tail, pairs, n, trips, tail, 1.0};
  }
  const double quads = std::floor(n / 4), rest = n - quads * 4;
  return {quads * k, rest * k, quads, rest, n, 1.0};
}

}  // namespace

std::uint32_t kernelKey(const QLayer& l, KernelLibrary library) {
  return l.desc.op | std::uint32_t(kernelPath(l.desc, library)) << 8;
}

std::vector<double> layerFeatures(const QLayer& l, Core core, KernelLibrary library) {
  const ej_layer_t& d = l.desc;
  const int path = kernelPath(d, library);
  if (path != EJ_PATH_REFERENCE) return optimizedFeatures(l, core, path);
  const double outputs = double(d.out_c) * d.out_h * d.out_w;
  switch (d.op) {
    case EJ_OP_CONV:
    case EJ_OP_MAXPOOL:
    case EJ_OP_AVGPOOL: {
      // Exact loop trip counts of the kernels in ej_kernels.c: the ky loop runs k_h times per
      // (output, input channel); the kx loop k_w times per valid row; taps are valid kx trips,
      // split as the conv's dot product takes them on M4/M7: 4 at a time (one word load and
      // two SMLAD), then the rest one by one.
      // Rows that enter the 4-wide loop and rows that enter the tail loop (each entry and
      // exit costs a compare and a branch).
      double validRows = 0, quadTaps = 0, tailTaps = 0, quadRows = 0, tailRows = 0;
      for (int oy = 0; oy < d.out_h; ++oy) {
        int rows = 0;
        for (int ky = 0; ky < d.k_h; ++ky) {
          const int iy = oy * d.stride_h - d.pad_t + ky;
          rows += iy >= 0 && iy < d.in_h;
        }
        for (int ox = 0; ox < d.out_w; ++ox) {
          int cols = 0;
          for (int kx = 0; kx < d.k_w; ++kx) {
            const int ix = ox * d.stride_w - d.pad_l + kx;
            cols += ix >= 0 && ix < d.in_w;
          }
          validRows += rows;
          quadTaps += double(rows) * (cols / 4 * 4);
          tailTaps += double(rows) * (cols % 4);
          quadRows += double(rows) * (cols >= 4);
          tailRows += double(rows) * (cols % 4 != 0);
        }
      }
      const double perOutput = d.op == EJ_OP_CONV ? double(d.in_c / d.groups) * d.out_c : d.out_c;
      return {quadTaps * perOutput,
              tailTaps * perOutput,
              validRows * perOutput,
              quadRows * perOutput,
              tailRows * perOutput,
              double(d.k_h) * d.out_h * d.out_w * perOutput,
              d.op == EJ_OP_CONV ? outputs * double(d.in_c / d.groups) : 0.0,
              outputs,
              1.0};
    }
    case EJ_OP_CONV_SPARSE: {
      // ej_conv_sparse_s8: per output one pass over its channel's non-zeros, on the fast path
      // when the window lies inside the input, else on the checked path, where a tap that
      // falls into the padding skips its loads. Exact trip counts of those loops.
      double inside = 0, borderValid = 0, borderPadded = 0;
      for (int oy = 0; oy < d.out_h; ++oy) {
        const int iy0 = oy * d.stride_h - d.pad_t;
        for (int ox = 0; ox < d.out_w; ++ox) {
          const int ix0 = ox * d.stride_w - d.pad_l;
          if (iy0 >= 0 && iy0 + d.k_h <= d.in_h && ix0 >= 0 && ix0 + d.k_w <= d.in_w) {
            inside += double(l.weights.size());
            continue;
          }
          for (const std::uint16_t t : l.taps) {
            const int iy = iy0 + (t >> 8), ix = ix0 + (t & 0xFF);
            (iy >= 0 && iy < d.in_h && ix >= 0 && ix < d.in_w ? borderValid : borderPadded) += 1;
          }
        }
      }
      return {inside,          borderValid, borderPadded, outputs, double(d.out_c) * d.out_h,
              double(d.out_c), 1.0};
    }
    case EJ_OP_FC: {
      const double quads = double(d.in_c / 4) * 4;
      return {quads * d.out_c, double(d.in_c - d.in_c / 4 * 4) * d.out_c, double(d.out_c), 1.0};
    }
    case EJ_OP_FC_SPARSE:
      return {double(l.weights.size()), double(d.out_c), 1.0};
    case EJ_OP_ADD:
    case EJ_OP_ADD_BCAST:
    case EJ_OP_CLAMP:
    case EJ_OP_SOFTMAX:
      return {outputs, 1.0};
    default:
      throw ModelError(fmt::format("layer '{}': no analytic formula for op {}", l.name, d.op));
  }
}

AnalyticCount predictLayer(const AnalyticCoefficients& c, const QLayer& l, Core core,
                           KernelLibrary library) {
  const auto f = layerFeatures(l, core, library);
  AnalyticCount out;
  const auto key = kernelKey(l, library);
  if (!c.cycles.count(key)) {
    throw ModelError(fmt::format("layer '{}': the analytic fit has no layer like it", l.name));
  }
  const auto& cc = c.cycles.at(key);
  const auto& rc = c.flashReads.at(key);
  for (std::size_t i = 0; i < f.size(); ++i)
    out.cycles += cc[i] * f[i], out.flashReads += rc[i] * f[i];
  out.cycles = std::max(out.cycles, 0.0);
  out.flashReads = std::max(out.flashReads, 0.0);
  return out;
}

namespace {

// The calibration suite: one-layer graphs of every kernel over a spread of shapes.
std::vector<Graph> calibrationSuite() {
  std::vector<Graph> suite;
  data::SplitMix64 rng(2024);
  auto rand = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = float(rng.uniform() - 0.5);
    return v;
  };
  auto single = [&](Shape in, Layer l, Shape out) {
    Graph g;
    g.shapes = {in, out};
    g.names = {"in", "out"};
    g.input = 0, g.output = 1;
    l.inputs = {0}, l.output = 1, l.name = "calibration";
    g.layers = {l};
    suite.push_back(g);
  };
  // Dense convolutions, then unstructured-pruned ones (zeros at random; they run sparse).
  struct ConvCase {
    int cin, h, cout, k, stride, pad, groups;
    double sparsity;
  };
  for (const ConvCase& c :
       std::vector<ConvCase>{{1, 28, 6, 5, 1, 2, 1, 0},     {6, 14, 16, 5, 1, 0, 1, 0},
                             {3, 16, 8, 3, 1, 1, 1, 0},     {8, 12, 8, 3, 2, 1, 8, 0},
                             {4, 10, 12, 1, 1, 0, 1, 0},    {16, 8, 16, 3, 1, 1, 16, 0},
                             {2, 20, 4, 7, 2, 3, 1, 0},     {8, 9, 16, 3, 1, 0, 2, 0},
                             {4, 12, 4, 2, 1, 0, 1, 0},     {2, 16, 4, 4, 1, 0, 1, 0},
                             {1, 20, 3, 6, 2, 0, 1, 0},     {5, 9, 7, 3, 1, 1, 1, 0},
                             {16, 6, 16, 3, 1, 1, 1, 0},    {16, 8, 24, 1, 1, 0, 1, 0},
                             {7, 6, 5, 1, 1, 0, 1, 0},      {24, 5, 16, 1, 2, 0, 1, 0},
                             {12, 7, 12, 3, 1, 1, 12, 0},   {4, 9, 4, 3, 2, 0, 4, 0},
                             {6, 16, 6, 3, 2, 1, 6, 0},     {10, 5, 10, 3, 1, 0, 10, 0},
                             {6, 14, 16, 5, 1, 0, 1, 0.88}, {1, 28, 6, 5, 1, 2, 1, 0.85},
                             {6, 14, 16, 5, 1, 0, 1, 0.97}, {3, 16, 8, 3, 1, 1, 1, 0.9},
                             {8, 9, 16, 3, 1, 0, 2, 0.8},   {2, 20, 4, 7, 2, 3, 1, 0.9},
                             {16, 8, 32, 1, 1, 0, 1, 0.8},  {8, 12, 8, 3, 2, 1, 1, 0.95}}) {
    Layer l;
    l.op = Op::Conv, l.kH = l.kW = c.k, l.strideH = l.strideW = c.stride;
    l.padT = l.padL = l.padB = l.padR = c.pad, l.groups = c.groups;
    l.weights = rand(std::size_t(c.cout) * (c.cin / c.groups) * c.k * c.k),
    l.bias = rand(std::size_t(c.cout));
    for (auto& w : l.weights) {
      if (c.sparsity > 0 && rng.uniform() < c.sparsity) w = 0;
    }
    const int o = (c.h + 2 * c.pad - c.k) / c.stride + 1;
    single({c.cin, c.h, c.h}, l, {c.cout, o, o});
  }
  for (auto [in, out, sparsity] : std::vector<std::tuple<int, int, double>>{{400, 120, 0},
                                                                            {120, 84, 0},
                                                                            {84, 10, 0},
                                                                            {37, 23, 0},
                                                                            {256, 64, 0},
                                                                            {10, 7, 0},
                                                                            {64, 33, 0},
                                                                            {13, 4, 0},
                                                                            {400, 120, 0.9},
                                                                            {120, 84, 0.8},
                                                                            {300, 50, 0.95},
                                                                            {64, 64, 0.75}}) {
    Layer l;
    l.op = Op::Gemm, l.weights = rand(std::size_t(in) * out), l.bias = rand(std::size_t(out));
    for (auto& w : l.weights) {
      if (rng.uniform() < sparsity) w = 0;
    }
    single({in, 1, 1}, l, {out, 1, 1});
  }
  for (auto [c, h, k, s, pad] : std::vector<std::tuple<int, int, int, int, int>>{
           {6, 28, 2, 2, 0}, {16, 10, 2, 2, 0}, {8, 9, 3, 2, 1}, {4, 16, 3, 1, 1}}) {
    for (Op op : {Op::MaxPool, Op::AvgPool}) {
      Layer l;
      l.op = op, l.kH = l.kW = k, l.strideH = l.strideW = s,
      l.padT = l.padL = l.padB = l.padR = pad;
      const int o = (h + 2 * pad - k) / s + 1;
      single({c, h, h}, l, {c, o, o});
    }
  }
  for (int n : {10, 64, 300, 1000}) {
    Layer clamp;
    clamp.op = Op::Clamp, clamp.actMin = -0.2f, clamp.actMax = 0.3f;
    single({n, 1, 1}, clamp, {n, 1, 1});
    Layer sm;
    sm.op = Op::Softmax;
    single({n, 1, 1}, sm, {n, 1, 1});
    Graph g;  // Add of the input to itself through two paths
    g.shapes = {{n, 1, 1}, {n, 1, 1}, {n, 1, 1}};
    g.names = {"in", "c", "out"};
    g.input = 0, g.output = 2;
    Layer c2;
    c2.op = Op::Clamp, c2.name = "c", c2.inputs = {0}, c2.output = 1, c2.actMin = -0.1f;
    Layer add;
    add.op = Op::Add, add.name = "add", add.inputs = {0, 1}, add.output = 2;
    g.layers = {c2, add};
    suite.push_back(g);
  }
  for (auto [c, h] : std::vector<std::pair<int, int>>{{4, 8}, {16, 5}, {32, 3}}) {
    Graph g;  // Add of a tensor and its channel means, broadcast over H and W
    g.shapes = {{c, h, h}, {c, 1, 1}, {c, h, h}};
    g.names = {"in", "mean", "out"};
    g.input = 0, g.output = 2;
    Layer mean;
    mean.op = Op::AvgPool, mean.name = "mean", mean.inputs = {0}, mean.output = 1;
    mean.kH = mean.kW = h;
    Layer add;
    add.op = Op::Add, add.name = "add", add.inputs = {0, 1}, add.output = 2;
    g.layers = {mean, add};
    suite.push_back(g);
  }
  return suite;
}

}  // namespace

AnalyticCoefficients fitAnalytic(Core core, KernelLibrary library) {
  const Core emulated = core == Core::XtensaLx6 ? Core::Rv32imc : core;
  struct Rows {
    std::vector<std::vector<double>> x;
    std::vector<double> cycles, reads;
  };
  std::map<std::uint32_t, Rows> rows;
  data::SplitMix64 rng(99);
  for (const Graph& g : calibrationSuite()) {
    std::vector<std::vector<float>> calib(
        4, std::vector<float>(std::size_t(g.shapes[g.input].size())));
    for (auto& v : calib) {
      for (auto& x : v) x = float(rng.uniform() * 2 - 1);
    }
    const QuantModel q = quantize(g, calib);
    // Wait states 1 so the emulator counts flash reads; cycles then exclude them again.
    Emulator emu(emulated, q, 1, library);
    const auto counts = emu.run(quantizeInput(q, calib[0]));
    for (std::size_t i = 0; i < q.layers.size(); ++i) {
      Rows& r = rows[kernelKey(q.layers[i], library)];
      r.x.push_back(layerFeatures(q.layers[i], emulated, library));
      r.cycles.push_back(double(counts[i].cycles - counts[i].flashReads));
      r.reads.push_back(double(counts[i].flashReads));
    }
  }
  AnalyticCoefficients c;
  for (auto& [op, r] : rows) {
    const std::size_t n = r.x.size(), k = r.x[0].size();
    Eigen::MatrixXd a(n, k);
    Eigen::VectorXd yc(n), yr(n);
    for (std::size_t i = 0; i < n; ++i) {
      // Rows weighted by 1/y: the fit minimises relative error, so small layers count too.
      const double w = 1.0 / std::max(1.0, r.cycles[i]);
      for (std::size_t j = 0; j < k; ++j) a(long(i), long(j)) = r.x[i][j] * w;
      yc(long(i)) = r.cycles[i] * w;
      yr(long(i)) = r.reads[i] * w;
    }
    const auto qr = a.completeOrthogonalDecomposition();
    const Eigen::VectorXd cc = qr.solve(yc), rc = qr.solve(yr);
    c.cycles[op].assign(cc.data(), cc.data() + k);
    c.flashReads[op].assign(rc.data(), rc.data() + k);
  }
  return c;
}

const AnalyticCoefficients& analyticCoefficients(Core core, KernelLibrary library) {
  static std::mutex mutex;
  static std::map<std::pair<Core, KernelLibrary>, AnalyticCoefficients> memo;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = memo.find({core, library});
  if (it != memo.end()) return it->second;
  const auto file =
      profileCacheDir() / fmt::format("analytic-{}-{}-{}.json", coreName(core),
                                      kernelLibraryName(library), firmwareHash(core, library));
  AnalyticCoefficients c;
  bool loaded = false;
  if (std::ifstream in(file); in) {
    try {
      const auto j = nlohmann::json::parse(in);
      for (const auto& [op, v] : j.at("cycles").items())
        c.cycles[std::uint32_t(std::stoul(op))] = v.get<std::vector<double>>();
      for (const auto& [op, v] : j.at("flash_reads").items())
        c.flashReads[std::uint32_t(std::stoul(op))] = v.get<std::vector<double>>();
      loaded = true;
    } catch (const std::exception&) {
      c = {};
    }
  }
  if (!loaded) {
    c = fitAnalytic(core, library);
    nlohmann::json j;
    for (const auto& [op, v] : c.cycles) j["cycles"][std::to_string(op)] = v;
    for (const auto& [op, v] : c.flashReads) j["flash_reads"][std::to_string(op)] = v;
    writeCacheFile(file, j.dump(1));
  }
  return memo.emplace(std::make_pair(core, library), std::move(c)).first->second;
}

}  // namespace ej::nn
