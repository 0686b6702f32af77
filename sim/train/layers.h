// The building blocks of LeNet-5 training: im2col convolution, 2x2 max pooling, ReLU, dense
// layers, the S-method's Heaviside gates and softmax cross-entropy, each with its backward pass.
//
// Layout: a batch of B feature maps with C channels of H x W pixels is an Eigen matrix of C rows
// and B*H*W columns; column b*H*W + y*W + x holds pixel (y, x) of sample b. Dense activations
// are F x B. A convolution is then one GEMM: out = W * im2col(in) + b (Chellapilla, Puri &
// Simard 2006, "High performance convolutional neural networks for document processing").
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace ej::train {

using Mat = Eigen::MatrixXf;
using Vec = Eigen::VectorXf;

// A valid (unpadded), stride-1 square convolution.
struct ConvShape {
  int cin = 1;
  int cout = 1;
  int k = 5;
  int hin = 28;
  int win = 28;
  int hout() const { return hin - k + 1; }
  int wout() const { return win - k + 1; }
  int patch() const { return cin * k * k; }  // rows of im2col: (ci, ky, kx), ONNX weight order
};

// cols[(ci*k + ky)*k + kx, b*P + oy*wout + ox] = in[ci, b*hin*win + (oy+ky)*win + ox+kx].
void im2col(const Mat& in, int batch, const ConvShape& s, Mat& cols);
// The adjoint of im2col: dIn = sum of the patches of dCols put back in place.
void col2im(const Mat& dCols, int batch, const ConvShape& s, Mat& dIn);

// out = W * in + b (b broadcast along columns). Used for convolutions (in = cols) and dense.
void affineForward(const Mat& W, const Vec& b, const Mat& in, Mat& out);
// dW = dOut * in^T, db = row sums of dOut, and dIn = W^T * dOut when dIn is given.
void affineBackward(const Mat& W, const Mat& in, const Mat& dOut, Mat& dW, Vec& db, Mat* dIn);

// 2x2 max pooling with stride 2 on C x (B*h*w) maps (h, w even). argmax[i] is the flat index
// (Eigen column-major) in IN of the maximum that produced element i of OUT.
void maxPool2Forward(const Mat& in, int batch, int h, int w, Mat& out, std::vector<int>& argmax);
void maxPool2Backward(const Mat& dOut, const std::vector<int>& argmax, Eigen::Index inRows,
                      Eigen::Index inCols, Mat& dIn);

void reluForward(Mat& x);
// dY *= (y > 0), y being the ReLU's output.
void reluBackward(const Mat& y, Mat& dY);

// C x (B*S) maps -> (C*S) x B vectors in ONNX Flatten order (c, y, x), and back.
void flatten(const Mat& maps, int batch, int spatial, Mat& flat);
void unflatten(const Mat& dFlat, int batch, int spatial, Mat& dMaps);

// The S-method gate of one neuron (a row: a conv channel or a dense unit):
// g = H(sigmoid(S) - 1/2), 1 when sigmoid(S) > 0.5, i.e. when S > 0, else 0.
float gateValue(float score);
// The straight-through estimate of dg/dS: the Heaviside step is passed through as identity, so
// dg/dS := sigmoid'(S) = sigmoid(S) (1 - sigmoid(S)) (Bengio, Leonard & Courville 2013).
float gateScoreGradient(float score);

// out = in with row r multiplied by g[r].
void gateForward(const Mat& in, const Vec& g, Mat& out);
// dIn = dOut * g (rowwise), dG[r] = sum_j dOut(r, j) * in(r, j).
void gateBackward(const Mat& in, const Vec& g, const Mat& dOut, Mat& dIn, Vec& dG);

// Mean softmax cross-entropy of 10 x B logits against LABELS; dLogits = its gradient
// (softmax - onehot) / B.
float softmaxCrossEntropy(const Mat& logits, const std::vector<uint8_t>& labels, Mat& dLogits);

// Knowledge distillation (Hinton, Vinyals & Dean 2015, "Distilling the knowledge in a neural
// network", arXiv:1503.02531): the mean over the batch of
//   L = alpha T^2 KL(softmax(t / T) || softmax(s / T)) + (1 - alpha) CE(labels, softmax(s)),
// s the student's LOGITS, t the TEACHER's, T the temperature. The T^2 factor keeps the soft
// term's gradient on the scale of the hard one's (Hinton et al., section 2). dLogits, its
// gradient: (alpha T (softmax(s/T) - softmax(t/T)) + (1 - alpha)(softmax(s) - onehot)) / B.
float distillationLoss(const Mat& logits, const Mat& teacher, const std::vector<uint8_t>& labels,
                       float temperature, float alpha, Mat& dLogits);

}  // namespace ej::train
