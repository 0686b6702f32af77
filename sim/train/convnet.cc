// DS-CNN and ResNet for MNIST as node lists: forward, backward, compaction, int8; see convnet.h.
#include "sim/train/convnet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/train/quantize.h"

namespace ej::train {
namespace {

constexpr int kSide = 28;

struct Geom {
  int cin, k, stride, pad, hin, win;
  int hout() const { return (hin + 2 * pad - k) / stride + 1; }
  int wout() const { return (win + 2 * pad - k) / stride + 1; }
};

// cols[(ci*k + ky)*k + kx, b*P + oy*wout + ox] = in[ci, b*hin*win + iy*win + ix] with
// iy = oy*stride - pad + ky (zero outside the map): im2col with stride and zero padding.
void im2colStrided(const Mat& in, int batch, const Geom& g, Mat& cols) {
  const int ho = g.hout();
  const int wo = g.wout();
  const Eigen::Index pin = static_cast<Eigen::Index>(g.hin) * g.win;
  const Eigen::Index pout = static_cast<Eigen::Index>(ho) * wo;
  cols.setZero(static_cast<Eigen::Index>(g.cin) * g.k * g.k, batch * pout);
  const float* src = in.data();
  for (int b = 0; b < batch; ++b) {
    for (int oy = 0; oy < ho; ++oy) {
      for (int ox = 0; ox < wo; ++ox) {
        float* dst = cols.col(b * pout + oy * wo + ox).data();
        for (int ci = 0; ci < g.cin; ++ci) {
          for (int ky = 0; ky < g.k; ++ky) {
            const int iy = oy * g.stride - g.pad + ky;
            for (int kx = 0; kx < g.k; ++kx, ++dst) {
              const int ix = ox * g.stride - g.pad + kx;
              if (iy < 0 || iy >= g.hin || ix < 0 || ix >= g.win) continue;
              *dst = src[(b * pin + iy * g.win + ix) * g.cin + ci];
            }
          }
        }
      }
    }
  }
}

// The adjoint of im2colStrided.
void col2imStrided(const Mat& dCols, int batch, const Geom& g, Mat& dIn) {
  const int ho = g.hout();
  const int wo = g.wout();
  const Eigen::Index pin = static_cast<Eigen::Index>(g.hin) * g.win;
  const Eigen::Index pout = static_cast<Eigen::Index>(ho) * wo;
  dIn.setZero(g.cin, batch * pin);
  float* dst = dIn.data();
  for (int b = 0; b < batch; ++b) {
    for (int oy = 0; oy < ho; ++oy) {
      for (int ox = 0; ox < wo; ++ox) {
        const float* src = dCols.col(b * pout + oy * wo + ox).data();
        for (int ci = 0; ci < g.cin; ++ci) {
          for (int ky = 0; ky < g.k; ++ky) {
            const int iy = oy * g.stride - g.pad + ky;
            for (int kx = 0; kx < g.k; ++kx, ++src) {
              const int ix = ox * g.stride - g.pad + kx;
              if (iy < 0 || iy >= g.hin || ix < 0 || ix >= g.win) continue;
              dst[(b * pin + iy * g.win + ix) * g.cin + ci] += *src;
            }
          }
        }
      }
    }
  }
}

// Depthwise conv: out[c, o] = sum over taps of W[c, tap] * in[c, i(o, tap)] + b[c]. Channels
// are contiguous in a column, so each tap is one vector product over C.
void depthwiseForward(const Mat& W, const Vec& bias, const Mat& in, int batch, const Geom& g,
                      Mat& out) {
  const int ho = g.hout();
  const int wo = g.wout();
  const Eigen::Index pin = static_cast<Eigen::Index>(g.hin) * g.win;
  const Eigen::Index pout = static_cast<Eigen::Index>(ho) * wo;
  out.resize(W.rows(), batch * pout);
  for (int b = 0; b < batch; ++b) {
    for (int oy = 0; oy < ho; ++oy) {
      for (int ox = 0; ox < wo; ++ox) {
        auto o = out.col(b * pout + oy * wo + ox);
        o = bias;
        for (int ky = 0; ky < g.k; ++ky) {
          const int iy = oy * g.stride - g.pad + ky;
          if (iy < 0 || iy >= g.hin) continue;
          for (int kx = 0; kx < g.k; ++kx) {
            const int ix = ox * g.stride - g.pad + kx;
            if (ix < 0 || ix >= g.win) continue;
            o += W.col(ky * g.k + kx).cwiseProduct(in.col(b * pin + iy * g.win + ix));
          }
        }
      }
    }
  }
}

void depthwiseBackward(const Mat& W, const Mat& in, const Mat& dOut, int batch, const Geom& g,
                       Mat& dW, Vec& db, Mat* dIn) {
  const int ho = g.hout();
  const int wo = g.wout();
  const Eigen::Index pin = static_cast<Eigen::Index>(g.hin) * g.win;
  const Eigen::Index pout = static_cast<Eigen::Index>(ho) * wo;
  dW.setZero(W.rows(), W.cols());
  db = dOut.rowwise().sum();
  if (dIn) dIn->setZero(in.rows(), in.cols());
  for (int b = 0; b < batch; ++b) {
    for (int oy = 0; oy < ho; ++oy) {
      for (int ox = 0; ox < wo; ++ox) {
        const auto d = dOut.col(b * pout + oy * wo + ox);
        for (int ky = 0; ky < g.k; ++ky) {
          const int iy = oy * g.stride - g.pad + ky;
          if (iy < 0 || iy >= g.hin) continue;
          for (int kx = 0; kx < g.k; ++kx) {
            const int ix = ox * g.stride - g.pad + kx;
            if (ix < 0 || ix >= g.win) continue;
            const Eigen::Index i = b * pin + iy * g.win + ix;
            dW.col(ky * g.k + kx) += d.cwiseProduct(in.col(i));
            if (dIn) dIn->col(i) += W.col(ky * g.k + kx).cwiseProduct(d);
          }
        }
      }
    }
  }
}

void accumulate(Mat& dst, const Mat& add) {
  if (dst.size() == 0) {
    dst = add;
  } else {
    dst += add;
  }
}

std::vector<int> openIndex(const Vec& g) {
  std::vector<int> idx;
  for (Eigen::Index i = 0; i < g.size(); ++i) {
    if (g[i] > 0.5f) idx.push_back(static_cast<int>(i));
  }
  return idx;
}

Mat takeRows(const Mat& m, const std::vector<int>& rows) {
  Mat out(static_cast<Eigen::Index>(rows.size()), m.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.row(static_cast<Eigen::Index>(i)) = m.row(rows[i]);
  return out;
}
Vec takeRows(const Vec& v, const std::vector<int>& rows) {
  Vec out(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out[static_cast<Eigen::Index>(i)] = v[rows[i]];
  return out;
}
Mat takeColumnBlocks(const Mat& m, const std::vector<int>& blocks, int width) {
  Mat out(m.rows(), static_cast<Eigen::Index>(blocks.size()) * width);
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    out.middleCols(static_cast<Eigen::Index>(i) * width, width) =
        m.middleCols(static_cast<Eigen::Index>(blocks[i]) * width, width);
  }
  return out;
}

bool hasParams(NodeOp op) {
  return op == NodeOp::Conv || op == NodeOp::Depthwise || op == NodeOp::Fc;
}

// Builds a node list: add() returns the tensor the node writes.
struct Builder {
  ConvNet net;
  int add(Node n) {
    net.nodes.push_back(std::move(n));
    return static_cast<int>(net.nodes.size());
  }
  int conv(const std::string& name, int in, int k, int stride, int pad, int space,
           bool quant = false) {
    Node n;
    n.op = NodeOp::Conv;
    n.name = name;
    n.in = in;
    n.k = k;
    n.stride = stride;
    n.pad = pad;
    n.space = space;
    n.quant = quant;
    return add(n);
  }
  int unary(NodeOp op, const std::string& name, int in, bool quant = false, int space = -1) {
    Node n;
    n.op = op;
    n.name = name;
    n.in = in;
    n.quant = quant;
    n.space = space;
    return add(n);
  }
  // ReLU (a quantization point) then the gate of SPACE.
  int reluGate(const std::string& name, int in, int space) {
    const int r = unary(NodeOp::Relu, name + ".relu", in, true);
    return unary(NodeOp::Gate, name + ".gate", r, false, space);
  }
  ConvNet finish() {
    net.W.resize(net.nodes.size());
    net.b.resize(net.nodes.size());
    net.score.resize(net.width.size());
    net.quantPoint.assign(net.nodes.size() + 1, -1);
    int q = 0;
    net.quantPoint[0] = q++;
    for (std::size_t i = 0; i < net.nodes.size(); ++i) {
      if (net.nodes[i].quant) net.quantPoint[i + 1] = q++;
    }
    for (std::size_t i = 0; i < net.nodes.size(); ++i) {
      const Node& n = net.nodes[i];
      const int in = net.inputSpace(static_cast<int>(i));
      const int cin = net.width[static_cast<std::size_t>(in)];
      if (n.op == NodeOp::Conv || n.op == NodeOp::Fc) {
        const int cout = net.width[static_cast<std::size_t>(n.space)];
        net.W[i] = Mat::Zero(cout, static_cast<Eigen::Index>(cin) * n.k * n.k);
        net.b[i] = Vec::Zero(cout);
      } else if (n.op == NodeOp::Depthwise) {
        net.W[i] = Mat::Zero(cin, n.k * n.k);
        net.b[i] = Vec::Zero(cin);
      }
    }
    return net;
  }
};

}  // namespace

int ConvNet::tensorSpace(int t) const {
  while (t > 0) {
    const Node& n = nodes[static_cast<std::size_t>(t - 1)];
    if (n.op == NodeOp::Conv || n.op == NodeOp::Fc) return n.space;
    t = n.in;
  }
  return kInputSpace;
}

int ConvNet::inputSpace(int n) const { return tensorSpace(nodes[static_cast<std::size_t>(n)].in); }

long ConvNet::paramCount(const std::vector<int>& widths) const {
  long total = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    const long cin = widths[static_cast<std::size_t>(inputSpace(static_cast<int>(i)))];
    if (n.op == NodeOp::Conv || n.op == NodeOp::Fc) {
      total += widths[static_cast<std::size_t>(n.space)] * (cin * n.k * n.k + 1);
    } else if (n.op == NodeOp::Depthwise) {
      total += cin * (static_cast<long>(n.k) * n.k + 1);
    }
  }
  return total;
}

bool ConvNet::gated() const {
  return std::any_of(score.begin(), score.end(), [](const Vec& s) { return s.size() > 0; });
}

Vec ConvNet::gates(int space) const {
  const Vec& s = score[static_cast<std::size_t>(space)];
  if (s.size() == 0) return Vec::Ones(width[static_cast<std::size_t>(space)]);
  Vec g = s.unaryExpr([](float v) { return gateValue(v); });
  if (g.sum() == 0.0f) {
    Eigen::Index best = 0;
    s.maxCoeff(&best);
    g[best] = 1.0f;
  }
  return g;
}

std::vector<int> ConvNet::openWidths() const {
  std::vector<int> w = width;
  for (std::size_t s = 0; s < w.size(); ++s) {
    if (score[s].size() > 0) w[s] = static_cast<int>(gates(static_cast<int>(s)).sum());
  }
  return w;
}

ConvNet ConvNet::compact() const {
  std::vector<std::vector<int>> keep(width.size());
  for (std::size_t s = 0; s < width.size(); ++s) keep[s] = openIndex(gates(static_cast<int>(s)));
  ConvNet out = *this;
  out.width = openWidths();
  for (auto& s : out.score) s = Vec();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    const auto& kin = keep[static_cast<std::size_t>(inputSpace(static_cast<int>(i)))];
    if (n.op == NodeOp::Conv || n.op == NodeOp::Fc) {
      const auto& kout = keep[static_cast<std::size_t>(n.space)];
      out.W[i] = takeColumnBlocks(takeRows(W[i], kout), kin, n.k * n.k);
      out.b[i] = takeRows(b[i], kout);
    } else if (n.op == NodeOp::Depthwise) {
      out.W[i] = takeRows(W[i], kin);
      out.b[i] = takeRows(b[i], kin);
    }
  }
  return out;
}

