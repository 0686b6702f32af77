// The malformed-model corpus: mutations of well-formed models; see malformed_corpus.h.
#include "tests/nn/malformed_corpus.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>

#include "sim/nn/graph.h"
#include "sim/nn/onnx_import.h"
#include "tests/nn/lenet_fixture.h"

namespace ej::nn::testing {
namespace {
namespace fs = std::filesystem;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t k2to31 = std::int64_t(1) << 31;
constexpr std::int64_t k2to32 = std::int64_t(1) << 32;
constexpr std::int64_t k2to40 = std::int64_t(1) << 40;

std::string nodeName(const onnx::NodeProto& n) {
  return n.name().empty() ? (n.output_size() ? n.output(0) : std::string("?")) : n.name();
}

onnx::AttributeProto* findAttr(onnx::NodeProto* n, const std::string& name) {
  for (auto& a : *n->mutable_attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

void setInts(onnx::NodeProto* n, const std::string& name, const std::vector<std::int64_t>& v) {
  onnx::AttributeProto* a = findAttr(n, name);
  if (!a) {
    a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
  }
  a->clear_ints();
  for (auto x : v) a->add_ints(x);
}

void setInt(onnx::NodeProto* n, const std::string& name, std::int64_t v) {
  onnx::AttributeProto* a = findAttr(n, name);
  if (!a) {
    a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
  }
  a->set_i(v);
}

void setFloat(onnx::NodeProto* n, const std::string& name, float v) {
  onnx::AttributeProto* a = findAttr(n, name);
  if (!a) {
    a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
  }
  a->set_f(v);
}

const onnx::TensorProto* initializer(const onnx::GraphProto& g, const std::string& name) {
  for (const auto& t : g.initializer()) {
    if (t.name() == name) return &t;
  }
  return nullptr;
}

std::size_t elementBytes(int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
      return 4;
    case onnx::TensorProto::INT64:
      return 8;
    default:
      return 1;
  }
}

// Collects cases from one base model.
class Mutator {
 public:
  Mutator(const onnx::ModelProto& base, std::string name, std::vector<MalformedCase>& out)
      : m_base(base), m_name(std::move(name)), m_out(out) {}

  void run() {
    add("unchanged", true, "", [](onnx::ModelProto&) {});
    const auto& g = m_base.graph();
    for (int i = 0; i < g.node_size(); ++i) nodeCases(i);
    for (int i = 0; i < g.initializer_size(); ++i) {
      tensorCases(g.initializer(i).name(),
                  [i](onnx::ModelProto& m) { return m.mutable_graph()->mutable_initializer(i); });
    }
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& n = g.node(i);
      if (n.op_type() != "Constant" || n.attribute_size() == 0) continue;
      for (int a = 0; a < n.attribute_size(); ++a) {
        if (n.attribute(a).name() != "value") continue;
        tensorCases(nodeName(n), [i, a](onnx::ModelProto& m) {
          return m.mutable_graph()->mutable_node(i)->mutable_attribute(a)->mutable_t();
        });
      }
    }
    inputCases();
    add("graph output renamed to a value nobody computes", false, "output",
        [](onnx::ModelProto& m) {
          m.mutable_graph()->mutable_output(0)->set_name("no_such_value");
        });
  }

 private:
  void add(const std::string& what, bool valid, const std::string& culprit,
           const std::function<void(onnx::ModelProto&)>& mutate) {
    MalformedCase c;
    c.label = fmt::format("{}: {}", m_name, what);
    c.model = m_base;
    mutate(c.model);
    c.valid = valid;
    c.culprit = culprit;
    m_out.push_back(std::move(c));
  }

  // The window attributes of Conv, pools and QLinearConv; group, auto_pad; Gemm's flags;
  // axes; and unwiring.
  void nodeCases(int i) {
    const onnx::NodeProto& n = m_base.graph().node(i);
    const std::string name = nodeName(n);
    const std::string op = n.op_type();
    auto node = [i](onnx::ModelProto& m) { return m.mutable_graph()->mutable_node(i); };
    const bool conv = op == "Conv" || op == "QLinearConv";
    if (conv || op == "MaxPool" || op == "AveragePool") {
      std::vector<std::int64_t> kernel{1, 1};
      if (const auto* a = findAttr(const_cast<onnx::NodeProto*>(&n), "kernel_shape"))
        kernel.assign(a->ints().begin(), a->ints().end());
      if (conv) {
        const auto* w = initializer(m_base.graph(), n.input(op == "Conv" ? 1 : 3));
        if (w && w->dims_size() == 4) kernel = {w->dims(2), w->dims(3)};
      }
      struct Window {
        const char* attr;
        std::vector<std::int64_t> current;
        std::vector<std::int64_t> bad;
      };
      const std::vector<std::int64_t> ownPads = [&] {
        const auto* a = findAttr(const_cast<onnx::NodeProto*>(&n), "pads");
        return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end())
                 : std::vector<std::int64_t>{0, 0, 0, 0};
      }();
      const std::vector<std::int64_t> ownStrides = [&] {
        const auto* a = findAttr(const_cast<onnx::NodeProto*>(&n), "strides");
        return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end())
                 : std::vector<std::int64_t>{1, 1};
      }();
      std::vector<Window> windows{
          {"strides", ownStrides, {0, -1, -7, k2to31, k2to40, kMax, kMin}},
          {"kernel_shape", kernel, {0, -1, -5, k2to31, k2to32 + kernel[0], kMax, kMin}},
          {"pads", ownPads, {-1, -3, k2to31, k2to40, kMax, kMin}},
          {"dilations", {1, 1}, {0, -1, 2, k2to31, kMin}},
      };
      for (const auto& w : windows) {
        if (w.current.empty()) continue;
        for (std::size_t e = 0; e < w.current.size(); ++e) {
          for (const auto v : w.bad) {
            auto values = w.current;
            values[e] = v;
            add(fmt::format("node {}: {}[{}] = {}", name, w.attr, e, v), false, name,
                [&](onnx::ModelProto& m) { setInts(node(m), w.attr, values); });
          }
        }
        auto shorter = w.current;
        shorter.pop_back();
        add(fmt::format("node {}: {} with {} values", name, w.attr, shorter.size()), false, name,
            [&](onnx::ModelProto& m) { setInts(node(m), w.attr, shorter); });
        auto longer = w.current;
        longer.push_back(1);
        add(fmt::format("node {}: {} with {} values", name, w.attr, longer.size()), false, name,
            [&](onnx::ModelProto& m) { setInts(node(m), w.attr, longer); });
        // Control: the value it has (or its default) given explicitly.
        add(fmt::format("node {}: {} given explicitly", name, w.attr), true, "",
            [&](onnx::ModelProto& m) { setInts(node(m), w.attr, w.current); });
      }
      if (conv) {
        // A kernel_shape that disagrees with the weights (the heap overflow in conv).
        for (std::size_t e = 0; e < 2; ++e) {
          auto values = kernel;
          values[e] += 1;
          add(fmt::format("node {}: kernel_shape[{}] one more than the weights'", name, e), false,
              name, [&](onnx::ModelProto& m) { setInts(node(m), "kernel_shape", values); });
        }
        for (const auto v :
             {std::int64_t(0), std::int64_t(-1), std::int64_t(7), k2to31, kMax, kMin}) {
          add(fmt::format("node {}: group = {}", name, v), false, name,
              [&](onnx::ModelProto& m) { setInt(node(m), "group", v); });
        }
        add(fmt::format("node {}: group = 1 given explicitly", name), true, "",
            [&](onnx::ModelProto& m) { setInt(node(m), "group", 1); });
      }
      // auto_pad is supported (SAME_UPPER, SAME_LOWER, VALID; shapes then follow from it), so
      // the malformed case is a value ONNX does not define.
      add(fmt::format("node {}: auto_pad = SAME_MIDDLE", name), false, name,
          [&](onnx::ModelProto& m) {
            auto* a = node(m)->add_attribute();
            a->set_name("auto_pad");
            a->set_type(onnx::AttributeProto::STRING);
            a->set_s("SAME_MIDDLE");
          });
      if (!conv) {
        add(fmt::format("node {}: ceil_mode = 1 (not supported)", name), false, name,
            [&](onnx::ModelProto& m) { setInt(node(m), "ceil_mode", 1); });
      }
    }
    if (op == "Gemm") {
      add(fmt::format("node {}: transA = 1", name), false, name,
          [&](onnx::ModelProto& m) { setInt(node(m), "transA", 1); });
      for (const char* attr : {"alpha", "beta"}) {
        for (const float v : {std::nanf(""), INFINITY, -INFINITY}) {
          add(fmt::format("node {}: {} = {}", name, attr, v), false, name,
              [&](onnx::ModelProto& m) { setFloat(node(m), attr, v); });
        }
      }
    }
    if (op == "Flatten" || op == "Softmax") {
      for (const auto v :
           {std::int64_t(0), std::int64_t(2), std::int64_t(7), std::int64_t(-9), kMax, kMin}) {
        add(fmt::format("node {}: axis = {} (not supported)", name, v), false, name,
            [&](onnx::ModelProto& m) { setInt(node(m), "axis", v); });
      }
    }
    if (op == "Clip" || op == "Relu") {
      add(fmt::format("node {}: Clip min above max", name), false, name, [&](onnx::ModelProto& m) {
        auto* nn = node(m);
        nn->set_op_type("Clip");
        nn->mutable_input()->DeleteSubrange(1, nn->input_size() - 1);
        setFloat(nn, "min", 6.0f);
        setFloat(nn, "max", 0.0f);
      });
    }
    if (op == "Reshape") reshapeCases(i);
    if (op == "QuantizeLinear" || op == "DequantizeLinear" || op == "QLinearConv" ||
        op == "QLinearMatMul") {
      quantCases(i);
    }
    // Unwiring.
    // An unnamed node without outputs can only be named by its operator.
    add(fmt::format("node {}: no outputs", name), false, n.name().empty() ? "(" + op + ")" : name,
        [&](onnx::ModelProto& m) { node(m)->clear_output(); });
    add(fmt::format("node {}: input 0 names no value", name), false, name,
        [&](onnx::ModelProto& m) { node(m)->set_input(0, "no_such_value"); });
    add(fmt::format("node {}: unknown operator", name), false, name,
        [&](onnx::ModelProto& m) { node(m)->set_op_type("Frobnicate"); });
    add(fmt::format("node {}: foreign domain", name), false, name,
        [&](onnx::ModelProto& m) { node(m)->set_domain("com.example"); });
  }

