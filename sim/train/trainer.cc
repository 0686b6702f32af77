// Training loops; see trainer.h and README.md.
#include "sim/train/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace ej::train {
namespace {

std::atomic<bool> g_stop{false};

constexpr float kBeta1 = 0.9f;
constexpr float kBeta2 = 0.999f;
constexpr float kEpsilon = 1e-8f;

// Adam (Kingma & Ba 2015, Algorithm 1) state for every tensor of a LeNet5.
struct Adam {
  std::array<Mat, kLayers> mW, vW;
  std::array<Vec, kLayers> mb, vb;
  std::array<Vec, kGated> mS;
  double vS = 0.0;  // one second moment shared by all scores (see runEpoch)
  long t = 0;

  explicit Adam(const LeNet5& net) {
    for (std::size_t l = 0; l < kLayers; ++l) {
      mW[l] = vW[l] = Mat::Zero(net.W[l].rows(), net.W[l].cols());
      mb[l] = vb[l] = Vec::Zero(net.b[l].size());
    }
    for (std::size_t l = 0; l < kGated; ++l) mS[l] = Vec::Zero(net.score[l].size());
  }
};

template <class T>
void adamStep(T& p, const T& g, T& m, T& v, float lr, long t) {
  m = kBeta1 * m + (1.0f - kBeta1) * g;
  v = kBeta2 * v + (1.0f - kBeta2) * g.cwiseProduct(g);
  const float c1 = 1.0f - std::pow(kBeta1, static_cast<float>(t));
  const float c2 = 1.0f - std::pow(kBeta2, static_cast<float>(t));
  p.array() -= lr * (m.array() / c1) / ((v.array() / c2).sqrt() + kEpsilon);
}

// The weight w_i of each gate in the gate mean: 1 (the paper's plain mean), or the parameters
// that neuron i carries in the current open architecture (its incoming weights and bias and its
// outgoing weights), so that the mean tracks the parameter count.
std::array<Vec, kGated> gateCosts(const LeNet5& net, bool weighted) {
  const Arch a = net.openArch();
  const int widths[kGated] = {net.arch.c1, net.arch.c2, net.arch.f1, net.arch.f2};
  const double cost[kGated] = {26.0 + 25.0 * a.c2, 25.0 * a.c1 + 1.0 + 16.0 * a.f1,
                               16.0 * a.c2 + 1.0 + a.f2, a.f1 + 1.0 + 10.0};
  std::array<Vec, kGated> w;
  for (std::size_t l = 0; l < kGated; ++l) {
    w[l] = Vec::Constant(widths[l], weighted ? static_cast<float>(cost[l]) : 1.0f);
  }
  return w;
}

// The S-method state during the pruning phase.
struct Gating {
  bool weighted = false;
  double lambda = 1.0;
  float scoreLearningRate = 5e-3f;
  long targetParams = 0;
  bool reached = false;
};

float cosineRate(float start, float end, int epoch, int epochs) {
  if (epochs <= 1) return start;
  const double f = 0.5 * (1.0 + std::cos(M_PI * epoch / (epochs - 1)));
  return static_cast<float>(end + (start - end) * f);
}

// 0..N-1 in RNG's random order (Fisher-Yates, from the last index down).
std::vector<int> shuffled(std::size_t n, data::SplitMix64& rng) {
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  return order;
}

// The batch of COUNT samples of SET at ORDER[BEGIN...]: each one's random shift of at most
// MAX_SHIFT pixels (drawn from RNG, y then x) and label, and their images in X.
void drawBatch(const data::MnistSet& set, const std::vector<int>& order, std::size_t begin,
               std::size_t count, int maxShift, data::SplitMix64& rng,
               std::vector<std::array<int, 2>>& shifts, std::vector<uint8_t>& labels, Mat& x) {
  const auto span = static_cast<uint64_t>(2 * maxShift + 1);
  shifts.resize(count);
  labels.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    shifts[i] = {static_cast<int>(rng.below(span)) - maxShift,
                 static_cast<int>(rng.below(span)) - maxShift};
    labels[i] = set.labels[static_cast<std::size_t>(order[begin + i])];
  }
  loadBatch(set, order, begin, count, x, maxShift > 0 ? &shifts : nullptr);
}

