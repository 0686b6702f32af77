// ONNX export round trips: write, read back with onnx_proto, check graph, shapes and weights.
#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>
#include <limits>

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

// --- Malformed models (issue 19: the training side's reader checks shapes and buffers before
// any arithmetic, as sim/nn/onnx_import.cc does). Each is a written model with one defect; the
// error is one OnnxError naming the file and the tensor or node. Before the checks, these read
// past a buffer, divided by zero, allocated 2^64 floats or threw std::out_of_range.

onnx::TensorProto* mutableInitializer(onnx::ModelProto& m, const std::string& name) {
  for (auto& t : *m.mutable_graph()->mutable_initializer()) {
    if (t.name() == name) return &t;
  }
  ADD_FAILURE() << "no initializer " << name;
  return nullptr;
}

// The message readOnnx throws for the model written by WRITE and changed by CHANGE ("" if it
// reads the model, "other: ..." for an exception that is not OnnxError).
template <class Write, class Change>
std::string readError(const std::string& name, Write write, Change change) {
  const auto dir = tempDir(name);
  const auto file = dir / "m.onnx";
  write(file);
  onnx::ModelProto m = load(file);
  change(m);
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    m.SerializeToOstream(&out);
  }
  std::string error;
  try {
    readOnnx(file);
  } catch (const OnnxError& e) {
    error = e.what();
  } catch (const std::exception& e) {
    error = std::string("other: ") + e.what();
  }
  std::filesystem::remove_all(dir);
  return error;
}

void writeFloat(const std::filesystem::path& f) {
  writeFloatOnnx(LeNet5::init({4, 10, 30, 20}, 3), f);
}

void writeQdq(const std::filesystem::path& f) {
  ActQuantSet act;
  for (std::size_t p = 0; p < kQuantPoints; ++p) act[p] = {0.05f, -128};
  writeQdqOnnx(quantize(LeNet5::init({4, 10, 30, 20}, 3), act), f);
}

// The error starts with the file and names WHAT.
#define EXPECT_LOCATED(error, what)                                    \
  do {                                                                 \
    EXPECT_NE((error).find("m.onnx: "), std::string::npos) << (error); \
    EXPECT_NE((error).find(what), std::string::npos) << (error);       \
    EXPECT_EQ((error).find("other: "), std::string::npos) << (error);  \
    EXPECT_EQ((error).find('\n'), std::string::npos) << (error);       \
  } while (0)

TEST(OnnxTest, ShortTypedInt32BiasIsRefusedNamingTheTensor) {
  // 30 int32 values were read from int32_data holding 2 (a heap overflow under ASan).
  const std::string e = readError("short_int32", writeQdq, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "fc1.bias_quantized");
    t->clear_raw_data();
    t->add_int32_data(1);
    t->add_int32_data(2);
  });
  EXPECT_LOCATED(e, "tensor 'fc1.bias_quantized': holds 2 values, its shape needs 30");
}

TEST(OnnxTest, NoScaleIsRefusedNamingTheNode) {
  // An empty scale made the per-row count a division by zero.
  const std::string e = readError("no_scale", writeQdq, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "conv1.weight_scale");
    t->clear_raw_data();
    t->clear_dims();
    t->add_dims(0);
  });
  EXPECT_LOCATED(e, "node 'conv1.weight_dq' (DequantizeLinear): no scale");
}

TEST(OnnxTest, ScalesThatAreNotOnePerRowAreRefused) {
  // 3 scales for 4 rows indexed scale[3] past its end.
  const std::string e = readError("short_scale", writeQdq, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "conv1.weight_scale");
    t->set_raw_data(t->raw_data().substr(0, 3 * sizeof(float)));
    t->set_dims(0, 3);
  });
  EXPECT_LOCATED(e, "3 scales, neither 1 nor one per row of 'conv1.weight_quantized'");
}

TEST(OnnxTest, MissingZeroPointIsRefusedNamingTheNode) {
  // The zero point was looked up with map::at (std::out_of_range, no file or node named).
  const std::string e = readError("no_zero_point", writeQdq, [](onnx::ModelProto& m) {
    for (auto& n : *m.mutable_graph()->mutable_node()) {
      if (n.name() == "fc2.weight_dq") n.set_input(2, "nowhere");
    }
  });
  EXPECT_LOCATED(e, "node 'fc2.weight_dq' (DequantizeLinear): its inputs must be initializers");
}

TEST(OnnxTest, WeightsWithoutDimensionsAreRefused) {
  // dims.at(0) threw std::out_of_range ("vector::_M_range_check").
  const std::string e = readError("no_dims", writeFloat, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "conv2.weight");
    t->clear_dims();
    t->set_raw_data(std::string(4, '\0'));
  });
  EXPECT_LOCATED(e, "node 'conv2' (Conv): weights of shape [], not [outputs, ...]");
}

TEST(OnnxTest, WeightsWithNoRowsAreRefused) {
  // 0 rows: the column count was 0 / 0 (SIGFPE).
  const std::string e = readError("zero_rows", writeFloat, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "fc2.weight");
    t->set_dims(0, 0);
    t->clear_raw_data();
  });
  EXPECT_LOCATED(e, "node 'fc2' (Gemm): weights of shape [0,30]");
}

TEST(OnnxTest, NegativeOrHugeDimensionsAreRefused) {
  // -1 was cast to 2^64 - 1 floats to allocate.
  std::string e = readError("negative_dim", writeFloat, [](onnx::ModelProto& m) {
    mutableInitializer(m, "fc1.weight")->set_dims(0, -1);
  });
  EXPECT_LOCATED(e, "tensor 'fc1.weight': dimension -1 is not within 0..16777216");
  // 2^32 x 2^32 wrapped the count to 0 in 64 bits.
  e = readError("huge_dims", writeFloat, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "fc1.weight");
    t->set_dims(0, std::int64_t(1) << 23);
    t->set_dims(1, std::int64_t(1) << 23);
  });
  EXPECT_LOCATED(e, "tensor 'fc1.weight': more than 16777216 values");
}

TEST(OnnxTest, RawDataOfTheWrongSizeIsRefused) {
  const std::string e = readError("short_raw", writeFloat, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "fc3.bias");
    t->set_raw_data(t->raw_data().substr(0, 7));
  });
  EXPECT_LOCATED(e, "tensor 'fc3.bias': raw data holds 7 bytes, its shape and type need 40");
}

TEST(OnnxTest, ShapesThatDoNotChainAreRefusedNamingTheLayer) {
  // conv2 with 3 input channels where conv1 has 4 outputs.
  const std::string e = readError("no_chain", writeFloat, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "conv2.weight");
    t->set_dims(1, 3);
    t->set_raw_data(t->raw_data().substr(0, 10 * 3 * 25 * sizeof(float)));
  });
  EXPECT_LOCATED(e, "node 'conv2' (Conv): weights [10,3,5,5] and 10 biases do not chain");
}

TEST(OnnxTest, NonFiniteWeightsAreRefused) {
  const std::string e = readError("nan", writeFloat, [](onnx::ModelProto& m) {
    auto* t = mutableInitializer(m, "fc1.bias");
    std::string raw = t->raw_data();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(raw.data() + 4 * sizeof(float), &nan, sizeof nan);
    t->set_raw_data(raw);
  });
  EXPECT_LOCATED(e, "tensor 'fc1.bias': value 4 is not finite");
}

}  // namespace
}  // namespace ej::train
