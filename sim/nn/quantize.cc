// int8 quantisation and the int8 reference kernels (plain loops, the arithmetic of
// sim/firmware/ej_kernels.c written independently).
#include "sim/nn/quantize.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace ej::nn {

std::int32_t requantize(std::int32_t acc, std::int32_t m, std::int32_t s) {
  const int total = 31 - s;
  const std::int64_t prod = std::int64_t(acc) * m + (std::int64_t(1) << (total - 1));
  return std::int32_t(prod >> total);  // arithmetic shift (GCC; defined from C++20)
}

void quantizeMultiplier(double M, std::int32_t& m, std::int32_t& s) {
  if (!(M > 0)) {
    m = 0, s = 0;
    return;
  }
  int e = 0;
  const double q = std::frexp(M, &e);  // M = q * 2^e, q in [0.5, 1)
  auto mm = std::llround(q * 2147483648.0);
  if (mm == (1LL << 31)) mm /= 2, ++e;
  if (e < -31) {
    m = 0, s = 0;
    return;
  }
  if (e > 30) throw ModelError(fmt::format("requantisation multiplier {} is too large", M));
  m = std::int32_t(mm), s = e;
}

int argmax(const std::vector<std::int8_t>& v) {
  return int(std::max_element(v.begin(), v.end()) - v.begin());
}

std::int64_t QLayer::flashBytes() const {
  return std::int64_t(weights.size()) + 4 * std::int64_t(bias.size() + mult.size() + shift.size()) +
         4 * std::int64_t(rowPtr.size()) + 2 * std::int64_t(colIdx.size() + taps.size()) +
         4 * std::int64_t(table.size());
}

std::int64_t QuantModel::flashBytes() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += l.flashBytes();
  return total;
}

std::int64_t QuantModel::macs() const {
  std::int64_t total = 0;
  for (const auto& l : layers) total += l.macs;
  return total;
}

namespace {

int clampI8(long v) { return int(std::min(127L, std::max(-128L, v))); }

QParams fromRange(double lo, double hi) {
  lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);
  QParams q;
  q.scale = hi > lo ? (hi - lo) / 255.0 : 1.0 / 255.0;
  q.zeroPoint = clampI8(std::lround(-128.0 - lo / q.scale));
  return q;
}

// The int8 bounds of a float activation range [lo, hi] under Q.
void activationBounds(const QParams& q, float lo, float hi, ej_layer_t& d) {
  d.act_min = std::isfinite(lo) ? clampI8(q.zeroPoint + std::lround(lo / q.scale)) : -128;
  d.act_max = std::isfinite(hi) ? clampI8(q.zeroPoint + std::lround(hi / q.scale)) : 127;
}

void setGeometry(const Layer& l, const Shape& in, const Shape& out, ej_layer_t& d) {
  d.in_c = in.c, d.in_h = in.h, d.in_w = in.w;
  d.out_c = out.c, d.out_h = out.h, d.out_w = out.w;
  d.k_h = l.kH, d.k_w = l.kW, d.stride_h = l.strideH, d.stride_w = l.strideW;
  d.pad_t = l.padT, d.pad_l = l.padL, d.groups = l.groups;
}

// Per-output-channel symmetric int8 weights, int32 bias and Q31 multipliers.
void quantizeWeights(const Layer& l, int outC, const QParams& in, const QParams& out, QLayer& q) {
  const std::size_t per = l.weights.size() / std::size_t(outC);
  q.weights.resize(l.weights.size());
  for (int oc = 0; oc < outC; ++oc) {
    float amax = 0;
    for (std::size_t i = 0; i < per; ++i) amax = std::max(amax, std::fabs(l.weights[oc * per + i]));
    const double ws = amax > 0 ? amax / 127.0 : 1.0;
    for (std::size_t i = 0; i < per; ++i) {
      q.weights[oc * per + i] = std::int8_t(clampI8(std::lround(l.weights[oc * per + i] / ws)));
    }
    q.bias.push_back(std::int32_t(std::llround(l.bias[oc] / (in.scale * ws))));
    std::int32_t m = 0, s = 0;
    quantizeMultiplier(in.scale * ws / out.scale, m, s);
    q.mult.push_back(m);
    q.shift.push_back(s);
  }
  q.totalWeights = std::int64_t(q.weights.size());
  q.nonZeroWeights =
      std::count_if(q.weights.begin(), q.weights.end(), [](std::int8_t w) { return w != 0; });
}

