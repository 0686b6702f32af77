// ONNX export round trips: write, read back with onnx_proto, check graph, shapes and weights.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <fstream>

#include "sim/train/onnx_io.h"

namespace ej::train {
namespace {

std::filesystem::path tempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("ej_onnx_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

onnx::ModelProto load(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromIstream(&in));
  return m;
}

const onnx::TensorProto* initializer(const onnx::ModelProto& m, const std::string& name) {
  for (const auto& t : m.graph().initializer()) {
    if (t.name() == name) return &t;
  }
  return nullptr;
}

TEST(OnnxTest, FloatModelRoundTripsWithShapesAndWeights) {
  const auto dir = tempDir("float");
  LeNet5 net = LeNet5::init({4, 10, 30, 20}, 3);
  net.b[2][5] = 0.25f;
  const auto file = dir / "m.onnx";
  writeFloatOnnx(net, file, {{"edgejoule.method", "test"}});
  // Nothing but the model in the folder: the temporary file was renamed.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);

  const auto m = load(file);
  // ONNX's own checker (libonnx 1.12): IR/opset consistency, node schemas, graph topology.
  EXPECT_NO_THROW(onnx::checker::check_model(m));
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).version(), 13);
  ASSERT_EQ(m.graph().input_size(), 1);
  EXPECT_EQ(m.graph().input(0).name(), "input");
  const auto& shape = m.graph().input(0).type().tensor_type().shape();
  ASSERT_EQ(shape.dim_size(), 4);
  EXPECT_EQ(shape.dim(0).dim_value(), 1);
  EXPECT_EQ(shape.dim(1).dim_value(), 1);
  EXPECT_EQ(shape.dim(2).dim_value(), 28);
  EXPECT_EQ(shape.dim(3).dim_value(), 28);
  EXPECT_EQ(m.graph().output(0).name(), "logits");
  std::vector<std::string> ops;
  for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool",
                                           "Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm",
                                           "Identity"}));
  const auto* w2 = initializer(m, "conv2.weight");
  ASSERT_NE(w2, nullptr);
  EXPECT_EQ(std::vector<int64_t>(w2->dims().begin(), w2->dims().end()),
            (std::vector<int64_t>{10, 4, 5, 5}));
  // Row-major [out, in, ky, kx]: element (o=2, i=1, ky=3, kx=4) is W[1](2, 1*25 + 3*5 + 4).
  float v = 0;
  std::memcpy(&v, w2->raw_data().data() + sizeof(float) * (2 * 100 + 1 * 25 + 3 * 5 + 4), sizeof v);
  EXPECT_EQ(v, net.W[1](2, 44));
  const auto* fc1 = initializer(m, "fc1.weight");
  ASSERT_NE(fc1, nullptr);
  EXPECT_EQ(std::vector<int64_t>(fc1->dims().begin(), fc1->dims().end()),
            (std::vector<int64_t>{30, 160}));

  OnnxMetadata meta;
  const LeNet5 back = readOnnx(file, &meta);
  EXPECT_EQ(meta.at("edgejoule.method"), "test");
  EXPECT_TRUE((back.arch == Arch{4, 10, 30, 20}));
  for (std::size_t l = 0; l < kLayers; ++l) {
    EXPECT_EQ(back.W[l], net.W[l]) << l;
    EXPECT_EQ(back.b[l], net.b[l]) << l;
  }
  std::filesystem::remove_all(dir);
}

TEST(OnnxTest, QdqModelHoldsInt8WeightsAndReadsBackDequantized) {
  const auto dir = tempDir("qdq");
  const LeNet5 net = LeNet5::init({6, 16, 120, 84}, 4);
  ActQuantSet act;
  act[0] = {1.0f / 255.0f, -128};
  for (std::size_t p = 1; p < kQuantPoints; ++p) act[p] = {0.05f, -128};
  const Int8Model q = quantize(net, act);
  const auto file = dir / "q.onnx";
  writeQdqOnnx(q, file);
  const auto m = load(file);
  EXPECT_NO_THROW(onnx::checker::check_model(m));
  int quantize = 0, dequantize = 0;
  for (const auto& n : m.graph().node()) {
    quantize += n.op_type() == "QuantizeLinear";
    dequantize += n.op_type() == "DequantizeLinear";
  }
  EXPECT_EQ(quantize, 6);                  // input, 4 ReLU outputs, logits
  EXPECT_EQ(dequantize, 6 + 2 * kLayers);  // the same 6, plus weights and biases
  const auto* w = initializer(m, "fc1.weight_quantized");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->data_type(), onnx::TensorProto::INT8);
  EXPECT_EQ(w->raw_data().size(), 120u * 256u);
  const auto* b = initializer(m, "fc1.bias_quantized");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->data_type(), onnx::TensorProto::INT32);
  const auto* s = initializer(m, "conv1.weight_scale");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->dims(0), 6);  // one scale per output channel

  const LeNet5 back = readOnnx(file);
  const LeNet5 deq = q.dequantized();
  for (std::size_t l = 0; l < kLayers; ++l) {
    // (q - 0) * scale in float on both sides: identical.
    EXPECT_LT((back.W[l] - deq.W[l]).cwiseAbs().maxCoeff(), 1e-9f) << l;
    EXPECT_LT((back.b[l] - deq.b[l]).cwiseAbs().maxCoeff(), 1e-9f) << l;
  }
  std::filesystem::remove_all(dir);
}

TEST(OnnxTest, ReadingAMissingOrForeignFileFails) {
  EXPECT_THROW(readOnnx("/nonexistent/model.onnx"), OnnxError);
  const auto dir = tempDir("bad");
  std::ofstream(dir / "bad.onnx") << "not a model";
  EXPECT_THROW(readOnnx(dir / "bad.onnx"), OnnxError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ej::train