// One pass over SET in a seeded random order. Returns the mean task loss. With GATING, the
// scores are trained too and the pass stops at the first step after which the open gates fit
// the target (the closing accelerates: a damaged network has a larger L_task, which strengthens
// the gate term, so waiting for the end of the epoch overshoots, down to one neuron per layer in
// our trials).
double runEpoch(LeNet5& net, Adam& adam, const data::MnistSet& set, const TrainOptions& opt,
                float lr, uint64_t epochSeed, Gating* gating) {
  data::SplitMix64 rng(epochSeed);
  const std::vector<int> order = shuffled(set.size(), rng);

  Cache cache;
  Cache teacherCache;
  Grads grads;
  Mat x, dLogits;
  std::vector<std::array<int, 2>> shifts;
  std::vector<uint8_t> labels;
  double lossSum = 0.0;
  std::size_t seen = 0;
  for (std::size_t begin = 0; begin < order.size(); begin += static_cast<std::size_t>(opt.batch)) {
    if (g_stop.load()) throw Interrupted("interrupted: no model written");
    const std::size_t count =
        std::min<std::size_t>(static_cast<std::size_t>(opt.batch), order.size() - begin);
    drawBatch(set, order, begin, count, opt.maxShift, rng, shifts, labels, x);
    forward(net, x, cache, nullptr);
    float task = 0.0f;
    if (opt.teacher) {
      forward(*opt.teacher, x, teacherCache, nullptr);
      task = distillationLoss(cache.logits, teacherCache.logits, labels, opt.temperature, opt.alpha,
                              dLogits);
    } else {
      task = softmaxCrossEntropy(cache.logits, labels, dLogits);
    }
    lossSum += static_cast<double>(task) * static_cast<double>(count);
    seen += count;

    // The gate mean m: plain (the paper) or weighted by the parameters each neuron carries.
    std::array<Vec, kGated> weight;
    double gateMean = 0.0;
    double weightSum = 0.0;
    if (gating) {
      weight = gateCosts(net, gating->weighted);
      for (std::size_t l = 0; l < kGated; ++l) {
        gateMean += static_cast<double>(weight[l].dot(cache.gates[l]));
        weightSum += static_cast<double>(weight[l].sum());
      }
      gateMean /= weightSum;
    }
    backward(net, cache, dLogits, grads);
    ++adam.t;
    for (std::size_t l = 0; l < kLayers; ++l) {
      if (net.masked()) {
        grads.W[l].array() *= net.maskW[l].array();
        grads.b[l].array() *= net.maskB[l].array();
      }
      adamStep(net.W[l], grads.W[l], adam.mW[l], adam.vW[l], lr, adam.t);
      adamStep(net.b[l], grads.b[l], adam.mb[l], adam.vb[l], lr, adam.t);
    }
    net.applyMasks();
    if (gating) {
      // L_total = L_task (1 + m)^lambda, m = sum w_i g_i / sum w_i; its gradient divided by
      // the positive factor (1 + m)^lambda (a per-step rate, which Adam's normalisation absorbs
      // anyway): dL/dg_i = dL_task/dg_i + lambda L_task w_i / (sum w (1 + m)); then the
      // straight-through step dg/dS = sigmoid'(S). The weights get dL_task/dW by the same
      // division.
      const double direct = gating->lambda * task / (weightSum * (1.0 + gateMean));
      std::array<Vec, kGated> dS;
      double squares = 0.0;
      long n = 0;
      for (std::size_t l = 0; l < kGated; ++l) {
        const Vec& s = net.score[l];
        dS[l].resize(s.size());
        for (Eigen::Index i = 0; i < s.size(); ++i) {
          dS[l][i] = (grads.gate[l][i] + static_cast<float>(direct) * weight[l][i]) *
                     gateScoreGradient(s[i]);
        }
        squares += static_cast<double>(dS[l].squaredNorm());
        n += s.size();
      }
      // Adam with one second moment for all scores: each score keeps its own momentum, but the
      // step is normalised by the RMS over all of them, so scores move in proportion to their
      // gradients and the least useful neurons close first. (Per-score Adam moves every score
      // whose gradient has a steady sign at the same speed, and whole layers then closed
      // together in our trials.)
      adam.vS = kBeta2 * adam.vS + (1.0 - kBeta2) * squares / static_cast<double>(n);
      const double c1 = 1.0 - std::pow(kBeta1, static_cast<double>(adam.t));
      const double c2 = 1.0 - std::pow(kBeta2, static_cast<double>(adam.t));
      const float denom = static_cast<float>(std::sqrt(adam.vS / c2) + kEpsilon);
      for (std::size_t l = 0; l < kGated; ++l) {
        adam.mS[l] = kBeta1 * adam.mS[l] + (1.0f - kBeta1) * dS[l];
        net.score[l] -= (gating->scoreLearningRate / static_cast<float>(c1) / denom) * adam.mS[l];
      }
      if (net.openArch().paramCount() <= gating->targetParams) {
        gating->reached = true;
        break;
      }
    }
  }
  return seen ? lossSum / static_cast<double>(seen) : 0.0;
}