void makeSparse(QLayer& q) {
  const int outC = q.desc.out_c, inC = q.desc.in_c;
  std::vector<std::int8_t> values;
  q.rowPtr.push_back(0);
  for (int o = 0; o < outC; ++o) {
    for (int i = 0; i < inC; ++i) {
      const std::int8_t w = q.weights[std::size_t(o) * inC + i];
      if (w == 0) continue;
      values.push_back(w);
      q.colIdx.push_back(std::uint16_t(i));
    }
    q.rowPtr.push_back(std::uint32_t(values.size()));
  }
  q.weights = std::move(values);
  q.desc.op = EJ_OP_FC_SPARSE;
}

// Whether some output window of a Conv reaches into the padding (then the sparse kernel
// needs each tap's (ky, kx) to test it).
bool windowsClipped(const ej_layer_t& d) {
  return d.pad_t > 0 || d.pad_l > 0 || (d.out_h - 1) * d.stride_h - d.pad_t + d.k_h > d.in_h ||
         (d.out_w - 1) * d.stride_w - d.pad_l + d.k_w > d.in_w;
}

// The sparse Conv's flash bytes for NNZ non-zeros, or -1 when its 16-bit offsets or 8-bit
// (ky, kx) cannot hold the layer.
std::int64_t sparseConvBytes(const ej_layer_t& d, std::int64_t nnz) {
  // The largest offset, (ci, ky, kx) at their maxima (a kernel may outgrow a padded input).
  const std::int64_t maxOffset =
      (std::int64_t(d.in_c / d.groups - 1) * d.in_h + d.k_h - 1) * d.in_w + d.k_w - 1;
  if (maxOffset > 65535 || d.k_h > 256 || d.k_w > 256) return -1;
  return nnz * (windowsClipped(d) ? 5 : 3) + 4 * (std::int64_t(d.out_c) + 1);
}

void makeSparseConv(QLayer& q) {
  ej_layer_t& d = q.desc;
  const int cinG = d.in_c / d.groups, kk = d.k_h * d.k_w;
  const bool clipped = windowsClipped(d);
  std::vector<std::int8_t> values;
  q.rowPtr.push_back(0);
  for (int oc = 0; oc < d.out_c; ++oc) {
    for (int ci = 0; ci < cinG; ++ci) {
      for (int ky = 0; ky < d.k_h; ++ky) {
        for (int kx = 0; kx < d.k_w; ++kx) {
          const std::int8_t w =
              q.weights[(std::size_t(oc) * cinG + ci) * kk + std::size_t(ky) * d.k_w + kx];
          if (w == 0) continue;
          values.push_back(w);
          q.colIdx.push_back(std::uint16_t((ci * d.in_h + ky) * d.in_w + kx));
          if (clipped) q.taps.push_back(std::uint16_t(ky << 8 | kx));
        }
      }
    }
    q.rowPtr.push_back(std::uint32_t(values.size()));
  }
  q.weights = std::move(values);
  d.op = EJ_OP_CONV_SPARSE;
}

// What every op's quantiser needs: the float graph, the calibrated range of each value,
// the model so far (its values' quantisation) and the options.
struct QuantContext {
  const Graph& graph;
  const std::vector<double>& lo;
  const std::vector<double>& hi;
  const QuantOptions& options;
  QuantModel& qm;
  std::vector<int>& alias;
  // A QDQ model's own activation quantisation wins over calibration.
  QParams preset(int v, QParams fallback) const {
    if (std::size_t(v) < graph.preset.size() && graph.preset[std::size_t(v)].set) {
      return QParams{graph.preset[std::size_t(v)].scale, graph.preset[std::size_t(v)].zeroPoint};
    }
    return fallback;
  }
  QParams calibrated(int v) const {
    return preset(v, fromRange(lo[std::size_t(v)], hi[std::size_t(v)]));
  }
};

