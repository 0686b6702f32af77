// ONNX export and import of LeNet-5 (ONNX IR version 7, operator set 13:
// https://github.com/onnx/onnx/blob/main/docs/Operators.md).
#include "sim/train/onnx_io.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/io.h"

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

onnx::ModelProto newModel(const std::string& graphName, const OnnxMetadata& metadata,
                          const std::string& what = "LeNet-5") {
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("edgejoule");
  model.set_producer_version("0.1.0");
  model.set_domain("org.edgejoule");
  model.set_doc_string(
      what +
      " for 28x28 MNIST digits. Input 'input' float32 [1,1,28,28], pixel values scaled "
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
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    throw OnnxError(fmt::format("{}: cannot serialize the model", out.string()));
  try {
    const auto dir = out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
    std::filesystem::create_directories(dir);
    // Checked write of a temporary sibling, fsync, rename, folder fsync (sim/core/io.h).
    core::writeFileAtomically(out, bytes);
  } catch (const core::IoError& e) {
    throw OnnxError(e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    throw OnnxError(
        fmt::format("{}: cannot create its folder: {}", out.string(), e.code().message()));
  }
}

// --- Reading: every count, shape and buffer is checked before any arithmetic uses it (as in
// sim/nn/onnx_import.cc), so that a malformed file is one OnnxError naming the file and the
// tensor or node, never a crash.

// The most values one tensor may hold: far above LeNet-5's largest layer (120 x 256 at the
// widest shipped architecture), low enough that no product of checked counts overflows.
constexpr int64_t kMaxValues = int64_t(1) << 24;

std::string tensorWhat(const onnx::TensorProto& t) { return fmt::format("tensor '{}'", t.name()); }

// The element count of T's dims (each 0..kMaxValues), without overflow, at most kMaxValues.
std::size_t checkedCount(const onnx::TensorProto& t) {
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || d > kMaxValues)
      throw OnnxError(
          fmt::format("{}: dimension {} is not within 0..{}", tensorWhat(t), d, kMaxValues));
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxValues)
      throw OnnxError(fmt::format("{}: more than {} values", tensorWhat(t), kMaxValues));
  }
  return static_cast<std::size_t>(n);
}

// Refuses stored data that is not exactly what the shape and type say: N * BYTES raw bytes,
// or N typed values.
void checkData(const onnx::TensorProto& t, std::size_t n, std::size_t bytes, int typed) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw OnnxError(tensorWhat(t) + ": external data is not supported");
  if (!t.raw_data().empty()) {
    if (t.raw_data().size() != n * bytes)
      throw OnnxError(fmt::format("{}: raw data holds {} bytes, its shape and type need {}",
                                  tensorWhat(t), t.raw_data().size(), n * bytes));
  } else if (static_cast<std::size_t>(typed) != n) {
    throw OnnxError(
        fmt::format("{}: holds {} values, its shape needs {}", tensorWhat(t), typed, n));
  }
}

std::vector<float> floatValues(const onnx::TensorProto& t) {
  const std::size_t n = checkedCount(t);
  std::vector<float> v(n);
  const std::string& raw = t.raw_data();
  if (t.data_type() == onnx::TensorProto::FLOAT) {
    checkData(t, n, sizeof(float), t.float_data_size());
    if (!raw.empty()) {
      std::memcpy(v.data(), raw.data(), n * sizeof(float));
    } else {
      std::copy(t.float_data().begin(), t.float_data().end(), v.begin());
    }
  } else if (t.data_type() == onnx::TensorProto::INT8) {
    // ONNX keeps typed int8 values in int32_data.
    checkData(t, n, 1, t.int32_data_size());
    for (std::size_t i = 0; i < n; ++i) {
      const int32_t q = raw.empty() ? t.int32_data(static_cast<int>(i)) : int8_t(raw[i]);
      if (q < -128 || q > 127)
        throw OnnxError(fmt::format("{}: value {} is not an int8", tensorWhat(t), q));
      v[i] = static_cast<float>(q);
    }
  } else if (t.data_type() == onnx::TensorProto::INT32) {
    checkData(t, n, 4, t.int32_data_size());
    for (std::size_t i = 0; i < n; ++i) {
      int32_t q;
      if (raw.empty()) {
        q = t.int32_data(static_cast<int>(i));
      } else {
        std::memcpy(&q, raw.data() + 4 * i, 4);
      }
      v[i] = static_cast<float>(q);
    }
  } else {
    throw OnnxError(
        fmt::format("{}: unsupported tensor type {}", tensorWhat(t), int(t.data_type())));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(v[i]))
      throw OnnxError(fmt::format("{}: value {} is not finite", tensorWhat(t), i));
  }
  return v;
}

