// ONNX export and import of LeNet-5 (ONNX IR version 7, operator set 13:
// https://github.com/onnx/onnx/blob/main/docs/Operators.md).
#include "sim/train/onnx_io.h"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <fstream>
#include <vector>

namespace ej::train {
namespace {

constexpr int64_t kIrVersion = 7;  // the IR version of ONNX 1.8, which introduced opset 13
constexpr int64_t kOpset = 13;
const char* const kLayerNames[kLayers] = {"conv1", "conv2", "fc1", "fc2", "fc3"};

using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::vector<int64_t> weightDims(const Arch& a, int layer) {
  switch (layer) {
    case 0:
      return {a.c1, 1, 5, 5};
    case 1:
      return {a.c2, a.c1, 5, 5};
    case 2:
      return {a.f1, 16L * a.c2};
    case 3:
      return {a.f2, a.f1};
    default:
      return {10, a.f2};
  }
}

template <class T>
void addTensor(onnx::GraphProto& g, const std::string& name, int32_t type,
               const std::vector<int64_t>& dims, const T* values, std::size_t count) {
  onnx::TensorProto* t = g.add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : dims) t->add_dims(d);
  // raw_data is little-endian (ONNX IR spec); this machine is little-endian x86-64.
  t->set_raw_data(std::string(reinterpret_cast<const char*>(values), count * sizeof(T)));
}

void addFloat(onnx::GraphProto& g, const std::string& name, const std::vector<int64_t>& dims,
              const float* v, std::size_t n) {
  addTensor(g, name, onnx::TensorProto::FLOAT, dims, v, n);
}

void addRowMajor(onnx::GraphProto& g, const std::string& name, const std::vector<int64_t>& dims,
                 const Mat& m) {
  const RowMat r = m;
  addFloat(g, name, dims, r.data(), static_cast<std::size_t>(r.size()));
}

onnx::NodeProto* addNode(onnx::GraphProto& g, const std::string& op, const std::string& name,
                         const std::vector<std::string>& inputs, const std::string& output) {
  onnx::NodeProto* n = g.add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  n->add_output(output);
  return n;
}

void addInts(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void addInt(onnx::NodeProto* n, const std::string& name, int64_t value) {
  onnx::AttributeProto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

void addValueInfo(onnx::ValueInfoProto* v, const std::string& name,
                  const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* tensor = v->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) tensor->mutable_shape()->add_dim()->set_dim_value(d);
}

onnx::ModelProto newModel(const std::string& graphName, const OnnxMetadata& metadata) {
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("edgejoule");
  model.set_producer_version("0.1.0");
  model.set_domain("org.edgejoule");
  model.set_doc_string(
      "LeNet-5 for 28x28 MNIST digits. Input 'input' float32 [1,1,28,28], pixel values scaled "
      "to [0,1] (0 = background); output 'logits' float32 [1,10] (argmax = digit).");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  for (const auto& [k, v] : metadata) {
    auto* p = model.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  auto* g = model.mutable_graph();
  g->set_name(graphName);
  addValueInfo(g->add_input(), "input", {1, 1, 28, 28});
  addValueInfo(g->add_output(), "logits", {1, 10});
  return model;
}

// The network's op chain; W(l) and B(l) name the weight and bias tensors of layer l, and
// ACT(p, tensor) inserts whatever the quantization point p needs and returns the tensor to use.
template <class NameW, class NameB, class ActFn>
void addLayers(onnx::GraphProto& g, NameW W, NameB B, ActFn act) {
  std::string x = act(0, std::string("input"));
  for (int l = 0; l < 2; ++l) {
    const std::string n = kLayerNames[l];
    auto* conv = addNode(g, "Conv", n, {x, W(l), B(l)}, n + ".out");
    addInts(conv, "kernel_shape", {5, 5});
    addInts(conv, "strides", {1, 1});
    addInts(conv, "pads", {0, 0, 0, 0});
    addNode(g, "Relu", n + ".relu", {n + ".out"}, n + ".relu");
    const std::string r = act(l + 1, n + ".relu");
    auto* pool = addNode(g, "MaxPool", n + ".pool", {r}, n + ".pool");
    addInts(pool, "kernel_shape", {2, 2});
    addInts(pool, "strides", {2, 2});
    x = n + ".pool";
  }
  addInt(addNode(g, "Flatten", "flatten", {x}, "flatten"), "axis", 1);
  x = "flatten";
  for (int l = 2; l < kLayers; ++l) {
    const std::string n = kLayerNames[l];
    const bool last = l == kLayers - 1;
    auto* gemm = addNode(g, "Gemm", n, {x, W(l), B(l)}, last ? "logits.float" : n + ".out");
    addInt(gemm, "transB", 1);
    if (last) break;
    addNode(g, "Relu", n + ".relu", {n + ".out"}, n + ".relu");
    x = act(l + 1, n + ".relu");
  }
  const std::string logits = act(5, std::string("logits.float"));
  addNode(g, "Identity", "output", {logits}, "logits");
}

void writeAtomically(const onnx::ModelProto& model, const std::filesystem::path& out) {
  const auto dir = out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
  std::filesystem::create_directories(dir);
  const auto tmp = dir / fmt::format(".{}.tmp{}", out.filename().string(), ::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f || !model.SerializeToOstream(&f)) {
      std::filesystem::remove(tmp);
      throw OnnxError(fmt::format("cannot write {}", tmp.string()));
    }
    f.close();
    if (!f) {
      std::filesystem::remove(tmp);
      throw OnnxError(fmt::format("cannot write {}", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, out);
}

std::vector<float> floatValues(const onnx::TensorProto& t) {
  std::size_t n = 1;
  for (int64_t d : t.dims()) n *= static_cast<std::size_t>(d);
  std::vector<float> v(n);
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() != n * sizeof(float)) throw OnnxError(t.name() + ": raw_data size");
      std::memcpy(v.data(), t.raw_data().data(), n * sizeof(float));
    } else {
      if (static_cast<std::size_t>(t.float_data_size()) != n) throw OnnxError(t.name() + ": size");
      std::copy(t.float_data().begin(), t.float_data().end(), v.begin());
    }
  } else if (t.data_type() == onnx::TensorProto::INT8) {
    if (t.raw_data().size() != n) throw OnnxError(t.name() + ": raw_data size");
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<int8_t>(t.raw_data()[i]);
  } else if (t.data_type() == onnx::TensorProto::INT32) {
    if (!t.raw_data().empty()) {
      if (t.raw_data().size() != n * 4) throw OnnxError(t.name() + ": raw_data size");
      std::vector<int32_t> q(n);
      std::memcpy(q.data(), t.raw_data().data(), n * 4);
      for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(q[i]);
    } else {
      for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<float>(t.int32_data(static_cast<int>(i)));
    }
  } else {
    throw OnnxError(fmt::format("{}: unsupported tensor type {}", t.name(), t.data_type()));
  }
  return v;
}

}  // namespace

void writeFloatOnnx(const LeNet5& net, const std::filesystem::path& out,
                    const OnnxMetadata& metadata) {
  auto model = newModel("lenet5", metadata);
  auto& g = *model.mutable_graph();
  for (int l = 0; l < kLayers; ++l) {
    const std::string n = kLayerNames[l];
    addRowMajor(g, n + ".weight", weightDims(net.arch, l), net.W[static_cast<std::size_t>(l)]);
    const Vec& b = net.b[static_cast<std::size_t>(l)];
    addFloat(g, n + ".bias", {b.size()}, b.data(), static_cast<std::size_t>(b.size()));
  }
  addLayers(
      g, [](int l) { return std::string(kLayerNames[l]) + ".weight"; },
      [](int l) { return std::string(kLayerNames[l]) + ".bias"; },
      [](int, const std::string& t) { return t; });
  writeAtomically(model, out);
}

void writeQdqOnnx(const Int8Model& m, const std::filesystem::path& out,
                  const OnnxMetadata& metadata) {
  auto model = newModel("lenet5_qdq", metadata);
  auto& g = *model.mutable_graph();
  for (int l = 0; l < kLayers; ++l) {
    const std::string n = kLayerNames[l];
    const Int8Layer& q = m.layers[static_cast<std::size_t>(l)];
    const Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> w = q.weight;
    const auto rows = static_cast<std::size_t>(w.rows());
    addTensor(g, n + ".weight_quantized", onnx::TensorProto::INT8, weightDims(m.arch, l), w.data(),
              static_cast<std::size_t>(w.size()));
    addFloat(g, n + ".weight_scale", {w.rows()}, q.weightScale.data(), rows);
    const std::vector<int8_t> zeros(rows, 0);
    addTensor(g, n + ".weight_zero_point", onnx::TensorProto::INT8, {w.rows()}, zeros.data(), rows);
    auto* dq = addNode(g, "DequantizeLinear", n + ".weight_dq",
                       {n + ".weight_quantized", n + ".weight_scale", n + ".weight_zero_point"},
                       n + ".weight");
    addInt(dq, "axis", 0);
    const std::vector<int32_t> bias(q.bias.data(), q.bias.data() + q.bias.size());
    addTensor(g, n + ".bias_quantized", onnx::TensorProto::INT32, {w.rows()}, bias.data(), rows);
    addFloat(g, n + ".bias_scale", {w.rows()}, q.biasScale.data(), rows);
    auto* bq = addNode(g, "DequantizeLinear", n + ".bias_dq",
                       {n + ".bias_quantized", n + ".bias_scale"}, n + ".bias");
    addInt(bq, "axis", 0);
  }
  const char* const pointNames[kQuantPoints] = {"input",    "conv1.relu", "conv2.relu",
                                                "fc1.relu", "fc2.relu",   "logits"};
  for (std::size_t p = 0; p < kQuantPoints; ++p) {
    const std::string n = pointNames[p];
    const float scale = m.act[p].scale;
    const int8_t zp = static_cast<int8_t>(m.act[p].zeroPoint);
    addFloat(g, n + ".act_scale", {}, &scale, 1);
    addTensor(g, n + ".act_zero_point", onnx::TensorProto::INT8, {}, &zp, 1);
  }
  addLayers(
      g, [](int l) { return std::string(kLayerNames[l]) + ".weight"; },
      [](int l) { return std::string(kLayerNames[l]) + ".bias"; },
      [&](int p, const std::string& t) {
        const std::string n = pointNames[p];
        addNode(g, "QuantizeLinear", n + ".quantize", {t, n + ".act_scale", n + ".act_zero_point"},
                n + ".q");
        addNode(g, "DequantizeLinear", n + ".dequantize",
                {n + ".q", n + ".act_scale", n + ".act_zero_point"}, n + ".dq");
        return n + ".dq";
      });
  writeAtomically(model, out);
}

LeNet5 readOnnx(const std::filesystem::path& file, OnnxMetadata* metadata) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw OnnxError(fmt::format("cannot read {}", file.string()));
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in)) {
    throw OnnxError(fmt::format("{}: not an ONNX model", file.string()));
  }
  if (metadata) {
    for (const auto& p : model.metadata_props()) (*metadata)[p.key()] = p.value();
  }
  const auto& g = model.graph();
  std::map<std::string, const onnx::TensorProto*> init;
  for (const auto& t : g.initializer()) init[t.name()] = &t;
  std::map<std::string, const onnx::NodeProto*> producer;
  for (const auto& n : g.node()) {
    for (const auto& o : n.output()) producer[o] = &n;
  }
  // A constant: an initializer, or DequantizeLinear of initializers (x - zp) * scale along axis 0.
  auto constant = [&](const std::string& name, std::vector<int64_t>& dims) -> std::vector<float> {
    if (auto it = init.find(name); it != init.end()) {
      dims.assign(it->second->dims().begin(), it->second->dims().end());
      return floatValues(*it->second);
    }
    auto p = producer.find(name);
    if (p == producer.end() || p->second->op_type() != "DequantizeLinear" ||
        !init.count(p->second->input(0)) || !init.count(p->second->input(1))) {
      throw OnnxError(fmt::format("{}: {} is not a constant tensor", file.string(), name));
    }
    const auto& x = *init.at(p->second->input(0));
    dims.assign(x.dims().begin(), x.dims().end());
    std::vector<float> v = floatValues(x);
    const std::vector<float> scale = floatValues(*init.at(p->second->input(1)));
    std::vector<float> zp(scale.size(), 0.0f);
    if (p->second->input_size() > 2 && !p->second->input(2).empty()) {
      zp = floatValues(*init.at(p->second->input(2)));
    }
    const std::size_t rows = scale.size();
    const std::size_t per = v.size() / rows;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::size_t r = rows == 1 ? 0 : i / per;
      v[i] = (v[i] - zp[r]) * scale[r];
    }
    return v;
  };
  std::vector<const onnx::NodeProto*> layers;
  for (const auto& n : g.node()) {
    if (n.op_type() == "Conv" || n.op_type() == "Gemm") layers.push_back(&n);
  }
  if (layers.size() != kLayers || layers[0]->op_type() != "Conv" ||
      layers[1]->op_type() != "Conv") {
    throw OnnxError(fmt::format("{}: expected Conv, Conv, Gemm, Gemm, Gemm", file.string()));
  }
  LeNet5 net;
  std::array<std::vector<int64_t>, kLayers> dims;
  for (std::size_t l = 0; l < kLayers; ++l) {
    const onnx::NodeProto& node = *layers[l];
    if (node.input_size() < 3)
      throw OnnxError(fmt::format("{}: {} has no bias", file.string(), node.name()));
    if (node.op_type() == "Gemm") {
      bool transB = false;
      for (const auto& a : node.attribute()) {
        if (a.name() == "transB") transB = a.i() != 0;
      }
      if (!transB)
        throw OnnxError(fmt::format("{}: {} needs transB=1", file.string(), node.name()));
    }
    const std::vector<float> w = constant(node.input(1), dims[l]);
    std::vector<int64_t> bdims;
    const std::vector<float> b = constant(node.input(2), bdims);
    const Eigen::Index rows = dims[l].at(0);
    const Eigen::Index cols = static_cast<Eigen::Index>(w.size()) / rows;
    net.W[l] = Eigen::Map<const RowMat>(w.data(), rows, cols);
    net.b[l] = Eigen::Map<const Vec>(b.data(), static_cast<Eigen::Index>(b.size()));
  }
  net.arch = {static_cast<int>(dims[0][0]), static_cast<int>(dims[1][0]),
              static_cast<int>(dims[2][0]), static_cast<int>(dims[3][0])};
  for (int l = 0; l < kLayers; ++l) {
    if (dims[static_cast<std::size_t>(l)] != weightDims(net.arch, l) ||
        net.b[static_cast<std::size_t>(l)].size() != dims[static_cast<std::size_t>(l)][0]) {
      throw OnnxError(fmt::format("{}: layer {} has shapes that do not chain as LeNet-5",
                                  file.string(), kLayerNames[l]));
    }
  }
  return net;
}

}  // namespace ej::train