// Conv and Gemm: per-channel weights; sparse (CSR) where QuantOptions say so.
QParams quantizeWeighted(const QuantContext& c, const Layer& l, QLayer& q) {
  const Shape& is = c.graph.shapes[l.inputs[0]];
  const Shape& os = c.graph.shapes[l.output];
  const QParams qout = c.calibrated(l.output);
  q.desc.op = l.op == Op::Conv ? EJ_OP_CONV : EJ_OP_FC;
  if (l.op == Op::Gemm) q.desc.in_c = is.size(), q.desc.in_h = q.desc.in_w = 1;
  quantizeWeights(l, os.c, c.qm.qparams[q.in0], qout, q);
  if (l.op == Op::Gemm && c.options.allowSparse &&
      q.nonZeroWeights * 3 + 4 * (os.c + 1) < q.totalWeights) {
    makeSparse(q);
  }
  if (l.op == Op::Conv && c.options.allowSparse) {
    const std::int64_t bytes = sparseConvBytes(q.desc, q.nonZeroWeights);
    const bool smaller = bytes >= 0 && bytes < q.totalWeights;
    const bool thin = bytes >= 0 && double(q.nonZeroWeights) <=
                                        c.options.sparseConvDensity * double(q.totalWeights);
    if (smaller || thin) makeSparseConv(q);
  }
  return qout;
}

// Add: TFLite's quantised Add (both inputs shifted left by 20 and rescaled to twice the
// larger input scale, summed, then rescaled to the output). When the second input is
// smaller than the output it is broadcast (numpy rules on C, H, W): EJ_OP_ADD_BCAST.
QParams quantizeAdd(const QuantContext& c, const Layer& l, QLayer& q) {
  const QParams qout = c.calibrated(l.output);
  q.in1 = c.alias[std::size_t(l.inputs[1])];
  const QParams& qin = c.qm.qparams[q.in0];
  const QParams& qb = c.qm.qparams[q.in1];
  const Shape& bs = c.graph.shapes[l.inputs[1]];
  q.desc.op = bs == c.graph.shapes[l.output] ? EJ_OP_ADD : EJ_OP_ADD_BCAST;
  q.desc.in1_c = bs.c, q.desc.in1_h = bs.h, q.desc.in1_w = bs.w;
  q.desc.in1_zp = qb.zeroPoint;
  q.desc.left_shift = 20;
  const double twiceMax = 2.0 * std::max(qin.scale, qb.scale);
  quantizeMultiplier(qin.scale / twiceMax, q.desc.in_mult, q.desc.in_shift);
  quantizeMultiplier(qb.scale / twiceMax, q.desc.in1_mult, q.desc.in1_shift);
  quantizeMultiplier(twiceMax / (double(1 << 20) * qout.scale), q.desc.out_mult, q.desc.out_shift);
  return qout;
}

// Clamp, MaxPool, AvgPool: same scale in and out (as TFLite requires), no requantisation.
QParams quantizeSameScale(const QuantContext& c, const Layer& l, QLayer& q) {
  q.desc.op =
      l.op == Op::Clamp ? EJ_OP_CLAMP : (l.op == Op::MaxPool ? EJ_OP_MAXPOOL : EJ_OP_AVGPOOL);
  return c.qm.qparams[q.in0];
}

// Softmax: output scale 1/256, zero point -128; a 256-entry Q16 exp table.
QParams quantizeSoftmax(const QuantContext& c, const Layer&, QLayer& q) {
  q.desc.op = EJ_OP_SOFTMAX;
  const double s = c.qm.qparams[q.in0].scale;
  for (int d = 0; d < 256; ++d) {
    q.table.push_back(std::uint32_t(std::lround(65536.0 * std::exp(-d * s))));
  }
  return {1.0 / 256.0, -128};
}