int ConvNet::quantPoints() const {
  return static_cast<int>(
      std::count_if(quantPoint.begin(), quantPoint.end(), [](int q) { return q >= 0; }));
}

std::string ConvNet::describe() const {
  std::string s = family;
  for (std::size_t i = 2; i < width.size(); ++i) {
    s += (i == 2 ? " " : "-") + std::to_string(width[i]);
  }
  return s;
}

ConvNet makeDsCnn(int c0, int c1, int c2, int c3) {
  Builder b;
  b.net.family = "ds-cnn";
  b.net.width = {1, 10, c0, c1, c2, c3};
  int t = b.conv("conv0", 0, 3, 2, 1, 2);
  t = b.reluGate("conv0", t, 2);
  // Three separable blocks: depthwise 3x3 (stride 2, 2, 1) on the previous space, then
  // pointwise 1x1 into the next; the depthwise output is gated again by its input's space, so
  // that a closed channel is zero after the depthwise bias too.
  const int strides[3] = {2, 2, 1};
  for (int k = 0; k < 3; ++k) {
    const std::string i = std::to_string(k + 1);
    Node dw;
    dw.op = NodeOp::Depthwise;
    dw.name = "dw" + i;
    dw.in = t;
    dw.k = 3;
    dw.stride = strides[k];
    dw.pad = 1;
    t = b.add(dw);
    t = b.reluGate(dw.name, t, 2 + k);
    t = b.conv("pw" + i, t, 1, 1, 0, 3 + k);
    t = b.reluGate("pw" + i, t, 3 + k);
  }
  t = b.unary(NodeOp::Gap, "gap", t, true);
  Node fc;
  fc.op = NodeOp::Fc;
  fc.name = "fc";
  fc.in = t;
  fc.space = kLogitSpace;
  fc.quant = true;
  b.add(fc);
  return b.finish();
}