std::string nodeWhat(const onnx::NodeProto& n) {
  return fmt::format("node '{}' ({})", n.name(), n.op_type());
}

// A constant of the graph: an initializer, or DequantizeLinear of initializers,
// (x - zero point) * scale with one scale per row (axis 0) or one for all. DIMS gets its shape.
class Constants {
 public:
  explicit Constants(const onnx::GraphProto& g) {
    for (const auto& t : g.initializer()) m_init[t.name()] = &t;
    for (const auto& n : g.node()) {
      for (const auto& o : n.output()) m_producer[o] = &n;
    }
  }

  std::vector<float> get(const std::string& name, std::vector<int64_t>& dims) const {
    if (const onnx::TensorProto* t = initializer(name)) {
      std::vector<float> v = floatValues(*t);
      dims.assign(t->dims().begin(), t->dims().end());
      return v;
    }
    const auto p = m_producer.find(name);
    if (p == m_producer.end() || p->second->op_type() != "DequantizeLinear")
      throw OnnxError(fmt::format("'{}' is not a constant tensor", name));
    const onnx::NodeProto& dq = *p->second;
    const std::string what = nodeWhat(dq);
    if (dq.input_size() < 2 || dq.input_size() > 3)
      throw OnnxError(fmt::format("{}: {} inputs, 2 or 3 expected", what, dq.input_size()));
    for (const auto& a : dq.attribute()) {
      if (a.name() == "axis" && a.i() != 0)
        throw OnnxError(fmt::format("{}: axis {}, only 0 is supported", what, a.i()));
    }
    const onnx::TensorProto* x = initializer(dq.input(0));
    const onnx::TensorProto* s = initializer(dq.input(1));
    const bool hasZero = dq.input_size() == 3 && !dq.input(2).empty();
    const onnx::TensorProto* z = hasZero ? initializer(dq.input(2)) : nullptr;
    if (!x || !s || (hasZero && !z)) throw OnnxError(what + ": its inputs must be initializers");
    std::vector<float> v = floatValues(*x);
    dims.assign(x->dims().begin(), x->dims().end());
    if (s->data_type() != onnx::TensorProto::FLOAT)
      throw OnnxError(tensorWhat(*s) + ": the scale must be float");
    const std::vector<float> scale = floatValues(*s);
    std::vector<float> zp(scale.size(), 0.0f);
    if (z) zp = floatValues(*z);
    const std::size_t rows = scale.size();
    if (rows == 0) throw OnnxError(what + ": no scale");
    if (rows != 1 && (dims.empty() || static_cast<std::size_t>(dims[0]) != rows))
      throw OnnxError(
          fmt::format("{}: {} scales, neither 1 nor one per row of '{}'", what, rows, dq.input(0)));
    if (zp.size() != rows)
      throw OnnxError(fmt::format("{}: {} zero points for {} scales", what, zp.size(), rows));
    for (float f : scale) {
      if (!(f > 0)) throw OnnxError(fmt::format("{}: scale {} is not positive", what, f));
    }
    // rows is 1 or dims[0] (then v.size() is a multiple of it, possibly 0).
    const std::size_t per = rows == 1 ? v.size() : v.size() / rows;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::size_t r = rows == 1 ? 0 : i / per;
      v[i] = (v[i] - zp[r]) * scale[r];
    }
    return v;
  }

 private:
  const onnx::TensorProto* initializer(const std::string& name) const {
    const auto it = m_init.find(name);
    return it == m_init.end() ? nullptr : it->second;
  }

  std::map<std::string, const onnx::TensorProto*> m_init;
  std::map<std::string, const onnx::NodeProto*> m_producer;
};

// The model in FILE, read up to core::kMaxModelBytes.
onnx::ModelProto parseModel(const std::filesystem::path& file) {
  std::string bytes;
  try {
    bytes = core::readFileLimited(file, core::kMaxModelBytes, "ONNX model");
  } catch (const core::ConfigError& e) {
    throw OnnxError(e.what());
  }
  onnx::ModelProto model;
  bool parsed = false;
  try {
    parsed = model.ParseFromString(bytes);
  } catch (const std::exception&) {
    parsed = false;
  }
  if (!parsed) throw OnnxError(fmt::format("{}: not an ONNX model", file.string()));
  return model;
}