// FC and sparse layers store bias - in_zp * sum(w) (CMSIS-NN's precomputed kernel sum).
void foldInputOffset(QLayer& q) {
  q.kernelBias = q.bias;
  if (q.desc.op != EJ_OP_FC && q.desc.op != EJ_OP_FC_SPARSE && q.desc.op != EJ_OP_CONV_SPARSE)
    return;
  for (int o = 0; o < q.desc.out_c; ++o) {
    std::int64_t sum = 0;
    if (q.desc.op == EJ_OP_FC) {
      for (int i = 0; i < q.desc.in_c; ++i) sum += q.weights[std::size_t(o) * q.desc.in_c + i];
    } else {
      for (std::uint32_t j = q.rowPtr[o]; j < q.rowPtr[o + 1]; ++j) sum += q.weights[j];
    }
    q.kernelBias[std::size_t(o)] =
        std::int32_t(q.bias[std::size_t(o)] - std::int64_t(q.desc.in_zp) * sum);
  }
}

// The min/max of every value over the calibration inputs.
void calibrate(const Graph& graph, const std::vector<std::vector<float>>& calibration,
               std::vector<double>& lo, std::vector<double>& hi) {
  const std::size_t nv = graph.shapes.size();
  lo.assign(nv, std::numeric_limits<double>::infinity());
  hi.assign(nv, -std::numeric_limits<double>::infinity());
  for (const auto& sample : calibration) {
    const auto values = runFloat(graph, sample);
    for (std::size_t v = 0; v < nv; ++v) {
      for (float x : values[v])
        lo[v] = std::min(lo[v], double(x)), hi[v] = std::max(hi[v], double(x));
    }
  }
}

}  // namespace

QuantModel quantize(const Graph& graph, const std::vector<std::vector<float>>& calibration,
                    const QuantOptions& options) {
  if (calibration.empty()) throw ModelError("quantisation needs at least one calibration input");
  std::vector<double> lo, hi;
  calibrate(graph, calibration, lo, hi);
  const std::size_t nv = graph.shapes.size();
  QuantModel qm;
  qm.shapes = graph.shapes;
  qm.qparams.resize(nv);
  std::vector<int> alias(nv);
  for (std::size_t v = 0; v < nv; ++v) alias[v] = int(v);
  qm.input = graph.input;
  const QuantContext ctx{graph, lo, hi, options, qm, alias};
  // Inputs in [0, 1] (images scaled by 1/255) get scale 1/255 and zero point -128, exact for
  // 8-bit pixels; other inputs their calibrated range; a QDQ model's own quantisation wins.
  qm.qparams[graph.input] =
      ctx.preset(graph.input, (lo[graph.input] >= 0 && hi[graph.input] <= 1)
                                  ? QParams{1.0 / 255.0, -128}
                                  : fromRange(lo[graph.input], hi[graph.input]));
  for (const auto& l : graph.layers) {
    const int in0 = alias[l.inputs[0]];
    if (l.op == Op::Reshape) {  // a no-op on NCHW memory: the output aliases the input
      alias[l.output] = in0;
      continue;
    }
    QLayer q;
    q.name = l.name;
    q.onnxOp = opName(l.op);
    q.in0 = in0;
    q.out = l.output;
    q.macs = macCount(graph, l);
    setGeometry(l, graph.shapes[l.inputs[0]], graph.shapes[l.output], q.desc);
    q.desc.in_zp = qm.qparams[in0].zeroPoint;
    QParams qout;
    switch (l.op) {
      case Op::Conv:
      case Op::Gemm:
        qout = quantizeWeighted(ctx, l, q);
        break;
      case Op::Add:
        qout = quantizeAdd(ctx, l, q);
        break;
      case Op::Clamp:
      case Op::MaxPool:
      case Op::AvgPool:
        qout = quantizeSameScale(ctx, l, q);
        break;
      case Op::Softmax:
        qout = quantizeSoftmax(ctx, l, q);
        break;
      case Op::Reshape:
        break;
    }
    foldInputOffset(q);
    qm.qparams[l.output] = qout;
    q.desc.out_zp = qout.zeroPoint;
    activationBounds(qout, l.actMin, l.actMax, q.desc);
    qm.layers.push_back(std::move(q));
  }
  qm.output = alias[graph.output];
  return qm;
}