ConvNet makeResNet(int c, int m1, int m2, int c2) {
  Builder b;
  b.net.family = "resnet";
  b.net.width = {1, 10, c, m1, m2, c2};
  int x0 = b.conv("stem", 0, 3, 2, 1, 2);
  x0 = b.reluGate("stem", x0, 2);
  int h = b.conv("block1.conv1", x0, 3, 1, 1, 3);
  h = b.reluGate("block1.conv1", h, 3);
  const int y1 = b.conv("block1.conv2", h, 3, 1, 1, 2, true);
  Node add;
  add.op = NodeOp::Add;
  add.name = "block1.add";
  add.in = y1;
  add.in2 = x0;
  int x1 = b.add(add);
  x1 = b.reluGate("block1.add", x1, 2);
  h = b.conv("block2.conv1", x1, 3, 2, 1, 4);
  h = b.reluGate("block2.conv1", h, 4);
  const int y2 = b.conv("block2.conv2", h, 3, 1, 1, 5, true);
  const int s2 = b.conv("block2.shortcut", x1, 1, 2, 0, 5, true);
  add.name = "block2.add";
  add.in = y2;
  add.in2 = s2;
  int x2 = b.add(add);
  x2 = b.reluGate("block2.add", x2, 5);
  const int g = b.unary(NodeOp::Gap, "gap", x2, true);
  Node fc;
  fc.op = NodeOp::Fc;
  fc.name = "fc";
  fc.in = g;
  fc.space = kLogitSpace;
  fc.quant = true;
  b.add(fc);
  return b.finish();
}

