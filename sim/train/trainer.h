// Training LeNet-5 on MNIST (Adam, cosine learning rate, random shifts), the S-method's gated
// structured pruning and Han et al.'s magnitude pruning; see README.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "sim/data/mnist.h"
#include "sim/train/convnet.h"
#include "sim/train/lenet5.h"

namespace ej::train {

// One line of progress, reported after every epoch.
struct EpochLog {
  std::string phase;  // "train", "prune", "finetune", "retrain"
  int epoch = 0;      // 1-based within the phase
  int epochs = 0;     // planned epochs of the phase
  double loss = 0.0;  // mean task loss (cross-entropy, or the distillation loss) over the epoch
  double monitorAccuracy = 0.0;  // on TrainOptions::monitor (the validation digits)
  long params = 0;               // current size: open-gate architecture or nonzero parameters
  double lambda = 0.0;           // S-method regularisation multiplier (0 elsewhere)
  double seconds = 0.0;          // wall time of the epoch
};

struct TrainOptions {
  int epochs = 40;                  // passes over the training set
  int batch = 32;                   // samples per Adam step
  float learningRate = 1e-3f;       // Adam step size at the start of the phase (Kingma & Ba 2015)
  float finalLearningRate = 2e-5f;  // cosine decay ends here (Loshchilov & Hutter 2017)
  int maxShift = 2;                 // random translation of each training digit, pixels (0 = none)
  uint64_t seed = 1;                // initialisation, data order and shifts
  std::function<void(const EpochLog&)> log;  // progress callback (may be empty)
  const data::MnistSet* monitor = nullptr;   // set whose accuracy is logged (not used to select)
  // Knowledge distillation (Hinton, Vinyals & Dean 2015): with a TEACHER the task loss is
  // alpha T^2 KL(soft teacher || soft student) + (1 - alpha) CE at temperature T (layers.h),
  // the teacher seeing the same (shifted) digits. Used in every phase: training, the
  // S-method's pruning and fine-tuning, magnitude pruning's retraining.
  const LeNet5* teacher = nullptr;
  float temperature = 4.0f;
  float alpha = 0.9f;
};

struct SMethodOptions {
  long targetParams = 3500;   // stop pruning once the open gates leave at most this many
  float lambda = 1.0f;        // initial exponent in L_task (1 + m)^lambda: 1 = the paper's formula
  float lambdaGrowth = 1.2f;  // lambda is multiplied by this after each pruning epoch
  int pruneEpochs = 60;       // at most this many pruning epochs, else TargetNotReached
  int finetuneEpochs = 30;    // epochs of plain training of the compact network afterwards
  float scoreInit = 0.5f;     // mean start score (each drawn in [0.5, 1.5) x this: all open)
  float scoreLearningRate = 1e-3f;  // Adam step size of the scores
  bool weightByParams = false;      // gate mean weighted by each neuron's parameters (false: plain)
  bool fillToTarget = true;         // reopen the best-scored closed gates that still fit the target
};

struct MagnitudeOptions {
  long targetParams = 3500;  // nonzero weights + biases left
  int rounds = 6;            // prune-retrain rounds, geometric from the start size to the target
  int retrainEpochs = 3;     // epochs after every round
  int finetuneEpochs = 30;   // extra epochs after the last round
};

// A requested size that training could not reach; what() says what was reached.
class TargetNotReached : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Thrown from a training loop after requestStop() (e.g. on SIGINT).
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Asks every running training loop to stop at the next batch (async-signal-safe).
void requestStop();

// Trains NET (gates and masks respected) for options.epochs epochs with cross-entropy.
void train(LeNet5& net, const data::MnistSet& trainSet, const TrainOptions& options);

// The S-method: gates on every channel and unit, L_total = L_task * (1 + mean(g))^lambda
// (lambda = 1: the paper's L_task * mean(g) + L_task), lambda growing until the open gates leave at
// most targetParams, then the compact network is fine-tuned. OPTIONS.epochs is ignored (the phases
// have their own counts).
LeNet5 pruneSMethod(const LeNet5& start, const data::MnistSet& trainSet,
                    const TrainOptions& options, const SMethodOptions& sOptions);

// Magnitude pruning (Han et al. 2015): the smallest |w| of all weights and biases are zeroed in
// rounds, with retraining under the mask after each. The result has exactly targetParams
// nonzero parameters (unless training itself drives some to exactly zero).
LeNet5 pruneMagnitude(const LeNet5& start, const data::MnistSet& trainSet,
                      const TrainOptions& options, const MagnitudeOptions& mOptions);

// The same for the DS-CNN and the ResNet (convnet.h): plain training, and the S-method with one
// gate per channel of every hidden channel space (the plain gate mean), the pruning phase
// stopping at the first step whose open widths fit targetParams, then the compact network
// fine-tuned. OPTIONS.teacher (a LeNet-5) distils as for LeNet-5. weightByParams is not used.
void train(ConvNet& net, const data::MnistSet& trainSet, const TrainOptions& options);
ConvNet pruneSMethod(const ConvNet& start, const data::MnistSet& trainSet,
                     const TrainOptions& options, const SMethodOptions& sOptions);

}  // namespace ej::train
