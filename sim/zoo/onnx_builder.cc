#include "sim/zoo/onnx_builder.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <stdexcept>

namespace ej::zoo {
namespace {

void shape(onnx::ValueInfoProto* v, const std::string& name,
           const std::vector<std::int64_t>& dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
}

onnx::AttributeProto& attribute(onnx::NodeProto& n, const std::string& name,
                                onnx::AttributeProto::AttributeType type) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(type);
  return *a;
}

}  // namespace

OnnxBuilder::OnnxBuilder(const std::string& graphName, const std::string& input,
                         const std::vector<std::int64_t>& dims) {
  m_model.set_ir_version(7);
  m_model.set_producer_name("edgejoule");
  auto* opset = m_model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  m_model.mutable_graph()->set_name(graphName);
  shape(m_model.mutable_graph()->add_input(), input, dims);
}

std::string OnnxBuilder::floats(const std::string& name, const std::vector<std::int64_t>& dims,
                                const std::vector<float>& values) {
  auto* t = m_model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4));
  return name;
}

std::string OnnxBuilder::int8s(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<std::int8_t>& values) {
  auto* t = m_model.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::INT8);
  for (auto d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size()));
  return name;
}

std::string OnnxBuilder::int8Weights(const std::string& name, const std::vector<std::int64_t>& dims,
                                     const std::vector<std::int8_t>& q,
                                     const std::vector<float>& scales) {
  int8s(name + "_q", dims, q);
  floats(name + "_scale", {std::int64_t(scales.size())}, scales);
  int8s(name + "_zp", {std::int64_t(scales.size())}, std::vector<std::int8_t>(scales.size(), 0));
  auto& n = node("DequantizeLinear", name, {name + "_q", name + "_scale", name + "_zp"});
  integer(n, "axis", 0);
  return name;
}

onnx::NodeProto& OnnxBuilder::node(const std::string& op, const std::string& name,
                                   const std::vector<std::string>& in, const std::string& domain) {
  auto* n = m_model.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name);
  if (!domain.empty()) {
    n->set_domain(domain);
    bool known = false;
    for (const auto& o : m_model.opset_import()) known |= o.domain() == domain;
    if (!known) {
      auto* opset = m_model.add_opset_import();
      opset->set_domain(domain);
      opset->set_version(1);
    }
  }
  for (const auto& i : in) n->add_input(i);
  n->add_output(name);
  return *n;
}

void OnnxBuilder::ints(onnx::NodeProto& n, const std::string& attr,
                       const std::vector<std::int64_t>& v) {
  auto& a = attribute(n, attr, onnx::AttributeProto::INTS);
  for (auto x : v) a.add_ints(x);
}
void OnnxBuilder::integer(onnx::NodeProto& n, const std::string& attr, std::int64_t v) {
  attribute(n, attr, onnx::AttributeProto::INT).set_i(v);
}
void OnnxBuilder::real(onnx::NodeProto& n, const std::string& attr, float v) {
  attribute(n, attr, onnx::AttributeProto::FLOAT).set_f(v);
}
void OnnxBuilder::text(onnx::NodeProto& n, const std::string& attr, const std::string& v) {
  attribute(n, attr, onnx::AttributeProto::STRING).set_s(v);
}

void OnnxBuilder::metadata(const std::string& key, const std::string& value) {
  auto* p = m_model.add_metadata_props();
  p->set_key(key);
  p->set_value(value);
}

onnx::ModelProto OnnxBuilder::finish(const std::string& value,
                                     const std::vector<std::int64_t>& dims) {
  shape(m_model.mutable_graph()->add_output(), value, dims);
  return m_model;
}

void writeModel(const onnx::ModelProto& model, const std::filesystem::path& file) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out || !model.SerializeToOstream(&out))
      throw std::runtime_error(file.string() + ": cannot write the model");
  }
  std::filesystem::rename(tmp, file);
}

Int8Tensor heUniformInt8(data::SplitMix64& rng, std::size_t n, std::size_t per, int fanIn) {
  Int8Tensor t;
  t.q.resize(n);
  for (auto& x : t.q) x = std::int8_t(std::int64_t(rng.below(255)) - 127);
  for (std::size_t c = 0; c < n / per; ++c) {
    t.q[c * per + rng.below(per)] = rng.below(2) ? 127 : -127;
    t.scales.push_back(float(std::sqrt(6.0 / fanIn) / 127.0));
  }
  return t;
}

}  // namespace ej::zoo