ConvNet makeConvNet(const std::string& family) {
  if (family == "ds-cnn") return makeDsCnn();
  if (family == "resnet") return makeResNet();
  throw std::invalid_argument(
      fmt::format("unknown architecture '{}' (lenet5, ds-cnn or resnet)", family));
}

void initConvNet(ConvNet& net, uint64_t seed) {
  data::SplitMix64 rng(seed);
  for (std::size_t i = 0; i < net.nodes.size(); ++i) {
    if (!hasParams(net.nodes[i].op)) continue;
    Mat& w = net.W[i];
    const float stddev = std::sqrt(2.0f / static_cast<float>(w.cols()));
    for (Eigen::Index j = 0; j < w.size(); ++j) {
      const double u1 = 1.0 - rng.uniform();
      const double u2 = rng.uniform();
      w.data()[j] =
          static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2)) * stddev;
    }
    net.b[i].setZero();
  }
}

void forward(const ConvNet& net, const Mat& x, NetCache& c, const std::vector<ActQuant>* quant) {
  const int batch = static_cast<int>(x.cols() / data::kMnistPixels);
  const std::size_t n = net.nodes.size();
  c.batch = batch;
  c.t.resize(n + 1);
  c.cols.resize(n);
  c.h.assign(n + 1, kSide);
  c.w.assign(n + 1, kSide);
  c.gates.resize(net.width.size());
  for (std::size_t s = 0; s < net.width.size(); ++s) c.gates[s] = net.gates(static_cast<int>(s));
  const bool gated = net.gated();
  auto q = [&](std::size_t t) {
    const int p = net.quantPoint[t];
    if (!quant || p < 0) return;
    const ActQuant& a = (*quant)[static_cast<std::size_t>(p)];
    c.t[t] = c.t[t].unaryExpr([&a](float v) { return a.apply(v); });
  };
  c.t[0] = x;
  q(0);
  for (std::size_t i = 0; i < n; ++i) {
    const Node& node = net.nodes[i];
    const auto in = static_cast<std::size_t>(node.in);
    const Mat& src = c.t[in];
    Mat& out = c.t[i + 1];
    c.h[i + 1] = c.h[in];
    c.w[i + 1] = c.w[in];
    const Geom g{static_cast<int>(src.rows()), node.k, node.stride, node.pad, c.h[in], c.w[in]};
    switch (node.op) {
      case NodeOp::Conv:
        c.h[i + 1] = g.hout();
        c.w[i + 1] = g.wout();
        if (node.k == 1 && node.stride == 1 && node.pad == 0) {
          c.cols[i].resize(0, 0);
          affineForward(net.W[i], net.b[i], src, out);
        } else {
          im2colStrided(src, batch, g, c.cols[i]);
          affineForward(net.W[i], net.b[i], c.cols[i], out);
        }
        break;
      case NodeOp::Depthwise:
        c.h[i + 1] = g.hout();
        c.w[i + 1] = g.wout();
        depthwiseForward(net.W[i], net.b[i], src, batch, g, out);
        break;
      case NodeOp::Relu:
        out = src.cwiseMax(0.0f);
        break;
      case NodeOp::Gate:
        if (gated) {
          out = c.gates[static_cast<std::size_t>(node.space)].asDiagonal() * src;
        } else {
          out = src;
        }
        break;
      case NodeOp::Add:
        out = src + c.t[static_cast<std::size_t>(node.in2)];
        break;
      case NodeOp::Gap: {
        const Eigen::Index p = static_cast<Eigen::Index>(c.h[in]) * c.w[in];
        out.resize(src.rows(), batch);
        for (int b = 0; b < batch; ++b) out.col(b) = src.middleCols(b * p, p).rowwise().mean();
        c.h[i + 1] = c.w[i + 1] = 1;
        break;
      }
      case NodeOp::Fc:
        affineForward(net.W[i], net.b[i], src, out);
        break;
    }
    q(i + 1);
  }
}