  // Reshape targets: two -1, below -1, huge, a size that differs, a batch other than 1.
  void reshapeCases(int i) {
    const onnx::NodeProto& n = m_base.graph().node(i);
    if (n.input_size() < 2) return;
    int at = -1;
    for (int t = 0; t < m_base.graph().initializer_size(); ++t) {
      if (m_base.graph().initializer(t).name() == n.input(1)) at = t;
    }
    if (at < 0) return;
    const std::vector<std::vector<std::int64_t>> targets{
        {1, -1, -1}, {1, -2}, {1, k2to40}, {1, 7}, {2, -1}, {1, kMax}, {1, kMin}, {-1, -1}};
    for (const auto& target : targets) {
      add(fmt::format("node {}: Reshape target [{}]", nodeName(n), fmt::join(target, ", ")), false,
          nodeName(n), [&](onnx::ModelProto& m) {
            auto* t = m.mutable_graph()->mutable_initializer(at);
            t->clear_dims();
            t->add_dims(std::int64_t(target.size()));
            t->clear_raw_data();
            t->clear_int64_data();
            for (auto v : target) t->add_int64_data(v);
          });
    }
  }

  // Scales of 0 or below and zero points of the wrong count, on the node that uses them.
  void quantCases(int i) {
    const onnx::NodeProto& n = m_base.graph().node(i);
    const std::string op = n.op_type();
    const std::vector<std::pair<int, int>> scaleZp =
        op == "QLinearConv" || op == "QLinearMatMul"
            ? std::vector<std::pair<int, int>>{{1, 2}, {4, 5}, {6, 7}}
            : std::vector<std::pair<int, int>>{{1, 2}};
    for (const auto& pair : scaleZp) {
      const int scaleIn = pair.first, zpIn = pair.second;
      if (scaleIn >= n.input_size()) continue;
      const std::string scaleName = n.input(scaleIn);
      for (const float v : {0.0f, -1.0f}) {
        add(fmt::format("node {}: scale '{}' = {}", nodeName(n), scaleName, v), false, nodeName(n),
            [&](onnx::ModelProto& m) {
              // A fresh tensor, so that other nodes sharing the scale are untouched.
              auto* t = m.mutable_graph()->add_initializer();
              t->set_name(scaleName + "_mutated");
              t->set_data_type(onnx::TensorProto::FLOAT);
              t->add_float_data(v);
              m.mutable_graph()->mutable_node(i)->set_input(scaleIn, t->name());
            });
      }
      if (zpIn >= n.input_size()) continue;
      const auto* zp = initializer(m_base.graph(), n.input(zpIn));
      const auto* scale = initializer(m_base.graph(), scaleName);
      if (!zp || !scale) continue;
      add(fmt::format("node {}: 3 zero points for the scale '{}'", nodeName(n), scaleName), false,
          nodeName(n), [&](onnx::ModelProto& m) {
            auto* t = m.mutable_graph()->add_initializer();
            t->set_name(n.input(zpIn) + "_mutated");
            t->set_data_type(zp->data_type());
            t->add_dims(3);
            for (int k = 0; k < 3; ++k) t->add_int32_data(0);
            m.mutable_graph()->mutable_node(i)->set_input(zpIn, t->name());
          });
    }
  }

