// LeNet-5 building blocks; see layers.h.
#include "sim/train/layers.h"

#include <cmath>
#include <limits>

namespace ej::train {

void im2col(const Mat& in, int batch, const ConvShape& s, Mat& cols) {
  const int ho = s.hout();
  const int wo = s.wout();
  const int pin = s.hin * s.win;
  const int pout = ho * wo;
  cols.resize(s.patch(), static_cast<Eigen::Index>(batch) * pout);
  const float* src = in.data();
  const Eigen::Index inStride = in.rows();  // = cin: column-major, channel fastest
  for (int b = 0; b < batch; ++b) {
    for (int oy = 0; oy < ho; ++oy) {
      for (int ox = 0; ox < wo; ++ox) {
        float* dst = cols.col(static_cast<Eigen::Index>(b) * pout + oy * wo + ox).data();
        for (int ci = 0; ci < s.cin; ++ci) {
          for (int ky = 0; ky < s.k; ++ky) {
            const Eigen::Index base =
                (static_cast<Eigen::Index>(b) * pin + (oy + ky) * s.win + ox) * inStride + ci;
            for (int kx = 0; kx < s.k; ++kx) *dst++ = src[base + kx * inStride];
          }
        }
      }
    }
  }
}

void col2im(const Mat& dCols, int batch, const ConvShape& s, Mat& dIn) {
  const int ho = s.hout();
  const int wo = s.wout();
  const int pin = s.hin * s.win;
  const int pout = ho * wo;
  dIn.setZero(s.cin, static_cast<Eigen::Index>(batch) * pin);
  float* dst = dIn.data();
  const Eigen::Index inStride = s.cin;
  for (int b = 0; b < batch; ++b) {
    for (int oy = 0; oy < ho; ++oy) {
      for (int ox = 0; ox < wo; ++ox) {
        const float* src = dCols.col(static_cast<Eigen::Index>(b) * pout + oy * wo + ox).data();
        for (int ci = 0; ci < s.cin; ++ci) {
          for (int ky = 0; ky < s.k; ++ky) {
            const Eigen::Index base =
                (static_cast<Eigen::Index>(b) * pin + (oy + ky) * s.win + ox) * inStride + ci;
            for (int kx = 0; kx < s.k; ++kx) dst[base + kx * inStride] += *src++;
          }
        }
      }
    }
  }
}

void affineForward(const Mat& W, const Vec& b, const Mat& in, Mat& out) {
  out.noalias() = W * in;
  out.colwise() += b;
}

void affineBackward(const Mat& W, const Mat& in, const Mat& dOut, Mat& dW, Vec& db, Mat* dIn) {
  dW.noalias() = dOut * in.transpose();
  db = dOut.rowwise().sum();
  if (dIn) dIn->noalias() = W.transpose() * dOut;
}

void maxPool2Forward(const Mat& in, int batch, int h, int w, Mat& out, std::vector<int>& argmax) {
  const Eigen::Index c = in.rows();
  const int ho = h / 2;
  const int wo = w / 2;
  out.resize(c, static_cast<Eigen::Index>(batch) * ho * wo);
  argmax.resize(static_cast<std::size_t>(out.size()));
  const float* src = in.data();
  for (int b = 0; b < batch; ++b) {
    for (int oy = 0; oy < ho; ++oy) {
      for (int ox = 0; ox < wo; ++ox) {
        const Eigen::Index ocol = static_cast<Eigen::Index>(b) * ho * wo + oy * wo + ox;
        const Eigen::Index icol = static_cast<Eigen::Index>(b) * h * w + 2 * oy * w + 2 * ox;
        const Eigen::Index cols[4] = {icol, icol + 1, icol + w, icol + w + 1};
        for (Eigen::Index ch = 0; ch < c; ++ch) {
          Eigen::Index best = cols[0] * c + ch;
          for (int q = 1; q < 4; ++q) {
            const Eigen::Index idx = cols[q] * c + ch;
            if (src[idx] > src[best]) best = idx;
          }
          out(ch, ocol) = src[best];
          argmax[static_cast<std::size_t>(ocol * c + ch)] = static_cast<int>(best);
        }
      }
    }
  }
}

void maxPool2Backward(const Mat& dOut, const std::vector<int>& argmax, Eigen::Index inRows,
                      Eigen::Index inCols, Mat& dIn) {
  dIn.setZero(inRows, inCols);
  const float* src = dOut.data();
  float* dst = dIn.data();
  for (std::size_t i = 0; i < argmax.size(); ++i) dst[argmax[i]] += src[i];
}

void reluForward(Mat& x) { x = x.cwiseMax(0.0f); }

void reluBackward(const Mat& y, Mat& dY) { dY = (y.array() > 0.0f).select(dY, 0.0f); }

void flatten(const Mat& maps, int batch, int spatial, Mat& flat) {
  const Eigen::Index c = maps.rows();
  flat.resize(c * spatial, batch);
  for (int b = 0; b < batch; ++b) {
    for (Eigen::Index ch = 0; ch < c; ++ch) {
      for (int s = 0; s < spatial; ++s) {
        flat(ch * spatial + s, b) = maps(ch, static_cast<Eigen::Index>(b) * spatial + s);
      }
    }
  }
}

void unflatten(const Mat& dFlat, int batch, int spatial, Mat& dMaps) {
  const Eigen::Index c = dFlat.rows() / spatial;
  dMaps.resize(c, static_cast<Eigen::Index>(batch) * spatial);
  for (int b = 0; b < batch; ++b) {
    for (Eigen::Index ch = 0; ch < c; ++ch) {
      for (int s = 0; s < spatial; ++s) {
        dMaps(ch, static_cast<Eigen::Index>(b) * spatial + s) = dFlat(ch * spatial + s, b);
      }
    }
  }
}

float gateValue(float score) { return score > 0.0f ? 1.0f : 0.0f; }

float gateScoreGradient(float score) {
  const float sig = 1.0f / (1.0f + std::exp(-score));
  return sig * (1.0f - sig);
}

void gateForward(const Mat& in, const Vec& g, Mat& out) { out = g.asDiagonal() * in; }

void gateBackward(const Mat& in, const Vec& g, const Mat& dOut, Mat& dIn, Vec& dG) {
  dG = (dOut.array() * in.array()).rowwise().sum().matrix();
  dIn = g.asDiagonal() * dOut;
}

float softmaxCrossEntropy(const Mat& logits, const std::vector<uint8_t>& labels, Mat& dLogits) {
  const Eigen::Index batch = logits.cols();
  dLogits.resize(logits.rows(), batch);
  double loss = 0.0;
  for (Eigen::Index j = 0; j < batch; ++j) {
    const float maxLogit = logits.col(j).maxCoeff();
    const Eigen::ArrayXf e = (logits.col(j).array() - maxLogit).exp();
    const float sum = e.sum();
    const int y = labels[static_cast<std::size_t>(j)];
    loss += -(static_cast<double>(logits(y, j) - maxLogit) - std::log(static_cast<double>(sum)));
    dLogits.col(j) = (e / sum).matrix();
    dLogits(y, j) -= 1.0f;
  }
  dLogits /= static_cast<float>(batch);
  return static_cast<float>(loss / static_cast<double>(batch));
}

float distillationLoss(const Mat& logits, const Mat& teacher, const std::vector<uint8_t>& labels,
                       float temperature, float alpha, Mat& dLogits) {
  Mat dHard;
  const float hard = softmaxCrossEntropy(logits, labels, dHard);
  const Eigen::Index batch = logits.cols();
  const double t = static_cast<double>(temperature);
  double kl = 0.0;
  Mat dSoft(logits.rows(), batch);
  for (Eigen::Index j = 0; j < batch; ++j) {
    // log-softmax of both at temperature T, in double for the KL's small differences.
    const Eigen::ArrayXd zs = logits.col(j).cast<double>().array() / t;
    const Eigen::ArrayXd zt = teacher.col(j).cast<double>().array() / t;
    const Eigen::ArrayXd ls = zs - zs.maxCoeff() - std::log((zs - zs.maxCoeff()).exp().sum());
    const Eigen::ArrayXd lt = zt - zt.maxCoeff() - std::log((zt - zt.maxCoeff()).exp().sum());
    const Eigen::ArrayXd pt = lt.exp();
    kl += (pt * (lt - ls)).sum();
    dSoft.col(j) = (t * (ls.exp() - pt)).cast<float>().matrix();
  }
  const double b = static_cast<double>(batch);
  dLogits = (alpha / static_cast<float>(b)) * dSoft + (1.0f - alpha) * dHard;
  return static_cast<float>(static_cast<double>(alpha) * t * t * kl / b +
                            (1.0 - static_cast<double>(alpha)) * static_cast<double>(hard));
}

}  // namespace ej::train