LeNet5 readLeNet5(const onnx::ModelProto& model) {
  const auto& g = model.graph();
  const Constants constants(g);
  std::vector<const onnx::NodeProto*> layers;
  for (const auto& n : g.node()) {
    if (n.op_type() == "Conv" || n.op_type() == "Gemm") layers.push_back(&n);
  }
  if (layers.size() != kLayers || layers[0]->op_type() != "Conv" ||
      layers[1]->op_type() != "Conv") {
    throw OnnxError("expected the layers Conv, Conv, Gemm, Gemm, Gemm");
  }
  std::array<std::vector<float>, kLayers> w, b;
  std::array<std::vector<int64_t>, kLayers> dims;
  for (std::size_t l = 0; l < kLayers; ++l) {
    const onnx::NodeProto& node = *layers[l];
    const std::string what = nodeWhat(node);
    if (node.input_size() < 3) throw OnnxError(what + ": no bias");
    if (node.op_type() == "Gemm") {
      bool transB = false;
      for (const auto& a : node.attribute()) {
        if (a.name() == "transB") transB = a.i() != 0;
      }
      if (!transB) throw OnnxError(what + ": needs transB=1");
    }
    try {
      w[l] = constants.get(node.input(1), dims[l]);
      std::vector<int64_t> biasDims;
      b[l] = constants.get(node.input(2), biasDims);
    } catch (const OnnxError& e) {
      throw OnnxError(fmt::format("{}: {}", what, e.what()));
    }
    // Output channels or units: what the architecture is read from.
    if (dims[l].size() < 2 || dims[l][0] < 1 || dims[l][0] > std::numeric_limits<int>::max())
      throw OnnxError(fmt::format("{}: weights of shape [{}], not [outputs, ...]", what,
                                  fmt::join(dims[l], ",")));
  }
  LeNet5 net;
  net.arch = {static_cast<int>(dims[0][0]), static_cast<int>(dims[1][0]),
              static_cast<int>(dims[2][0]), static_cast<int>(dims[3][0])};
  for (std::size_t l = 0; l < kLayers; ++l) {
    const std::vector<int64_t> want = weightDims(net.arch, static_cast<int>(l));
    if (dims[l] != want || b[l].size() != static_cast<std::size_t>(want[0])) {
      throw OnnxError(fmt::format(
          "{}: weights [{}] and {} biases do not chain as LeNet-5 (weights [{}], {} biases)",
          nodeWhat(*layers[l]), fmt::join(dims[l], ","), b[l].size(), fmt::join(want, ","),
          want[0]));
    }
    // dims == want: w[l] holds want[0] rows of the product of the other dimensions.
    const auto rows = static_cast<Eigen::Index>(want[0]);
    const auto cols = static_cast<Eigen::Index>(w[l].size()) / rows;
    net.W[l] = Eigen::Map<const RowMat>(w[l].data(), rows, cols);
    net.b[l] = Eigen::Map<const Vec>(b[l].data(), static_cast<Eigen::Index>(b[l].size()));
  }
  return net;
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
  const onnx::ModelProto model = parseModel(file);
  try {
    LeNet5 net = readLeNet5(model);
    if (metadata) {
      for (const auto& p : model.metadata_props()) (*metadata)[p.key()] = p.value();
    }
    return net;
  } catch (const OnnxError& e) {
    throw OnnxError(fmt::format("{}: {}", file.string(), e.what()));
  }
}