  // Data short and long, dims broken, type changed, non-finite values, external data.
  void tensorCases(const std::string& tensorName,
                   const std::function<onnx::TensorProto*(onnx::ModelProto&)>& tensor) {
    onnx::ModelProto copy = m_base;
    const onnx::TensorProto t = *tensor(copy);
    const std::string who = fmt::format("tensor {}", tensorName);
    const std::string& culprit = tensorName;
    std::int64_t n = 1;
    for (auto d : t.dims()) n *= d;
    const std::size_t bytes = elementBytes(t.data_type());
    if (!t.raw_data().empty()) {
      const std::size_t size = t.raw_data().size();
      for (const long delta : {-1L, -long(size / 2), 1L, long(bytes), long(size)}) {
        if (delta == 0 || long(size) + delta < 0) continue;
        add(fmt::format("{}: raw data {} bytes instead of {}", who, long(size) + delta, size),
            false, culprit, [&](onnx::ModelProto& m) {
              std::string raw = t.raw_data();
              raw.resize(std::size_t(long(size) + delta), '\x01');
              tensor(m)->set_raw_data(raw);
            });
      }
    } else if (n > 0) {
      add(fmt::format("{}: one value fewer", who), false, culprit, [&](onnx::ModelProto& m) {
        auto* x = tensor(m);
        if (x->float_data_size()) x->mutable_float_data()->RemoveLast();
        if (x->int64_data_size()) x->mutable_int64_data()->RemoveLast();
        if (x->int32_data_size()) x->mutable_int32_data()->RemoveLast();
      });
      add(fmt::format("{}: one value more", who), false, culprit, [&](onnx::ModelProto& m) {
        auto* x = tensor(m);
        if (x->float_data_size()) x->add_float_data(0.5f);
        if (x->int64_data_size()) x->add_int64_data(1);
        if (x->int32_data_size()) x->add_int32_data(1);
      });
    }
    if (n > 0) {
      for (int i = 0; i < t.dims_size(); ++i) {
        const std::int64_t d = t.dims(i);
        for (const std::int64_t v :
             {std::int64_t(0), std::int64_t(-1), -d, d * 2, k2to32 + d, kMax, kMin}) {
          if (v == d) continue;
          add(fmt::format("{}: dims[{}] = {} instead of {}", who, i, v, d), false, culprit,
              [&](onnx::ModelProto& m) { tensor(m)->set_dims(i, v); });
        }
      }
      add(fmt::format("{}: an extra dimension of 3", who), false, culprit,
          [&](onnx::ModelProto& m) { tensor(m)->add_dims(3); });
    }
    for (const int type :
         {0, int(onnx::TensorProto::DOUBLE), 999,
          t.data_type() == onnx::TensorProto::INT64 ? int(onnx::TensorProto::FLOAT)
                                                    : int(onnx::TensorProto::INT64)}) {
      if (n == 0) break;
      add(fmt::format("{}: data type {} instead of {}", who, type, t.data_type()), false, culprit,
          [&](onnx::ModelProto& m) { tensor(m)->set_data_type(type); });
    }
    if (t.data_type() == onnx::TensorProto::FLOAT && n > 0) {
      for (const float v : {std::nanf(""), INFINITY, -INFINITY}) {
        add(fmt::format("{}: value 0 = {}", who, v), false, culprit, [&](onnx::ModelProto& m) {
          auto* x = tensor(m);
          if (!x->raw_data().empty()) {
            std::string raw = x->raw_data();
            std::memcpy(raw.data(), &v, 4);
            x->set_raw_data(raw);
          } else {
            x->set_float_data(0, v);
          }
        });
      }
    }
    add(fmt::format("{}: external data", who), false, culprit,
        [&](onnx::ModelProto& m) { tensor(m)->set_data_location(onnx::TensorProto::EXTERNAL); });
  }

