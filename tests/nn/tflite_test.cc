// TensorFlow Lite import through Debian's Arm NN 20.08 TfLite parser: the MLPerf Tiny
// structures of models/ written as .tflite (tests/nn/tflite_writer.cc, flatc's code for
// tests/nn/tflite_subset.fbs) and read back through Arm NN, an independent reader, give the
// ONNX import's graph, parameters, cycles and int8 model; unsupported operators and
// malformed files are one located line, exit status 2.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/data/mnist.h"
#include "sim/nn/mcu_target.h"
#include "sim/nn/onnx_import.h"
#include "sim/nn/profile.h"
#include "sim/nn/quantize.h"
#include "sim/nn/tflite_import.h"
#include "tests/nn/tflite_writer.h"
#include "tflite_subset_generated.h"

namespace ej::nn {
namespace {

namespace fs = std::filesystem;
namespace tfl = tflite_subset;

const fs::path kSource = EJ_SOURCE_DIR;

// The four MLPerf Tiny structures and their published MAC counts (issue 12; sim/zoo).
struct Network {
  const char* file;
  std::int64_t macs;
};
const Network kNetworks[] = {{"models/ds-cnn-kws.onnx", 2'656'768},
                             {"models/mobilenet-v1-025-vww.onnx", 7'489'664},
                             {"models/resnet8-cifar10.onnx", 12'501'632},
                             {"models/fc-autoencoder-toyadmos.onnx", 264'192}};

Graph onnxGraph(const char* file) {
  Graph g = importOnnx(kSource / file);
  fuseActivations(g);
  return g;
}
Graph readBack(const std::vector<std::uint8_t>& bytes, const std::string& name = "model.tflite") {
  Graph g = importTflite(bytes, name);
  fuseActivations(g);
  return g;
}
// The layers that compute (a Reshape is a no-op on the Graph's memory: the ONNX import keeps
// one for every Flatten, the TensorFlow Lite import only where the shape changes).
std::vector<Layer> computing(const Graph& g) {
  std::vector<Layer> v;
  for (const auto& l : g.layers) {
    if (l.op != Op::Reshape) v.push_back(l);
  }
  return v;
}
std::int64_t totalMacs(const Graph& g) {
  std::int64_t m = 0;
  for (const auto& l : g.layers) m += macCount(g, l);
  return m;
}

// A scratch folder per process (ctest runs tests in parallel).
struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("ej_tflite_test_" + std::to_string(getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() { fs::remove_all(dir); }
  fs::path write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return dir / name;
  }
};

// The enum numbers of tflite_subset.fbs against the name tables compiled into Debian's Arm NN
// TfLite parser (the format's own numbering, as Arm NN was built with it).
TEST(TfliteTest, SubsetSchemaEnumsMatchArmNnsTables) {
  void* lib = dlopen("libarmnnTfLiteParser.so.22", RTLD_NOW);
  ASSERT_NE(lib, nullptr) << dlerror();
  auto table = [&](const char* symbol) {
    auto names = static_cast<const char* const*>(dlsym(lib, symbol));
    EXPECT_NE(names, nullptr) << symbol;
    return names;
  };
  const auto ops = table("_ZZN6tflite24EnumNamesBuiltinOperatorEvE5names");
  for (auto op : tfl::EnumValuesBuiltinOperator()) {
    EXPECT_STREQ(ops[int(op)], tfl::EnumNameBuiltinOperator(op)) << int(op);
  }
  const auto types = table("_ZZN6tflite19EnumNamesTensorTypeEvE5names");
  for (auto t : tfl::EnumValuesTensorType()) {
    EXPECT_STREQ(types[int(t)], tfl::EnumNameTensorType(t)) << int(t);
  }
  const auto acts = table("_ZZN6tflite31EnumNamesActivationFunctionTypeEvE5names");
  for (auto a : tfl::EnumValuesActivationFunctionType()) {
    EXPECT_STREQ(acts[int(a)], tfl::EnumNameActivationFunctionType(a)) << int(a);
  }
  dlclose(lib);
}

// Float32: every layer comes back as the ONNX import made it, weights bit for bit (a float32
// copy through a permutation: NHWC filters, [1, kH, kW, C*M] depthwise filters, and the fully
// connected columns after a flattened map in (H, W, C) order).
TEST(TfliteTest, FloatMlperfTinyNetworksReadBackAsTheirOnnxGraphs) {
  for (const auto& net : kNetworks) {
    SCOPED_TRACE(net.file);
    const Graph a = onnxGraph(net.file);
    const Graph b = readBack(testing::writeTflite(a).bytes);
    const auto la = computing(a), lb = computing(b);
    ASSERT_EQ(la.size(), lb.size());
    for (std::size_t i = 0; i < la.size(); ++i) {
      const Layer &x = la[i], &y = lb[i];
      SCOPED_TRACE(x.name + " / " + y.name);
      EXPECT_EQ(x.op, y.op);
      EXPECT_EQ(a.shapes[std::size_t(x.output)], b.shapes[std::size_t(y.output)]);
      EXPECT_EQ(std::vector<int>(
                    {x.kH, x.kW, x.strideH, x.strideW, x.padT, x.padL, x.padB, x.padR, x.groups}),
                std::vector<int>(
                    {y.kH, y.kW, y.strideH, y.strideW, y.padT, y.padL, y.padB, y.padR, y.groups}));
      EXPECT_EQ(x.weights, y.weights);
      EXPECT_EQ(x.bias, y.bias);
      EXPECT_EQ(x.actMin, y.actMin);
      EXPECT_EQ(x.actMax, y.actMax);
    }
    EXPECT_EQ(totalMacs(b), net.macs);
    const auto pa = countParameters(a), pb = countParameters(b);
    EXPECT_EQ(pb.weights, pa.weights);
    EXPECT_EQ(pb.biases, pa.biases);
  }
}

// The same network as ONNX and as float32 TensorFlow Lite: the same int8 model, hence the
// same emulated cycles, layer for layer (DS-CNN on the STM32L4R5, the MLPerf Tiny board;
// both calibrated on the same default inputs).
TEST(TfliteTest, SameEmulatedCyclesAsTheOnnxModel) {
  const Scratch s;
  const fs::path onnx = kSource / "models/ds-cnn-kws.onnx";
  const fs::path tflite =
      s.write("ds-cnn-kws.tflite", testing::writeTflite(onnxGraph(onnx.c_str())).bytes);
  const McuTarget mcu =
      McuTarget::fromConfig(core::Config::load(kSource / "hw/mcu/stm32l4r5.yaml"));
  ProfileOptions o;
  o.useCache = false;
  o.emuSamples = 1;
  const auto pa = profileModel(onnx, mcu, Backend::Emu, o);
  const auto pb = profileModel(tflite, mcu, Backend::Emu, o);
  EXPECT_EQ(pb.cycles, pa.cycles);
  EXPECT_EQ(pb.macs, 2'656'768);
  ASSERT_EQ(pb.layers.size(), pa.layers.size());
  for (std::size_t i = 0; i < pa.layers.size(); ++i)
    EXPECT_EQ(pb.layers[i].cycles, pa.layers[i].cycles) << pa.layers[i].name;
  EXPECT_EQ(pb.weightBytes, pa.weightBytes);
  EXPECT_EQ(pb.sramPeakBytes, pa.sramPeakBytes);
}

// An int8 model (weights per channel at max|w|/127, int32 biases, every activation's scale
// and zero point from the ONNX model's calibration) is taken as it is: quantised again, its
// weights and biases are the file's, its activation scales the file's float32 scales, and
// its int8 outputs those of the ONNX model's quantisation within the float32 rounding of
// the scales (ResNet-8: residual Adds; DS-CNN: depthwise).
TEST(TfliteTest, Int8ModelKeepsTheFilesWeightsBiasesAndScales) {
  for (const char* file : {"models/resnet8-cifar10.onnx", "models/ds-cnn-kws.onnx"}) {
    SCOPED_TRACE(file);
    const Graph a = onnxGraph(file);
    data::SplitMix64 rng(3);
    std::vector<std::vector<float>> calib(
        8, std::vector<float>(std::size_t(a.shapes[std::size_t(a.input)].size())));
    for (auto& x : calib)
      for (auto& v : x) v = float(rng.uniform());
    QuantOptions dense;
    dense.allowSparse = false;
    const QuantModel qa = quantize(a, calib, dense);
    const auto written = testing::writeTflite(a, qa.qparams);
    const Graph b = readBack(written.bytes);
    const QuantModel qb = quantize(b, calib, dense);
    // Weighted layers in order, in the file, the Graph and the QuantModel.
    std::vector<const Layer*> wb;
    for (const auto& l : b.layers) {
      if (l.op == Op::Conv || l.op == Op::Gemm) wb.push_back(&l);
    }
    std::size_t k = 0, j = 0;
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
      if (a.layers[i].op != Op::Conv && a.layers[i].op != Op::Gemm) continue;
      ASSERT_LT(j, wb.size());
      const Layer& lb = *wb[j++];
      while (k < qb.layers.size() && qb.layers[k].name != lb.name) ++k;
      ASSERT_LT(k, qb.layers.size()) << lb.name;
      const QLayer& q = qb.layers[k];
      EXPECT_EQ(q.weights, written.layers[i].weights) << q.name;
      EXPECT_EQ(q.bias, written.layers[i].bias) << q.name;
      const double want = qa.qparams[std::size_t(a.layers[i].output)].scale;
      const double got = qb.qparams[std::size_t(q.out)].scale;
      EXPECT_NEAR(got / want, 1.0, 6e-8) << q.name;  // float32 storage: half an ulp, 2^-24
      EXPECT_EQ(qb.qparams[std::size_t(q.out)].zeroPoint,
                qa.qparams[std::size_t(a.layers[i].output)].zeroPoint)
          << q.name;
    }
    int worst = 0;
    for (int n = 0; n < 4; ++n) {
      std::vector<float> x(calib[0].size());
      for (auto& v : x) v = float(rng.uniform());
      const auto ya = runInt8(qa, quantizeInput(qa, x))[std::size_t(qa.output)];
      const auto yb = runInt8(qb, quantizeInput(qb, x))[std::size_t(qb.output)];
      ASSERT_EQ(ya.size(), yb.size());
      for (std::size_t e = 0; e < ya.size(); ++e) worst = std::max(worst, std::abs(ya[e] - yb[e]));
    }
    // The requantisation multipliers differ in their last bits (float32 scales), so an
    // output may round the other way, by one step.
    EXPECT_LE(worst, 1);
    RecordProperty(std::string("worst_lsb_") + fs::path(file).stem().string(), worst);
  }
}

// What TensorFlow Lite's converter writes by default around an int8 model, a float32 input
// and output (QUANTIZE first, DEQUANTIZE last), and Keras' global average pool as MEAN over
// height and width: the same Graph, quantisation presets included, as the plain int8 file.
TEST(TfliteTest, QuantizeDequantizeAndMeanGiveTheSameGraph) {
  const Graph a = onnxGraph("models/ds-cnn-kws.onnx");
  std::vector<QParams> act(a.shapes.size());
  for (std::size_t v = 0; v < act.size(); ++v)
    act[v] = QParams{0.02 + 0.001 * double(v), int(v % 7) - 3};
  testing::WriteOptions o;
  o.floatIo = true;
  o.meanForGlobalPool = true;
  const Graph plain = readBack(testing::writeTflite(a, act).bytes);
  const Graph wrapped = readBack(testing::writeTflite(a, act, o).bytes);
  const auto lp = computing(plain), lw = computing(wrapped);
  ASSERT_EQ(lp.size(), lw.size());
  for (std::size_t i = 0; i < lp.size(); ++i) {
    EXPECT_EQ(lp[i].op, lw[i].op) << lw[i].name;
    EXPECT_EQ(lp[i].weights, lw[i].weights) << lw[i].name;
    EXPECT_EQ(lp[i].kH * 1000 + lp[i].kW, lw[i].kH * 1000 + lw[i].kW) << lw[i].name;
    const auto& pp = plain.preset[std::size_t(lp[i].output)];
    const auto& pw = wrapped.preset[std::size_t(lw[i].output)];
    EXPECT_TRUE(pw.set) << lw[i].name;
    EXPECT_EQ(pp.scale, pw.scale) << lw[i].name;
    EXPECT_EQ(pp.zeroPoint, pw.zeroPoint) << lw[i].name;
  }
  // The global pool: 25x5 in DS-CNN (issue 12's operator list).
  EXPECT_TRUE(std::any_of(lw.begin(), lw.end(), [](const Layer& l) {
    return l.op == Op::AvgPool && l.kH == 25 && l.kW == 5 && l.name.rfind("Mean:", 0) == 0;
  }));
  // The input's preset comes from the QUANTIZE's output: the written int8 input tensor's.
  EXPECT_TRUE(wrapped.preset[std::size_t(wrapped.input)].set);
  EXPECT_FLOAT_EQ(float(wrapped.preset[std::size_t(wrapped.input)].scale),
                  float(act[std::size_t(a.input)].scale));
  EXPECT_EQ(wrapped.preset[std::size_t(wrapped.input)].zeroPoint,
            act[std::size_t(a.input)].zeroPoint);
}

// A uint8 model (TensorFlow 1's quantised models: uint8 activations and per-tensor weights
// with zero point 128): activation zero points shifted by -128 into int8, weights
// (u - 128) * s exactly.
TEST(TfliteTest, Uint8ModelShiftsZeroPointsAndKeepsWeights) {
  const Graph a = onnxGraph("models/resnet8-cifar10.onnx");
  std::vector<QParams> act(a.shapes.size());
  for (std::size_t v = 0; v < act.size(); ++v) act[v] = QParams{0.03, int(v % 11) - 5};
  testing::WriteOptions o;
  o.uint8 = true;
  const auto written = testing::writeTflite(a, act, o);
  const Graph b = readBack(written.bytes);
  EXPECT_EQ(b.preset[std::size_t(b.input)].zeroPoint, act[std::size_t(a.input)].zeroPoint);
  std::size_t j = 0, checked = 0;
  const auto lb = computing(b);
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    if (a.layers[i].op != Op::Conv && a.layers[i].op != Op::Gemm) continue;
    while (j < lb.size() && lb[j].op != a.layers[i].op) ++j;
    ASSERT_LT(j, lb.size());
    const auto& w = written.layers[i];
    ASSERT_EQ(lb[j].weights.size(), w.weights.size());
    for (std::size_t e = 0; e < w.weights.size(); ++e) {
      ASSERT_EQ(lb[j].weights[e], float(double(w.weights[e]) * double(w.weightScales[0])))
          << lb[j].name << " weight " << e;
    }
    EXPECT_EQ(b.preset[std::size_t(lb[j].output)].zeroPoint,
              act[std::size_t(a.layers[i].output)].zeroPoint);
    ++j, ++checked;
  }
  EXPECT_EQ(checked, 10u);  // ResNet-8: 9 convolutions (2 of them 1x1 projections) + 1 dense
}

// A map flattened before a fully connected layer (LeNet-5: 16x4x4 -> 256): the file holds the
// columns in (H, W, C) order, the Graph in (C, H, W) order; the float forward passes agree.
TEST(TfliteTest, FlattenedMapKeepsTheFullyConnectedColumns) {
  const Graph a = onnxGraph("models/lenet5-dense.onnx");
  const Graph b = readBack(testing::writeTflite(a).bytes);
  data::SplitMix64 rng(9);
  std::vector<float> x(std::size_t(a.shapes[std::size_t(a.input)].size()));
  for (auto& v : x) v = float(rng.uniform());
  const auto ya = runFloat(a, x)[std::size_t(a.output)];
  const auto yb = runFloat(b, x)[std::size_t(b.output)];
  ASSERT_EQ(ya.size(), 10u);
  EXPECT_EQ(ya, yb);
}

// Unsupported operators name the file, the operator's index and its type; malformed files
// the file and Arm NN's reason.
TEST(TfliteTest, UnsupportedOperatorsAreNamed) {
  const Graph a = onnxGraph("models/fc-autoencoder-toyadmos.onnx");
  const std::size_t extra = a.layers.size();  // the extra operator's index
  try {
    importTflite(testing::writeTflite(a, std::nullopt, tfl::BuiltinOperator_FLOOR).bytes,
                 "x.tflite");
    FAIL() << "FLOOR was taken";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()), "x.tflite: operator " + std::to_string(extra) +
                                         " (FLOOR): not supported by Arm NN 20.08's TfLite parser");
  }
  try {
    importTflite(testing::writeTflite(a, std::nullopt, tfl::BuiltinOperator_LOGISTIC).bytes,
                 "x.tflite");
    FAIL() << "LOGISTIC was taken";
  } catch (const ModelError& e) {
    EXPECT_EQ(std::string(e.what()),
              "x.tflite: operator " + std::to_string(extra) +
                  " (SIGMOID): activation Sigmoid is not supported (only ReLU and ReLU6)");
  }
}