void report(const TrainOptions& opt, const LeNet5& net, EpochLog log,
            std::chrono::steady_clock::time_point start) {
  if (!opt.log) return;
  log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log.monitorAccuracy = opt.monitor ? accuracy(net, *opt.monitor) : 0.0;
  if (log.params == 0) log.params = net.masked() ? net.nonzeroParams() : net.paramCount();
  opt.log(log);
}

uint64_t phaseSeed(uint64_t seed, uint64_t phase, int epoch) {
  data::SplitMix64 mix(seed * 0x100000001B3ULL + phase * 1000003ULL + static_cast<uint64_t>(epoch));
  return mix.next();
}

// Plain training phase with a cosine rate from LR0 down to the options' final rate.
void trainPhase(LeNet5& net, const data::MnistSet& set, const TrainOptions& opt, int epochs,
                float lr0, const std::string& phase, uint64_t phaseId) {
  Adam adam(net);
  for (int e = 0; e < epochs; ++e) {
    const auto start = std::chrono::steady_clock::now();
    const float lr = cosineRate(lr0, opt.finalLearningRate, e, epochs);
    const double loss = runEpoch(net, adam, set, opt, lr, phaseSeed(opt.seed, phaseId, e), nullptr);
    EpochLog log;
    log.phase = phase;
    log.epoch = e + 1;
    log.epochs = epochs;
    log.loss = loss;
    report(opt, net, log, start);
  }
}