  // The graph input: each dim zero, negative, huge (2^32 + d reads as d in 32 bits),
  // symbolic; batch 2; rank 3 and 5.
  void inputCases() {
    const auto& g = m_base.graph();
    int at = -1;
    for (int i = 0; i < g.input_size() && at < 0; ++i) {
      if (!initializer(g, g.input(i).name())) at = i;
    }
    if (at < 0) return;
    const auto& in = g.input(at);
    const std::string who = fmt::format("input {}", in.name());
    auto shape = [at](onnx::ModelProto& m) {
      return m.mutable_graph()
          ->mutable_input(at)
          ->mutable_type()
          ->mutable_tensor_type()
          ->mutable_shape();
    };
    const auto& dims = in.type().tensor_type().shape().dim();
    for (int i = 0; i < dims.size(); ++i) {
      const std::int64_t d = dims[i].has_dim_value() ? dims[i].dim_value() : 1;
      for (const std::int64_t v : {std::int64_t(0), std::int64_t(-1), k2to32 + d, kMax, kMin}) {
        add(fmt::format("{}: dims[{}] = {}", who, i, v), false, in.name(),
            [&](onnx::ModelProto& m) { shape(m)->mutable_dim(i)->set_dim_value(v); });
      }
      if (i > 0) {
        add(fmt::format("{}: dims[{}] symbolic", who, i), false, in.name(),
            [&](onnx::ModelProto& m) { shape(m)->mutable_dim(i)->set_dim_param("n"); });
      }
    }
    add(fmt::format("{}: batch 2", who), false, in.name(),
        [&](onnx::ModelProto& m) { shape(m)->mutable_dim(0)->set_dim_value(2); });
    add(fmt::format("{}: one dimension fewer", who), false, in.name(),
        [&](onnx::ModelProto& m) { shape(m)->mutable_dim()->RemoveLast(); });
    add(fmt::format("{}: one dimension more", who), false, in.name(),
        [&](onnx::ModelProto& m) { shape(m)->add_dim()->set_dim_value(1); });
  }

