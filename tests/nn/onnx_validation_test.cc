// The importer's checks, one regression test per crash or silent acceptance of issue 19:
// each malformed model is one ModelError naming the node, tensor or input.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include "sim/core/config.h"
#include "sim/nn/onnx_import.h"
#include "sim/nn/profile.h"
#include "tests/nn/lenet_fixture.h"

namespace ej::nn {
namespace {
namespace fs = std::filesystem;

onnx::NodeProto* node(onnx::ModelProto& m, const std::string& name) {
  for (auto& n : *m.mutable_graph()->mutable_node()) {
    if (n.name() == name) return &n;
  }
  return nullptr;
}

void setInts(onnx::NodeProto* n, const std::string& name, const std::vector<std::int64_t>& v) {
  onnx::AttributeProto* a = nullptr;
  for (auto& x : *n->mutable_attribute()) {
    if (x.name() == name) a = &x;
  }
  if (!a) {
    a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
  }
  a->clear_ints();
  for (auto x : v) a->add_ints(x);
}

// The ModelError of importing M; fails the test when M is accepted.
std::string refusal(const onnx::ModelProto& m) {
  try {
    importOnnx(m);
  } catch (const ModelError& e) {
    return e.what();
  }
  ADD_FAILURE() << "the model was accepted";
  return "";
}

void expectRefused(const onnx::ModelProto& m, const std::string& what) {
  const std::string e = refusal(m);
  EXPECT_NE(e.find(what), std::string::npos) << e;
}

TEST(OnnxValidationTest, StrideOfZeroOrBelowNamesTheNode) {
  // Was SIGFPE (division by the stride); negative strides were accepted.
  for (const std::int64_t s : {0, -1}) {
    auto m = testing::makeLenet();
    setInts(node(m, "pool1"), "strides", {s, 2});
    expectRefused(
        m, "node 'pool1' (MaxPool): strides: " + std::to_string(s) + " is not within 1..65536");
  }
}

TEST(OnnxValidationTest, GroupOfZeroNamesTheNode) {
  // Was SIGFPE (in.c % group).
  auto m = testing::makeLenet();
  auto* a = node(m, "conv2")->add_attribute();
  a->set_name("group");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(0);
  expectRefused(m, "node 'conv2' (Conv): group 0 is not within 1..6");
}

TEST(OnnxValidationTest, KernelShapeThatDisagreesWithTheWeightsIsRefused) {
  // Was a heap overflow in conv (the kernel read 6x6 taps of 5x5 weights).
  auto m = testing::makeLenet();
  setInts(node(m, "conv1"), "kernel_shape", {6, 6});
  expectRefused(m, "node 'conv1' (Conv): kernel_shape 6x6 disagrees with the weights' 5x5");
}

TEST(OnnxValidationTest, HugePadsAreRefusedBeforeAnyShapeArithmetic) {
  // Was SIGSEGV (Shape::size overflowed).
  auto m = testing::makeLenet();
  setInts(node(m, "conv1"), "pads", {std::int64_t(1) << 31, 2, 2, 2});
  expectRefused(m, "node 'conv1' (Conv): pads: 2147483648 is not within 0..65536");
}

TEST(OnnxValidationTest, InputOf2To32Plus28IsNotReadAs28) {
  // Was accepted as 28 x 28 (the dimension truncated to 32 bits).
  auto m = testing::makeLenet();
  m.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(2)
      ->set_dim_value((std::int64_t(1) << 32) + 28);
  expectRefused(m, "model input 'input': dimension 4294967324 is not within 1..16777216");
}

TEST(OnnxValidationTest, ZeroSizeInputIsRefusedBeforeSoftmax) {
  // Was SIGSEGV (Softmax's max_element over no values).
  testing::LenetOptions o;
  o.softmax = true;
  auto m = testing::makeLenet(o);
  m.mutable_graph()
      ->mutable_input(0)
      ->mutable_type()
      ->mutable_tensor_type()
      ->mutable_shape()
      ->mutable_dim(1)
      ->set_dim_value(0);
  expectRefused(m, "model input 'input': dimension 0 is not within 1..16777216");
}

TEST(OnnxValidationTest, ShortInt32RawBufferNamesTheTensor) {
  // Was a heap overflow in readTensor (40 bytes read from an 8-byte buffer).
  auto m = testing::makeLenet();
  auto* t = m.mutable_graph()->add_initializer();
  t->set_name("bias_q");
  t->set_data_type(onnx::TensorProto::INT32);
  t->add_dims(10);
  t->set_raw_data(std::string(8, '\0'));
  expectRefused(m, "tensor 'bias_q': raw data holds 8 bytes, its shape and type need 40");
}

TEST(OnnxValidationTest, ReshapeZeroCopiesTheInputDimensionAndBadTargetsAreRefused) {
  // A 0 in the target was SIGFPE (a division by the product of the known dimensions); ONNX
  // (allowzero = 0) copies the input's dimension there.
  auto build = [](std::vector<std::int64_t> target) {
    auto m = testing::makeLenet();
    auto* g = m.mutable_graph();
    auto* flatten = node(m, "flatten");
    flatten->set_op_type("Reshape");
    flatten->add_input("shape");
    auto* t = g->add_initializer();
    t->set_name("shape");
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(std::int64_t(target.size()));
    for (auto v : target) t->add_int64_data(v);
    return m;
  };
  // [1, 16, 5, 5] -> [1, 0, -1, 1] is [1, 16, 25, 1]: accepted.
  const Graph g = importOnnx(build({1, 0, -1, 1}));
  bool found = false;
  for (const auto& l : g.layers) {
    if (l.op != Op::Reshape) continue;
    EXPECT_EQ(g.shapes[std::size_t(l.output)], (Shape{16, 25, 1}));
    found = true;
  }
  EXPECT_TRUE(found);
  expectRefused(build({1, 0}), "node 'flatten' (Reshape): the target shape does not hold");
  expectRefused(build({1, -1, -1, 1}), "node 'flatten' (Reshape): the target shape has more");
  expectRefused(build({1, 7, -1}), "node 'flatten' (Reshape): only [1,N] or [1,C,H,W]");
  expectRefused(build({1, -3}), "node 'flatten' (Reshape): target dimension 1 is -3");
}

TEST(OnnxValidationTest, AHundredThousandChannelConvIsRefusedAtImport) {
  // Was emulated for 269 s, then a Unicorn error: 100,000 x 26 x 26 outputs (67.6 million
  // values) exceed the importer's 16,777,216-value bound.
  onnx::ModelProto m;
  auto* g = m.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  for (int d : {1, 1, 28, 28})
    in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int d : {100000, 1, 3, 3}) w->add_dims(d);
  w->set_raw_data(std::string(std::size_t(100000) * 9 * 4, '\0'));
  testing::addNode(g, "Conv", "wide", {"x", "w"}, "y");
  g->add_output()->set_name("y");
  expectRefused(m, "node 'wide' (Conv): output: shape [100000, 26, 26] holds more than 16777216");
}

TEST(OnnxValidationTest, AModelTooLargeForThePartIsRefusedBeforeCalibration) {
  // 10,000 channels of 26 x 26: 6.76 MB of int8 activations against the nRF52840's 256 KB;
  // refused from the graph alone (no calibration, no emulation).
  onnx::ModelProto m;
  auto* g = m.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  for (int d : {1, 1, 28, 28})
    in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int d : {10000, 1, 3, 3}) w->add_dims(d);
  std::string raw(std::size_t(10000) * 9 * 4, '\0');
  const float one = 1.0f;
  for (std::size_t i = 0; i < raw.size(); i += 4) std::memcpy(&raw[i], &one, 4);
  w->set_raw_data(raw);
  testing::addNode(g, "Conv", "wide", {"x", "w"}, "y");
  g->add_output()->set_name("y");
  const fs::path file =
      fs::temp_directory_path() / ("ej_wide_" + std::to_string(getpid()) + ".onnx");
  testing::writeModel(m, file);
  const auto mcu =
      McuTarget::fromConfig(core::Config::load(fs::path(EJ_SOURCE_DIR) / "hw/mcu/nrf52840.yaml"));
  try {
    ProfileOptions o;
    o.useCache = false;
    profileModel(file, mcu, Backend::Emu, o);
    ADD_FAILURE() << "profiled";
  } catch (const ModelError& e) {
    const std::string what = e.what();
    // conv input 784 B + output 10,000 * 676 = 6,760,000 B, each a multiple of 4.
    EXPECT_NE(what.find("activations need at least 6760784 B of SRAM, it has 262144 B"),
              std::string::npos)
        << what;
    // 90,000 non-zero weights + the kernels' code stay within the 1 MB of flash.
    EXPECT_EQ(what.find("flash"), std::string::npos) << what;
  }
  fs::remove(file);
}

}  // namespace
}  // namespace ej::nn