// Reopens closed gates, best score first, while the open architecture still fits TARGET.
void fillToTarget(LeNet5& net, long target) {
  struct Candidate {
    float score;
    int layer;
    Eigen::Index index;
  };
  std::vector<Candidate> closed;
  for (int l = 0; l < kGated; ++l) {
    const Vec g = net.gates(l);
    for (Eigen::Index i = 0; i < g.size(); ++i) {
      if (g[i] < 0.5f) closed.push_back({net.score[static_cast<std::size_t>(l)][i], l, i});
    }
  }
  std::sort(closed.begin(), closed.end(),
            [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  for (const Candidate& c : closed) {
    float& s = net.score[static_cast<std::size_t>(c.layer)][c.index];
    const float old = s;
    s = 1e-3f;
    if (net.openArch().paramCount() > target) s = old;
  }
}

}  // namespace

void requestStop() { g_stop.store(true); }

void train(LeNet5& net, const data::MnistSet& trainSet, const TrainOptions& options) {
  trainPhase(net, trainSet, options, options.epochs, options.learningRate, "train", 1);
}

LeNet5 pruneSMethod(const LeNet5& start, const data::MnistSet& trainSet,
                    const TrainOptions& options, const SMethodOptions& so) {
  const long minimum = Arch{1, 1, 1, 1}.paramCount();
  if (so.targetParams < minimum) {
    throw TargetNotReached(fmt::format(
        "target {} parameters is below the smallest LeNet-5 with one neuron per layer ({})",
        so.targetParams, minimum));
  }
  LeNet5 net = start;
  net.maskW = {};
  net.maskB = {};
  const int widths[kGated] = {net.arch.c1, net.arch.c2, net.arch.f1, net.arch.f2};
  // Scores spread uniformly over [0.5, 1.5) x scoreInit: at a trained optimum the gates' own
  // gradients are nearly zero, so equal scores would sink and close all at once; spread ones
  // close a few at a time, and the useful neurons among the closed ones reopen.
  data::SplitMix64 rng(options.seed ^ 0x5C0E5ULL);
  for (std::size_t l = 0; l < kGated; ++l) {
    net.score[l].resize(widths[l]);
    for (auto& s : net.score[l]) s = so.scoreInit * static_cast<float>(0.5 + rng.uniform());
  }
  Gating gating;
  gating.lambda = so.lambda;
  gating.weighted = so.weightByParams;
  gating.scoreLearningRate = so.scoreLearningRate;
  gating.targetParams = so.targetParams;
  gating.reached = net.openArch().paramCount() <= so.targetParams;
  Adam adam(net);
  const float lr = options.learningRate * 0.5f;
  for (int e = 0; e < so.pruneEpochs && !gating.reached; ++e) {
    const auto t0 = std::chrono::steady_clock::now();
    const double loss =
        runEpoch(net, adam, trainSet, options, lr, phaseSeed(options.seed, 2, e), &gating);
    EpochLog log;
    log.phase = "prune";
    log.epoch = e + 1;
    log.epochs = so.pruneEpochs;
    log.loss = loss;
    log.lambda = gating.lambda;
    log.params = net.openArch().paramCount();
    report(options, net, log, t0);
    gating.lambda *= so.lambdaGrowth;
  }
  if (!gating.reached) {
    const Arch a = net.openArch();
    throw TargetNotReached(fmt::format(
        "S-method: after {} pruning epochs (lambda up to {:.3g}) the open gates leave {} "
        "parameters (conv {}/{} channels, dense {}/{} units) at {:.2f} % validation accuracy, "
        "above the target {}; raise --prune-epochs or --lambda-growth",
        so.pruneEpochs, gating.lambda / so.lambdaGrowth, a.paramCount(), a.c1, a.c2, a.f1, a.f2,
        options.monitor ? 100.0 * accuracy(net, *options.monitor) : 0.0, so.targetParams));
  }
  if (so.fillToTarget) fillToTarget(net, so.targetParams);
  LeNet5 compact = net.compact();
  trainPhase(compact, trainSet, options, so.finetuneEpochs, options.learningRate, "finetune", 3);
  return compact;
}

LeNet5 pruneMagnitude(const LeNet5& start, const data::MnistSet& trainSet,
                      const TrainOptions& options, const MagnitudeOptions& mo) {
  LeNet5 net = start;
  net.score = {};
  const long total = net.paramCount();
  if (mo.targetParams < 1 || mo.targetParams > total) {
    throw TargetNotReached(fmt::format("magnitude pruning: target {} outside 1..{} parameters",
                                       mo.targetParams, total));
  }
  if (!net.masked()) {
    for (std::size_t l = 0; l < kLayers; ++l) {
      net.maskW[l] = Mat::Ones(net.W[l].rows(), net.W[l].cols());
      net.maskB[l] = Vec::Ones(net.b[l].size());
    }
  }
  const long startCount = std::min(total, net.nonzeroParams());
  for (int r = 1; r <= mo.rounds; ++r) {
    // Geometric schedule: keep_r = P0 * (T / P0)^(r / R).
    const long keep = r == mo.rounds ? mo.targetParams
                                     : std::lround(static_cast<double>(startCount) *
                                                   std::pow(static_cast<double>(mo.targetParams) /
                                                                static_cast<double>(startCount),
                                                            static_cast<double>(r) / mo.rounds));
    struct Entry {
      float magnitude;
      std::size_t layer;
      bool bias;
      Eigen::Index index;
    };
    std::vector<Entry> entries;
    for (std::size_t l = 0; l < kLayers; ++l) {
      for (Eigen::Index i = 0; i < net.W[l].size(); ++i) {
        if (net.maskW[l].data()[i] > 0.5f)
          entries.push_back({std::abs(net.W[l].data()[i]), l, false, i});
      }
      for (Eigen::Index i = 0; i < net.b[l].size(); ++i) {
        if (net.maskB[l][i] > 0.5f) entries.push_back({std::abs(net.b[l][i]), l, true, i});
      }
    }
    if (static_cast<long>(entries.size()) > keep) {
      // Largest first; ties broken by position so the result does not depend on the sort.
      auto larger = [](const Entry& a, const Entry& b) {
        if (a.magnitude != b.magnitude) return a.magnitude > b.magnitude;
        if (a.layer != b.layer) return a.layer < b.layer;
        if (a.bias != b.bias) return a.bias < b.bias;
        return a.index < b.index;
      };
      std::nth_element(entries.begin(), entries.begin() + keep, entries.end(), larger);
      for (auto it = entries.begin() + keep; it != entries.end(); ++it) {
        if (it->bias) {
          net.maskB[it->layer][it->index] = 0.0f;
        } else {
          net.maskW[it->layer].data()[it->index] = 0.0f;
        }
      }
      net.applyMasks();
    }
    const bool last = r == mo.rounds;
    const int epochs = last ? mo.retrainEpochs + mo.finetuneEpochs : mo.retrainEpochs;
    trainPhase(net, trainSet, options, epochs,
               last ? options.learningRate : options.learningRate * 0.5f,
               last ? "finetune" : fmt::format("retrain{}", r), 10 + static_cast<uint64_t>(r));
  }
  return net;
}

// --- The DS-CNN and the ResNet (convnet.h): the same loops on a node list.
namespace {

struct NetAdam {
  std::vector<Mat> mW, vW;
  std::vector<Vec> mb, vb, mS;
  double vS = 0.0;
  long t = 0;

  explicit NetAdam(const ConvNet& net) {
    mW.resize(net.W.size());
    vW.resize(net.W.size());
    mb.resize(net.b.size());
    vb.resize(net.b.size());
    for (std::size_t i = 0; i < net.W.size(); ++i) {
      mW[i] = vW[i] = Mat::Zero(net.W[i].rows(), net.W[i].cols());
      mb[i] = vb[i] = Vec::Zero(net.b[i].size());
    }
    mS.resize(net.score.size());
    for (std::size_t s = 0; s < net.score.size(); ++s) mS[s] = Vec::Zero(net.score[s].size());
  }
};

// One pass over SET (see runEpoch above; the same order, shifts, loss and score update). The
// gate mean is the plain mean over every gated channel.
double runNetEpoch(ConvNet& net, NetAdam& adam, const data::MnistSet& set, const TrainOptions& opt,
                   float lr, uint64_t epochSeed, Gating* gating) {
  data::SplitMix64 rng(epochSeed);
  const std::vector<int> order = shuffled(set.size(), rng);

  NetCache cache;
  Cache teacherCache;
  NetGrads grads;
  Mat x, dLogits;
  std::vector<std::array<int, 2>> shifts;
  std::vector<uint8_t> labels;
  double lossSum = 0.0;
  std::size_t seen = 0;
  for (std::size_t begin = 0; begin < order.size(); begin += static_cast<std::size_t>(opt.batch)) {
    if (g_stop.load()) throw Interrupted("interrupted: no model written");
    const std::size_t count =
        std::min<std::size_t>(static_cast<std::size_t>(opt.batch), order.size() - begin);
    drawBatch(set, order, begin, count, opt.maxShift, rng, shifts, labels, x);
    forward(net, x, cache, nullptr);
    float task = 0.0f;
    if (opt.teacher) {
      forward(*opt.teacher, x, teacherCache, nullptr);
      task = distillationLoss(logits(cache), teacherCache.logits, labels, opt.temperature,
                              opt.alpha, dLogits);
    } else {
      task = softmaxCrossEntropy(logits(cache), labels, dLogits);
    }
    lossSum += static_cast<double>(task) * static_cast<double>(count);
    seen += count;
    double gateMean = 0.0;
    double gateCount = 0.0;
    if (gating) {
      for (std::size_t s = 0; s < net.score.size(); ++s) {
        if (net.score[s].size() == 0) continue;
        gateMean += static_cast<double>(cache.gates[s].sum());
        gateCount += static_cast<double>(net.score[s].size());
      }
      gateMean /= gateCount;
    }
    backward(net, cache, dLogits, grads);
    ++adam.t;
    for (std::size_t i = 0; i < net.W.size(); ++i) {
      if (net.W[i].size() == 0) continue;
      adamStep(net.W[i], grads.W[i], adam.mW[i], adam.vW[i], lr, adam.t);
      adamStep(net.b[i], grads.b[i], adam.mb[i], adam.vb[i], lr, adam.t);
    }
    if (gating) {
      // As in runEpoch: dL/dg_i = dL_task/dg_i + lambda L_task / (N (1 + m)), the straight-
      // through step, and Adam with one second moment shared by all scores.
      const double direct = gating->lambda * task / (gateCount * (1.0 + gateMean));
      std::vector<Vec> dS(net.score.size());
      double squares = 0.0;
      for (std::size_t s = 0; s < net.score.size(); ++s) {
        const Vec& sc = net.score[s];
        dS[s].resize(sc.size());
        for (Eigen::Index i = 0; i < sc.size(); ++i) {
          dS[s][i] = (grads.gate[s][i] + static_cast<float>(direct)) * gateScoreGradient(sc[i]);
        }
        squares += static_cast<double>(dS[s].squaredNorm());
      }
      adam.vS = kBeta2 * adam.vS + (1.0 - kBeta2) * squares / gateCount;
      const double c1 = 1.0 - std::pow(kBeta1, static_cast<double>(adam.t));
      const double c2 = 1.0 - std::pow(kBeta2, static_cast<double>(adam.t));
      const float denom = static_cast<float>(std::sqrt(adam.vS / c2) + kEpsilon);
      for (std::size_t s = 0; s < net.score.size(); ++s) {
        if (net.score[s].size() == 0) continue;
        adam.mS[s] = kBeta1 * adam.mS[s] + (1.0f - kBeta1) * dS[s];
        net.score[s] -= (gating->scoreLearningRate / static_cast<float>(c1) / denom) * adam.mS[s];
      }
      if (net.paramCount(net.openWidths()) <= gating->targetParams) {
        gating->reached = true;
        break;
      }
    }
  }
  return seen ? lossSum / static_cast<double>(seen) : 0.0;
}

void reportNet(const TrainOptions& opt, const ConvNet& net, EpochLog log,
               std::chrono::steady_clock::time_point start) {
  if (!opt.log) return;
  log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log.monitorAccuracy = opt.monitor ? accuracy(net, *opt.monitor) : 0.0;
  if (log.params == 0) log.params = net.paramCount();
  opt.log(log);
}

void trainNetPhase(ConvNet& net, const data::MnistSet& set, const TrainOptions& opt, int epochs,
                   float lr0, const std::string& phase, uint64_t phaseId) {
  NetAdam adam(net);
  for (int e = 0; e < epochs; ++e) {
    const auto start = std::chrono::steady_clock::now();
    const float lr = cosineRate(lr0, opt.finalLearningRate, e, epochs);
    const double loss =
        runNetEpoch(net, adam, set, opt, lr, phaseSeed(opt.seed, phaseId, e), nullptr);
    EpochLog log;
    log.phase = phase;
    log.epoch = e + 1;
    log.epochs = epochs;
    log.loss = loss;
    reportNet(opt, net, log, start);
  }
}

// Reopens closed gates, best score first, while the open widths still fit TARGET.
void fillNetToTarget(ConvNet& net, long target) {
  struct Candidate {
    float score;
    std::size_t space;
    Eigen::Index index;
  };
  std::vector<Candidate> closed;
  for (std::size_t s = 0; s < net.score.size(); ++s) {
    if (net.score[s].size() == 0) continue;
    const Vec g = net.gates(static_cast<int>(s));
    for (Eigen::Index i = 0; i < g.size(); ++i) {
      if (g[i] < 0.5f) closed.push_back({net.score[s][i], s, i});
    }
  }
  std::stable_sort(closed.begin(), closed.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  for (const Candidate& c : closed) {
    float& s = net.score[c.space][c.index];
    const float old = s;
    s = 1e-3f;
    if (net.paramCount(net.openWidths()) > target) s = old;
  }
}

}  // namespace

void train(ConvNet& net, const data::MnistSet& trainSet, const TrainOptions& options) {
  trainNetPhase(net, trainSet, options, options.epochs, options.learningRate, "train", 1);
}

ConvNet pruneSMethod(const ConvNet& start, const data::MnistSet& trainSet,
                     const TrainOptions& options, const SMethodOptions& so) {
  ConvNet net = start;
  std::vector<int> ones = net.width;
  for (std::size_t s = 2; s < ones.size(); ++s) ones[s] = 1;
  const long minimum = net.paramCount(ones);
  if (so.targetParams < minimum) {
    throw TargetNotReached(
        fmt::format("target {} parameters is below the smallest {} with one channel per layer ({})",
                    so.targetParams, net.family, minimum));
  }
  data::SplitMix64 rng(options.seed ^ 0x5C0E5ULL);
  for (std::size_t s = 2; s < net.width.size(); ++s) {
    net.score[s].resize(net.width[s]);
    for (auto& v : net.score[s]) v = so.scoreInit * static_cast<float>(0.5 + rng.uniform());
  }
  Gating gating;
  gating.lambda = so.lambda;
  gating.scoreLearningRate = so.scoreLearningRate;
  gating.targetParams = so.targetParams;
  gating.reached = net.paramCount() <= so.targetParams;
  NetAdam adam(net);
  const float lr = options.learningRate * 0.5f;
  for (int e = 0; e < so.pruneEpochs && !gating.reached; ++e) {
    const auto t0 = std::chrono::steady_clock::now();
    const double loss =
        runNetEpoch(net, adam, trainSet, options, lr, phaseSeed(options.seed, 2, e), &gating);
    EpochLog log;
    log.phase = "prune";
    log.epoch = e + 1;
    log.epochs = so.pruneEpochs;
    log.loss = loss;
    log.lambda = gating.lambda;
    log.params = net.paramCount(net.openWidths());
    reportNet(options, net, log, t0);
    gating.lambda *= so.lambdaGrowth;
  }
  if (!gating.reached) {
    throw TargetNotReached(fmt::format(
        "S-method: after {} pruning epochs (lambda up to {:.3g}) the open channels leave {} "
        "parameters ({}) at {:.2f} % validation accuracy, above the target {}; raise "
        "--prune-epochs or --lambda-growth",
        so.pruneEpochs, gating.lambda / so.lambdaGrowth, net.paramCount(net.openWidths()),
        net.compact().describe(), options.monitor ? 100.0 * accuracy(net, *options.monitor) : 0.0,
        so.targetParams));
  }
  if (so.fillToTarget) fillNetToTarget(net, so.targetParams);
  ConvNet compact = net.compact();
  trainNetPhase(compact, trainSet, options, so.finetuneEpochs, options.learningRate, "finetune", 3);
  return compact;
}

}  // namespace ej::train