  const onnx::ModelProto& m_base;
  std::string m_name;
  std::vector<MalformedCase>& m_out;
};

onnx::ModelProto load(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  onnx::ModelProto m;
  if (!m.ParseFromIstream(&in)) throw std::runtime_error(file.string() + ": cannot read");
  return m;
}

}  // namespace

std::vector<MalformedCase> malformedCases(const onnx::ModelProto& base, const std::string& name) {
  std::vector<MalformedCase> out;
  Mutator(base, name, out).run();
  return out;
}

std::vector<MalformedCase> malformedCorpus() {
  std::vector<MalformedCase> all;
  auto append = [&](const onnx::ModelProto& m, const std::string& name) {
    auto cases = malformedCases(m, name);
    for (auto& c : cases) all.push_back(std::move(c));
  };
  const fs::path models = fs::path(EJ_SOURCE_DIR) / "models";
  // Float (raw data), QDQ/QLinear int8, and the fixtures (typed data, Softmax).
  for (const char* file : {"lenet5-s-13x.onnx", "lenet5-s-13x-int8.onnx", "lenet5-s-88x.onnx"})
    append(load(models / file), file);
  LenetOptions withSoftmax;
  withSoftmax.softmax = true;
  append(makeLenet(withSoftmax), "fixture lenet+softmax");
  return all;
}

CorpusResult runCorpus(const std::vector<MalformedCase>& corpus) {
  CorpusResult r;
  const fs::path dir = fs::temp_directory_path() / fmt::format("ej_corpus_{}", ::getpid());
  fs::create_directories(dir);
  const fs::path file = dir / "case.onnx";
  for (const auto& c : corpus) {
    ++r.models;
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      c.model.SerializeToOstream(&out);
    }
    std::string error;
    try {
      const Graph g = importOnnx(file);
      // What calibration runs first: the float reference, on one input.
      runFloat(g, std::vector<float>(std::size_t(g.shapes[std::size_t(g.input)].size()), 0.5f));
    } catch (const ModelError& e) {
      error = e.what();
      if (error.empty()) error = "?";
    }
    if (error.empty()) {
      if (c.valid) {
        ++r.validAccepted;
      } else {
        ++r.silentAcceptances;
        r.failures.push_back("accepted: " + c.label);
      }
    } else if (c.valid) {
      ++r.validRefused;
      r.failures.push_back("refused although valid: " + c.label + " -> " + error);
    } else if (error.find(c.culprit) == std::string::npos || error.size() > 400) {
      ++r.refusedUnnamed;
      r.failures.push_back("refusal does not name '" + c.culprit + "': " + c.label + " -> " +
                           error.substr(0, 400));
    } else {
      ++r.refused;
    }
  }
  fs::remove_all(dir);
  return r;
}

}  // namespace ej::nn::testing