std::vector<std::int8_t> quantizeInput(const QuantModel& model, const std::vector<float>& input) {
  const QParams& q = model.qparams[model.input];
  std::vector<std::int8_t> out(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    out[i] = std::int8_t(clampI8(q.zeroPoint + std::lround(input[i] / q.scale)));
  }
  return out;
}

namespace {

// One reference kernel per op (as tflite-micro's reference kernels), plain loops.

std::int8_t activate(const ej_layer_t& d, long v) {
  return std::int8_t(std::min<long>(d.act_max, std::max<long>(d.act_min, v)));
}

// The first output index o in [0, n) whose input position o * stride - pad + k is >= 0, and
// the end of those whose position is < size: the outputs a kernel tap (k) reaches.
inline int firstOutput(int k, int stride, int pad) {
  const int need = pad - k;  // o * stride >= need
  return need <= 0 ? 0 : (need + stride - 1) / stride;
}
inline int endOutput(int k, int stride, int pad, int size, int n) {
  const int lim = size + pad - k;  // o * stride < lim
  return lim <= 0 ? 0 : std::min(n, (lim + stride - 1) / stride);
}

// Weight-stationary: each tap is added to every output plane position it reaches (a loop the
// compiler vectorises at stride 1). Integer sums, so the order is free; it is anyway the
// (ci, ky, kx) order of the plain loop for every output.
void convInt8(const QLayer& q, const std::int8_t* in0, std::int8_t* out) {
  const ej_layer_t& d = q.desc;
  const int cinG = d.in_c / d.groups, coutG = d.out_c / d.groups;
  const int plane = d.in_h * d.in_w, taps = d.k_h * d.k_w, outPlane = d.out_h * d.out_w;
  const int sw = d.stride_w;
  std::vector<std::int32_t> acc(static_cast<std::size_t>(outPlane));
  for (int oc = 0; oc < d.out_c; ++oc) {
    std::fill(acc.begin(), acc.end(), q.bias[oc]);
    const std::int8_t* in = in0 + std::size_t(oc / coutG) * cinG * plane;
    const std::int8_t* wOc = q.weights.data() + std::size_t(oc) * cinG * taps;
    for (int ci = 0; ci < cinG; ++ci) {
      const std::int8_t* x = in + ci * plane;
      for (int ky = 0; ky < d.k_h; ++ky) {
        const int oy0 = firstOutput(ky, d.stride_h, d.pad_t);
        const int oy1 = endOutput(ky, d.stride_h, d.pad_t, d.in_h, d.out_h);
        for (int kx = 0; kx < d.k_w; ++kx) {
          const std::int32_t w = wOc[(ci * d.k_h + ky) * d.k_w + kx];
          if (w == 0) continue;
          const int ox0 = firstOutput(kx, sw, d.pad_l);
          const int ox1 = endOutput(kx, sw, d.pad_l, d.in_w, d.out_w);
          for (int oy = oy0; oy < oy1; ++oy) {
            const std::int8_t* xr = x + (oy * d.stride_h - d.pad_t + ky) * d.in_w - d.pad_l + kx;
            std::int32_t* a = acc.data() + oy * d.out_w;
            if (sw == 1) {
              for (int ox = ox0; ox < ox1; ++ox) a[ox] += w * (xr[ox] - d.in_zp);
            } else {
              for (int ox = ox0; ox < ox1; ++ox) a[ox] += w * (xr[ox * sw] - d.in_zp);
            }
          }
        }
      }
    }
    std::int8_t* o = out + std::size_t(oc) * outPlane;
    for (int i = 0; i < outPlane; ++i)
      o[i] = activate(d, long(requantize(acc[std::size_t(i)], q.mult[oc], q.shift[oc])) + d.out_zp);
  }
}

// Each stored tap decoded back to (ci, ky, kx) and added where it lands inside the input, as
// the dense loop does (the firmware's interior/border split and pre-summed bias are not used).
void convSparseInt8(const QLayer& q, const std::int8_t* in0, std::int8_t* out) {
  const ej_layer_t& d = q.desc;
  const int cinG = d.in_c / d.groups, coutG = d.out_c / d.groups, plane = d.in_h * d.in_w;
  for (int oc = 0; oc < d.out_c; ++oc) {
    for (int oy = 0; oy < d.out_h; ++oy) {
      for (int ox = 0; ox < d.out_w; ++ox) {
        std::int32_t acc = q.bias[oc];
        for (std::uint32_t j = q.rowPtr[oc]; j < q.rowPtr[oc + 1]; ++j) {
          int ky = 0, kx = 0;
          if (!q.taps.empty()) {
            ky = q.taps[j] >> 8, kx = q.taps[j] & 0xFF;
          } else {  // no window clipped: k_h <= in_h and k_w <= in_w, so this is unique
            ky = q.colIdx[j] % plane / d.in_w, kx = q.colIdx[j] % plane % d.in_w;
          }
          const int ci = (q.colIdx[j] - ky * d.in_w - kx) / plane;
          const int c = (oc / coutG) * cinG + ci;
          const int iy = oy * d.stride_h - d.pad_t + ky, ix = ox * d.stride_w - d.pad_l + kx;
          if (iy < 0 || iy >= d.in_h || ix < 0 || ix >= d.in_w) continue;
          acc += (in0[(c * d.in_h + iy) * d.in_w + ix] - d.in_zp) * q.weights[j];
        }
        out[(oc * d.out_h + oy) * d.out_w + ox] =
            activate(d, long(requantize(acc, q.mult[oc], q.shift[oc])) + d.out_zp);
      }
    }
  }
}

void fullyConnectedInt8(const QLayer& q, const std::int8_t* in0, std::int8_t* out) {
  const ej_layer_t& d = q.desc;
  for (int o = 0; o < d.out_c; ++o) {
    std::int32_t acc = q.bias[o];
    if (d.op == EJ_OP_FC) {
      for (int i = 0; i < d.in_c; ++i)
        acc += (in0[i] - d.in_zp) * q.weights[std::size_t(o) * d.in_c + i];
    } else {
      for (std::uint32_t j = q.rowPtr[o]; j < q.rowPtr[o + 1]; ++j) {
        acc += (in0[q.colIdx[j]] - d.in_zp) * q.weights[j];
      }
    }
    out[o] = activate(d, long(requantize(acc, q.mult[o], q.shift[o])) + d.out_zp);
  }
}

std::int8_t addOne(const ej_layer_t& d, int a, int b) {
  const std::int32_t sa = requantize((a - d.in_zp) * (1 << d.left_shift), d.in_mult, d.in_shift);
  const std::int32_t sb = requantize((b - d.in1_zp) * (1 << d.left_shift), d.in1_mult, d.in1_shift);
  return activate(d, long(requantize(sa + sb, d.out_mult, d.out_shift)) + d.out_zp);
}

void addInt8(const QLayer& q, const std::int8_t* in0, const std::int8_t* in1, std::int8_t* out) {
  const ej_layer_t& d = q.desc;
  const int n = d.out_c * d.out_h * d.out_w;
  for (int i = 0; i < n; ++i) out[i] = addOne(d, in0[i], in1[i]);
}

// IN1 of shape (in1_c, in1_h, in1_w), each 1 or the output's, repeated along its 1s.
void addBroadcastInt8(const QLayer& q, const std::int8_t* in0, const std::int8_t* in1,
                      std::int8_t* out) {
  const ej_layer_t& d = q.desc;
  for (int c = 0; c < d.out_c; ++c) {
    for (int y = 0; y < d.out_h; ++y) {
      for (int x = 0; x < d.out_w; ++x) {
        const int i = (c * d.out_h + y) * d.out_w + x;
        const int b = ((d.in1_c == 1 ? 0 : c) * d.in1_h + (d.in1_h == 1 ? 0 : y)) * d.in1_w +
                      (d.in1_w == 1 ? 0 : x);
        out[i] = addOne(d, in0[i], in1[b]);
      }
    }
  }
}

void clampInt8(const QLayer& q, const std::int8_t* in0, std::int8_t* out) {
  const int n = q.desc.out_c * q.desc.out_h * q.desc.out_w;
  for (int i = 0; i < n; ++i) out[i] = activate(q.desc, in0[i]);
}

void poolInt8(const QLayer& q, const std::int8_t* in0, std::int8_t* out) {
  const ej_layer_t& d = q.desc;
  for (int c = 0; c < d.out_c; ++c) {
    for (int oy = 0; oy < d.out_h; ++oy) {
      for (int ox = 0; ox < d.out_w; ++ox) {
        long acc = d.op == EJ_OP_MAXPOOL ? -128 : 0;
        long count = 0;
        for (int ky = 0; ky < d.k_h; ++ky) {
          for (int kx = 0; kx < d.k_w; ++kx) {
            const int iy = oy * d.stride_h - d.pad_t + ky, ix = ox * d.stride_w - d.pad_l + kx;
            if (iy < 0 || iy >= d.in_h || ix < 0 || ix >= d.in_w) continue;
            const long v = in0[(c * d.in_h + iy) * d.in_w + ix];
            acc = d.op == EJ_OP_MAXPOOL ? std::max(acc, v) : acc + v;
            ++count;
          }
        }
        // Average rounded half away from zero (C division truncates toward zero).
        if (d.op == EJ_OP_AVGPOOL && count > 0)
          acc = (acc >= 0 ? acc + count / 2 : acc - count / 2) / count;
        out[(c * d.out_h + oy) * d.out_w + ox] = activate(d, acc);
      }
    }
  }
}

void softmaxInt8(const QLayer& q, const std::int8_t* in0, std::int8_t* out) {
  const int n = q.desc.out_c * q.desc.out_h * q.desc.out_w;
  int mx = -128;
  for (int i = 0; i < n; ++i) mx = std::max(mx, int(in0[i]));
  std::uint32_t sum = 0;
  for (int i = 0; i < n; ++i) sum += q.table[std::size_t(mx - in0[i])];
  for (int i = 0; i < n; ++i) {
    const std::uint32_t p = (q.table[std::size_t(mx - in0[i])] * 256u + sum / 2u) / sum;
    out[i] = std::int8_t(std::min<long>(127, long(p) - 128));
  }
}

}  // namespace