namespace {

// The ONNX graph name of a ConvNet family ("ds-cnn" -> "ds_cnn").
std::string graphName(const std::string& family) {
  std::string g = family;
  std::replace(g.begin(), g.end(), '-', '_');
  return g;
}

// The ConvNet's graph. PARAM(i) adds node i's weight and bias (returning their names), ACT(p,
// tensor) what quantization point p needs (returning the tensor to use).
template <class ParamFn, class ActFn>
void addConvNetLayers(onnx::GraphProto& g, const ConvNet& net, ParamFn param, ActFn act) {
  std::vector<std::string> name(net.nodes.size() + 1);
  name[0] = act(net.quantPoint[0], std::string("input"));
  for (std::size_t i = 0; i < net.nodes.size(); ++i) {
    const Node& n = net.nodes[i];
    const std::string& in = name[static_cast<std::size_t>(n.in)];
    std::string out = n.name + ".out";
    switch (n.op) {
      case NodeOp::Conv:
      case NodeOp::Depthwise: {
        const auto [w, b] = param(i);
        auto* conv = addNode(g, "Conv", n.name, {in, w, b}, out);
        addInts(conv, "kernel_shape", {n.k, n.k});
        addInts(conv, "strides", {n.stride, n.stride});
        addInts(conv, "pads", {n.pad, n.pad, n.pad, n.pad});
        if (n.op == NodeOp::Depthwise) addInt(conv, "group", net.W[i].rows());
        break;
      }
      case NodeOp::Relu:
        out = n.name;
        addNode(g, "Relu", n.name, {in}, out);
        break;
      case NodeOp::Gate:  // identity: the network is compact
        name[i + 1] = in;
        continue;
      case NodeOp::Add:
        addNode(g, "Add", n.name, {in, name[static_cast<std::size_t>(n.in2)]}, out);
        break;
      case NodeOp::Gap:
        addNode(g, "GlobalAveragePool", n.name, {in}, out);
        break;
      case NodeOp::Fc: {
        const auto [w, b] = param(i);
        addInt(addNode(g, "Flatten", n.name + ".flatten", {in}, n.name + ".flat"), "axis", 1);
        addInt(addNode(g, "Gemm", n.name, {n.name + ".flat", w, b}, out), "transB", 1);
        break;
      }
    }
    name[i + 1] = n.quant ? act(net.quantPoint[i + 1], out) : out;
  }
  addNode(g, "Identity", "output", {name.back()}, "logits");
}

std::vector<int64_t> convNetWeightDims(const ConvNet& net, std::size_t i) {
  const Node& n = net.nodes[i];
  const Mat& w = net.W[i];
  if (n.op == NodeOp::Fc) return {w.rows(), w.cols()};
  if (n.op == NodeOp::Depthwise) return {w.rows(), 1, n.k, n.k};
  return {w.rows(), w.cols() / (n.k * n.k), n.k, n.k};
}

void checkCompact(const ConvNet& net, const std::filesystem::path& out) {
  if (net.gated())
    throw OnnxError(fmt::format("{}: the network still has gates; compact it first", out.string()));
}

}  // namespace

void writeConvNetOnnx(const ConvNet& net, const std::filesystem::path& out,
                      const OnnxMetadata& metadata) {
  checkCompact(net, out);
  auto model = newModel(graphName(net.family), metadata, net.family);
  auto& g = *model.mutable_graph();
  addConvNetLayers(
      g, net,
      [&](std::size_t i) {
        const std::string n = net.nodes[i].name;
        addRowMajor(g, n + ".weight", convNetWeightDims(net, i), net.W[i]);
        addFloat(g, n + ".bias", {net.b[i].size()}, net.b[i].data(),
                 static_cast<std::size_t>(net.b[i].size()));
        return std::pair<std::string, std::string>(n + ".weight", n + ".bias");
      },
      [](int, const std::string& t) { return t; });
  writeAtomically(model, out);
}

void writeConvNetQdqOnnx(const ConvNet& net, const ConvNetInt8& q, const std::filesystem::path& out,
                         const OnnxMetadata& metadata) {
  checkCompact(net, out);
  auto model = newModel(graphName(net.family) + "_qdq", metadata, net.family);
  auto& g = *model.mutable_graph();
  addConvNetLayers(
      g, net,
      [&](std::size_t i) {
        const std::string n = net.nodes[i].name;
        const Eigen::Matrix<int8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> w =
            q.weight[i];
        const auto rows = static_cast<std::size_t>(w.rows());
        addTensor(g, n + ".weight_quantized", onnx::TensorProto::INT8, convNetWeightDims(net, i),
                  w.data(), static_cast<std::size_t>(w.size()));
        addFloat(g, n + ".weight_scale", {w.rows()}, q.weightScale[i].data(), rows);
        const std::vector<int8_t> zeros(rows, 0);
        addTensor(g, n + ".weight_zero_point", onnx::TensorProto::INT8, {w.rows()}, zeros.data(),
                  rows);
        addInt(addNode(g, "DequantizeLinear", n + ".weight_dq",
                       {n + ".weight_quantized", n + ".weight_scale", n + ".weight_zero_point"},
                       n + ".weight"),
               "axis", 0);
        const std::vector<int32_t> bias(q.bias[i].data(), q.bias[i].data() + q.bias[i].size());
        addTensor(g, n + ".bias_quantized", onnx::TensorProto::INT32, {w.rows()}, bias.data(),
                  rows);
        addFloat(g, n + ".bias_scale", {w.rows()}, q.biasScale[i].data(), rows);
        addInt(addNode(g, "DequantizeLinear", n + ".bias_dq",
                       {n + ".bias_quantized", n + ".bias_scale"}, n + ".bias"),
               "axis", 0);
        return std::pair<std::string, std::string>(n + ".weight", n + ".bias");
      },
      [&](int p, const std::string& t) {
        const std::string n = fmt::format("{}.act{}", t, p);
        const float scale = q.act[static_cast<std::size_t>(p)].scale;
        const auto zp = static_cast<int8_t>(q.act[static_cast<std::size_t>(p)].zeroPoint);
        addFloat(g, n + "_scale", {}, &scale, 1);
        addTensor(g, n + "_zero_point", onnx::TensorProto::INT8, {}, &zp, 1);
        addNode(g, "QuantizeLinear", n + ".quantize", {t, n + "_scale", n + "_zero_point"},
                n + ".q");
        addNode(g, "DequantizeLinear", n + ".dequantize",
                {n + ".q", n + "_scale", n + "_zero_point"}, n + ".dq");
        return n + ".dq";
      });
  writeAtomically(model, out);
}