TEST(TfliteTest, MalformedFilesAreNamed) {
  auto bytes = testing::writeTflite(onnxGraph("models/fc-autoencoder-toyadmos.onnx")).bytes;
  auto message = [](const std::vector<std::uint8_t>& b) {
    try {
      importTflite(b, "x.tflite");
    } catch (const ModelError& e) {
      return std::string(e.what());
    }
    return std::string("taken");
  };
  const std::string prefix = "x.tflite: not a TensorFlow Lite model Arm NN can read (";
  EXPECT_EQ(message({}).rfind(prefix, 0), 0u) << message({});
  auto truncated = bytes;
  truncated.resize(bytes.size() / 2);
  EXPECT_EQ(message(truncated).rfind(prefix, 0), 0u) << message(truncated);
  const std::vector<std::uint8_t> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  EXPECT_EQ(message(text).rfind(prefix, 0), 0u) << message(text);
}

bool armnnMapped() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    if (line.find("libarmnn") != std::string::npos) return true;
  }
  return false;
}

// Arm NN is loaded at the first .tflite only (the reader is a plugin): an ONNX import, and
// every command that reads no .tflite, never load it.
TEST(TfliteTest, ArmNnIsLoadedOnlyForATfliteModel) {
  if (armnnMapped()) GTEST_SKIP() << "an earlier test in this process read a .tflite";
  const Graph a = onnxGraph("models/fc-autoencoder-toyadmos.onnx");
  EXPECT_FALSE(armnnMapped());
  readBack(testing::writeTflite(a).bytes);
  EXPECT_TRUE(armnnMapped());
}