void runLayerInt8(const QLayer& q, const std::int8_t* in0, const std::int8_t* in1,
                  std::int8_t* out) {
  switch (q.desc.op) {
    case EJ_OP_CONV:
      return convInt8(q, in0, out);
    case EJ_OP_CONV_SPARSE:
      return convSparseInt8(q, in0, out);
    case EJ_OP_FC:
    case EJ_OP_FC_SPARSE:
      return fullyConnectedInt8(q, in0, out);
    case EJ_OP_ADD:
      return addInt8(q, in0, in1, out);
    case EJ_OP_ADD_BCAST:
      return addBroadcastInt8(q, in0, in1, out);
    case EJ_OP_CLAMP:
      return clampInt8(q, in0, out);
    case EJ_OP_MAXPOOL:
    case EJ_OP_AVGPOOL:
      return poolInt8(q, in0, out);
    case EJ_OP_SOFTMAX:
      return softmaxInt8(q, in0, out);
    default:
      throw ModelError(fmt::format("layer '{}': unknown int8 op {}", q.name, q.desc.op));
  }
}

std::vector<std::vector<std::int8_t>> runInt8(const QuantModel& model,
                                              const std::vector<std::int8_t>& input) {
  std::vector<std::vector<std::int8_t>> v(model.shapes.size());
  v[model.input] = input;
  for (const auto& l : model.layers) {
    std::vector<std::int8_t> out(std::size_t(l.desc.out_c * l.desc.out_h * l.desc.out_w));
    runLayerInt8(l, v[l.in0].data(), l.in1 >= 0 ? v[l.in1].data() : nullptr, out.data());
    v[l.out] = std::move(out);
  }
  return v;
}

}  // namespace ej::nn