std::string onnxFamily(const std::filesystem::path& file) {
  const onnx::ModelProto model = parseModel(file);
  std::string g = model.graph().name();
  if (g.size() > 4 && g.compare(g.size() - 4, 4, "_qdq") == 0) g.resize(g.size() - 4);
  std::replace(g.begin(), g.end(), '_', '-');
  return g;
}

ConvNet readConvNetOnnx(const std::filesystem::path& file, OnnxMetadata* metadata) {
  const onnx::ModelProto model = parseModel(file);
  try {
    std::string family = model.graph().name();
    if (family.size() > 4 && family.compare(family.size() - 4, 4, "_qdq") == 0)
      family.resize(family.size() - 4);
    std::replace(family.begin(), family.end(), '_', '-');
    if (family != "ds-cnn" && family != "resnet")
      throw OnnxError(
          fmt::format("graph '{}' is not a ds-cnn or resnet model", model.graph().name()));
    ConvNet net = makeConvNet(family);
    const Constants constants(model.graph());
    std::map<std::string, const onnx::NodeProto*> byName;
    for (const auto& n : model.graph().node()) byName[n.name()] = &n;
    for (std::size_t i = 0; i < net.nodes.size(); ++i) {
      const Node& n = net.nodes[i];
      if (n.op != NodeOp::Conv && n.op != NodeOp::Depthwise && n.op != NodeOp::Fc) continue;
      const auto it = byName.find(n.name);
      if (it == byName.end() || it->second->input_size() < 3)
        throw OnnxError(fmt::format("no layer '{}' with weight and bias", n.name));
      const onnx::NodeProto& node = *it->second;
      std::vector<int64_t> dims, biasDims;
      std::vector<float> w, b;
      try {
        w = constants.get(node.input(1), dims);
        b = constants.get(node.input(2), biasDims);
      } catch (const OnnxError& e) {
        throw OnnxError(fmt::format("{}: {}", nodeWhat(node), e.what()));
      }
      const int cin = net.width[static_cast<std::size_t>(net.inputSpace(static_cast<int>(i)))];
      if (dims.empty() || dims[0] < 1 || dims[0] > 4096)
        throw OnnxError(nodeWhat(node) + ": weights not of shape [outputs, ...]");
      if (n.op != NodeOp::Depthwise) net.width[static_cast<std::size_t>(n.space)] = int(dims[0]);
      const std::vector<int64_t> want = n.op == NodeOp::Fc ? std::vector<int64_t>{dims[0], cin}
                                        : n.op == NodeOp::Depthwise
                                            ? std::vector<int64_t>{cin, 1, n.k, n.k}
                                            : std::vector<int64_t>{dims[0], cin, n.k, n.k};
      if (dims != want || b.size() != static_cast<std::size_t>(want[0]))
        throw OnnxError(fmt::format("{}: weights [{}] and {} biases do not chain (want [{}])",
                                    nodeWhat(node), fmt::join(dims, ","), b.size(),
                                    fmt::join(want, ",")));
      const auto rows = static_cast<Eigen::Index>(want[0]);
      net.W[i] =
          Eigen::Map<const RowMat>(w.data(), rows, static_cast<Eigen::Index>(w.size()) / rows);
      net.b[i] = Eigen::Map<const Vec>(b.data(), static_cast<Eigen::Index>(b.size()));
    }
    if (metadata) {
      for (const auto& p : model.metadata_props()) (*metadata)[p.key()] = p.value();
    }
    return net;
  } catch (const OnnxError& e) {
    throw OnnxError(fmt::format("{}: {}", file.string(), e.what()));
  }
}

}  // namespace ej::train