// The program as a user runs it.
struct Outcome {
  int status;
  std::string out, err;
};
Outcome edgejoule(const std::string& args, const fs::path& scratch) {
  const fs::path out = scratch / "stdout", err = scratch / "stderr";
  const std::string cmd = "cd " + kSource.string() + " && XDG_CACHE_HOME=" + scratch.string() +
                          " " + EJ_BINARY + " " + args + " >" + out.string() + " 2>" + err.string();
  const int raw = std::system(cmd.c_str());
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
}

TEST(TfliteTest, InferTakesATfliteModel) {
  const Scratch s;
  const fs::path onnx = kSource / "models/fc-autoencoder-toyadmos.onnx";
  const fs::path tflite = s.write("ae.tflite", testing::writeTflite(onnxGraph(onnx.c_str())).bytes);
  const std::string mcu = " --mcu hw/mcu/stm32l4r5.yaml --backend analytic --json";
  const auto a = edgejoule("infer --model " + onnx.string() + mcu, s.dir);
  const auto b = edgejoule("infer --model " + tflite.string() + mcu, s.dir);
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  const auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  EXPECT_EQ(jb["total"]["cycles"], ja["total"]["cycles"]);
  EXPECT_EQ(jb["total"]["macs"], 264'192);
  // The autoencoder's 264,192 weights and 1,672 biases (sim/zoo, MLPerf Tiny's structure).
  EXPECT_EQ(jb["parameters"]["weights"], 264'192);
  EXPECT_EQ(jb["parameters"]["biases"], 1'672);
  EXPECT_EQ(jb["parameters"], ja["parameters"]);
}

TEST(TfliteTest, InferRejectsAnUnsupportedOperatorWithOneLine) {
  const Scratch s;
  const Graph a = onnxGraph("models/fc-autoencoder-toyadmos.onnx");
  const fs::path bad = s.write(
      "bad.tflite", testing::writeTflite(a, std::nullopt, tfl::BuiltinOperator_FLOOR).bytes);
  const auto r = edgejoule("infer --model " + bad.string() + " --mcu hw/mcu/stm32l4r5.yaml", s.dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "edgejoule: " + bad.string() + ": operator " + std::to_string(a.layers.size()) +
                       " (FLOOR): not supported by Arm NN 20.08's TfLite parser\n");
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// A scenario's infer step takes a .tflite like an .onnx: `check` imports it, and names the
// step's line when the model cannot be taken.
TEST(TfliteTest, ScenarioInferStepTakesATfliteModel) {
  const Scratch s;
  const Graph a = onnxGraph("models/fc-autoencoder-toyadmos.onnx");
  const fs::path good = s.write("ae.tflite", testing::writeTflite(a).bytes);
  const fs::path bad = s.write(
      "bad.tflite", testing::writeTflite(a, std::nullopt, tfl::BuiltinOperator_FLOOR).bytes);
  auto scenario = [&](const fs::path& model) {
    const fs::path file = s.dir / "scenario.yaml";
    std::ofstream(file) << "horizon: 1 d\nnode:\n  mcu:\n    part: hw/mcu/stm32l4r5.yaml\n"
                           "  jobs:\n    - name: detect\n      every: 1 h\n      steps:\n"
                           "        - infer: "
                        << model.string()
                        << "\n  battery:\n    capacity: 2000 mAh\n    voltage: 3.7 V\n";
    return file;
  };
  const auto ok = edgejoule("check " + scenario(good).string(), s.dir);
  EXPECT_EQ(ok.status, 0) << ok.err;
  const auto r = edgejoule("check " + scenario(bad).string(), s.dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind((s.dir / "scenario.yaml").string() + ":9:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("(FLOOR): not supported by Arm NN 20.08's TfLite parser"), std::string::npos)
      << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace ej::nn