const Mat& logits(const NetCache& cache) { return cache.t.back(); }

void backward(const ConvNet& net, NetCache& c, const Mat& dLogits, NetGrads& grads) {
  const std::size_t n = net.nodes.size();
  const int batch = c.batch;
  std::vector<Mat> d(n + 1);
  d[n] = dLogits;
  grads.W.resize(n);
  grads.b.resize(n);
  grads.gate.resize(net.width.size());
  for (std::size_t s = 0; s < net.width.size(); ++s) {
    grads.gate[s] = Vec::Zero(net.width[s]);
  }
  const bool gated = net.gated();
  Mat dIn;
  for (std::size_t i = n; i-- > 0;) {
    const Node& node = net.nodes[i];
    const auto in = static_cast<std::size_t>(node.in);
    Mat& dOut = d[i + 1];
    if (dOut.size() == 0) continue;
    const bool wantIn = in > 0;
    const Geom g{static_cast<int>(c.t[in].rows()), node.k, node.stride, node.pad, c.h[in], c.w[in]};
    switch (node.op) {
      case NodeOp::Conv:
        if (c.cols[i].size() == 0) {
          affineBackward(net.W[i], c.t[in], dOut, grads.W[i], grads.b[i], wantIn ? &dIn : nullptr);
          if (wantIn) accumulate(d[in], dIn);
        } else {
          Mat dCols;
          affineBackward(net.W[i], c.cols[i], dOut, grads.W[i], grads.b[i],
                         wantIn ? &dCols : nullptr);
          if (wantIn) {
            col2imStrided(dCols, batch, g, dIn);
            accumulate(d[in], dIn);
          }
        }
        break;
      case NodeOp::Depthwise:
        depthwiseBackward(net.W[i], c.t[in], dOut, batch, g, grads.W[i], grads.b[i],
                          wantIn ? &dIn : nullptr);
        if (wantIn) accumulate(d[in], dIn);
        break;
      case NodeOp::Relu:
        accumulate(d[in], (c.t[i + 1].array() > 0.0f).select(dOut, 0.0f));
        break;
      case NodeOp::Gate:
        if (gated) {
          const auto s = static_cast<std::size_t>(node.space);
          grads.gate[s] += (dOut.array() * c.t[in].array()).rowwise().sum().matrix();
          accumulate(d[in], c.gates[s].asDiagonal() * dOut);
        } else {
          accumulate(d[in], dOut);
        }
        break;
      case NodeOp::Add:
        accumulate(d[in], dOut);
        accumulate(d[static_cast<std::size_t>(node.in2)], dOut);
        break;
      case NodeOp::Gap: {
        const Eigen::Index p = static_cast<Eigen::Index>(c.h[in]) * c.w[in];
        dIn.resize(dOut.rows(), batch * p);
        for (int b = 0; b < batch; ++b) {
          dIn.middleCols(b * p, p).colwise() = dOut.col(b) / static_cast<float>(p);
        }
        accumulate(d[in], dIn);
        break;
      }
      case NodeOp::Fc:
        affineBackward(net.W[i], c.t[in], dOut, grads.W[i], grads.b[i], wantIn ? &dIn : nullptr);
        if (wantIn) accumulate(d[in], dIn);
        break;
    }
    dOut.resize(0, 0);
  }
}

std::vector<int> predict(const ConvNet& net, const data::MnistSet& set,
                         const std::vector<ActQuant>* quant) {
  constexpr std::size_t kBatch = 250;
  std::vector<int> out;
  out.reserve(set.size());
  NetCache cache;
  Mat x;
  for (std::size_t begin = 0; begin < set.size(); begin += kBatch) {
    const std::size_t count = std::min(kBatch, set.size() - begin);
    loadBatch(set, {}, begin, count, x);
    forward(net, x, cache, quant);
    const Mat& z = logits(cache);
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
      Eigen::Index best = 0;
      z.col(j).maxCoeff(&best);
      out.push_back(static_cast<int>(best));
    }
  }
  return out;
}

double accuracy(const ConvNet& net, const data::MnistSet& set, const std::vector<ActQuant>* quant) {
  if (set.size() == 0) return 0.0;
  const auto pred = predict(net, set, quant);
  std::size_t right = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) right += (pred[i] == set.labels[i]);
  return static_cast<double>(right) / static_cast<double>(set.size());
}

ConvNetInt8 quantizeConvNet(const ConvNet& net, const data::MnistSet& calib) {
  if (net.gated()) throw std::logic_error("quantizeConvNet: compact the gated network first");
  const int points = net.quantPoints();
  std::vector<float> lo(static_cast<std::size_t>(points), 0.0f);
  std::vector<float> hi(static_cast<std::size_t>(points), 0.0f);
  NetCache cache;
  Mat x;
  constexpr std::size_t kBatch = 250;
  for (std::size_t begin = 0; begin < calib.size(); begin += kBatch) {
    const std::size_t count = std::min(kBatch, calib.size() - begin);
    loadBatch(calib, {}, begin, count, x);
    forward(net, x, cache, nullptr);
    for (std::size_t t = 0; t < cache.t.size(); ++t) {
      const int p = net.quantPoint[t];
      if (p < 0) continue;
      lo[static_cast<std::size_t>(p)] =
          std::min(lo[static_cast<std::size_t>(p)], cache.t[t].minCoeff());
      hi[static_cast<std::size_t>(p)] =
          std::max(hi[static_cast<std::size_t>(p)], cache.t[t].maxCoeff());
    }
  }
  ConvNetInt8 q;
  q.act.resize(static_cast<std::size_t>(points));
  for (std::size_t p = 0; p < q.act.size(); ++p) q.act[p] = actQuantFromRange(lo[p], hi[p]);
  const std::size_t n = net.nodes.size();
  q.weight.resize(n);
  q.weightScale.resize(n);
  q.bias.resize(n);
  q.biasScale.resize(n);
  q.dequantized = net;
  for (std::size_t i = 0; i < n; ++i) {
    if (!hasParams(net.nodes[i].op)) continue;
    // The scale of the quantization point that feeds this node (through gates, which are
    // identities in a compact network).
    int t = net.nodes[i].in;
    while (net.quantPoint[static_cast<std::size_t>(t)] < 0 &&
           net.nodes[static_cast<std::size_t>(t - 1)].op == NodeOp::Gate) {
      t = net.nodes[static_cast<std::size_t>(t - 1)].in;
    }
    const int p = net.quantPoint[static_cast<std::size_t>(t)];
    if (p < 0) throw std::logic_error("quantizeConvNet: a layer's input is not quantized");
    const float inScale = q.act[static_cast<std::size_t>(p)].scale;
    const Mat& w = net.W[i];
    auto& qw = q.weight[i];
    qw.resize(w.rows(), w.cols());
    q.weightScale[i].resize(w.rows());
    q.bias[i].resize(w.rows());
    q.biasScale[i].resize(w.rows());
    for (Eigen::Index r = 0; r < w.rows(); ++r) {
      const float maxAbs = w.row(r).cwiseAbs().maxCoeff();
      const float s = maxAbs > 0.0f ? maxAbs / 127.0f : 1.0f;
      q.weightScale[i][r] = s;
      for (Eigen::Index col = 0; col < w.cols(); ++col) {
        qw(r, col) =
            static_cast<int8_t>(std::clamp(std::nearbyint(w(r, col) / s), -127.0f, 127.0f));
      }
      q.biasScale[i][r] = inScale * s;
      q.bias[i][r] =
          static_cast<int>(std::nearbyint(static_cast<double>(net.b[i][r]) / q.biasScale[i][r]));
    }
    q.dequantized.W[i] = q.weightScale[i].asDiagonal() * qw.cast<float>();
    q.dequantized.b[i] = q.bias[i].cast<float>().cwiseProduct(q.biasScale[i]);
  }
  return q;
}

}  // namespace ej::train
