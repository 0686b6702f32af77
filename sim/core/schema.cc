// JSON Schema and Markdown from the keys the readers read; see schema.h.
#include "sim/core/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace ej::core {
namespace {

using nlohmann::json;

template <class T>
void addUnique(std::vector<T>& list, const T& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

std::string parentOf(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}

std::string lastOf(const std::string& path) {
  const auto dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

// List indices become [] ("node.jobs.0.for" -> "node.jobs[].for").
std::string withoutIndices(const std::string& path) {
  std::string result;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? dot : dot - start);
    const bool index = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    if (index) {
      result += "[]";
    } else {
      if (!result.empty()) result += ".";
      result += part;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return result;
}

std::string regexEscape(const std::string& text) {
  std::string result;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}/").find(c) != std::string_view::npos) result += '\\';
    result += c;
  }
  return result;
}

const char* kDepends = "(depends on other keys)";

const char* kNumber = R"([0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?|\.[0-9]+([eE][-+]?[0-9]+)?)";

std::string quantityPattern(Dimension dimension, Range range) {
  std::vector<std::string> units;
  for (const auto& unit : unitSymbols(dimension)) units.push_back(regexEscape(unit));
  // Longer symbols first, so that a regex engine without backtracking into the
  // alternation still finds "mAh" before "mA".
  std::sort(units.begin(), units.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  const std::string sign = range == Range::Any ? "[-+]?" : "\\+?";
  return fmt::format("^\\s*{}({})\\s*({})\\s*$", sign, kNumber, fmt::join(units, "|"));
}

std::string unitList(Dimension dimension) {
  switch (dimension) {
    case Dimension::Current:
      return "A, mA, uA";
    case Dimension::Voltage:
      return "V, mV";
    case Dimension::Resistance:
      return "Ohm, mOhm";
    case Dimension::Charge:
      return "mAh, Ah, C";
    case Dimension::Energy:
      return "J, mJ, Wh";
    case Dimension::Power:
      return "W, mW, uW";
    case Dimension::Time:
      return "s, ms, min, h, d, y";
    case Dimension::Frequency:
      return "Hz, kHz, MHz, /s, /min, /h, /d";
    case Dimension::Angle:
      return "deg, rad";
    case Dimension::Temperature:
      return "degC, K";
    case Dimension::Length:
      return "m, cm, mm";
    case Dimension::Area:
      return "m2, cm2, mm2";
    case Dimension::Irradiance:
      return "W/m2";
    case Dimension::InsolationPerArea:
      return "kWh/m2, Wh/m2, MJ/m2";
    case Dimension::PowerLevel:
      return "dBm";
    case Dimension::Ratio:
      return "0.9 or 90 %";
  }
  return "";
}

std::string dimensionName(Dimension dimension) {
  switch (dimension) {
    case Dimension::Ratio:
      return "ratio";
    case Dimension::Current:
      return "current";
    case Dimension::Voltage:
      return "voltage";
    case Dimension::Resistance:
      return "resistance";
    case Dimension::Charge:
      return "charge";
    case Dimension::Energy:
      return "energy";
    case Dimension::Power:
      return "power";
    case Dimension::Time:
      return "duration";
    case Dimension::Frequency:
      return "frequency or rate";
    case Dimension::Angle:
      return "angle";
    case Dimension::Temperature:
      return "temperature";
    case Dimension::Length:
      return "length";
    case Dimension::Area:
      return "area";
    case Dimension::Irradiance:
      return "irradiance";
    case Dimension::InsolationPerArea:
      return "insolation";
    case Dimension::PowerLevel:
      return "power level";
  }
  return "";
}

std::string rangeText(Range range) {
  switch (range) {
    case Range::Any:
      return "";
    case Range::NonNegative:
      return ", >= 0";
    case Range::Positive:
      return ", > 0";
    case Range::Fraction:
      return ", 0..1";
  }
  return "";
}

const std::vector<std::string>& documentationKeys() {
  static const std::vector<std::string> keys{"source", "notes", "description", "name", "datasheet"};
  return keys;
}

json documentationProperties() {
  json props = json::object();
  for (const auto& key : documentationKeys()) {
    props[key] = {{"description", "documentation, accepted anywhere"}};
  }
  return props;
}

json leafCore(const std::string& kind, const SchemaKey& key, Dimension dimension) {
  // A ratio read as a quantity is written like a number: 0.01 or 1 %.
  if (kind == "quantity" && dimension == Dimension::Ratio)
    return leafCore("number", key, dimension);
  if (kind == "quantity") {
    return {{"type", "string"}, {"pattern", quantityPattern(dimension, key.range)}};
  }
  if (kind == "number") {
    json number = {{"type", "number"}};
    if (key.range == Range::NonNegative || key.range == Range::Fraction) number["minimum"] = 0;
    if (key.range == Range::Positive) number["exclusiveMinimum"] = 0;
    if (key.range == Range::Fraction) number["maximum"] = 1;
    return {
        {"anyOf",
         {number,
          {{"type", "string"}, {"pattern", fmt::format("^\\s*[-+]?({})\\s*%?\\s*$", kNumber)}}}}};
  }
  if (kind == "dbm")
    return {{"type", "string"}, {"pattern", quantityPattern(dimension, key.range)}};
  if (kind == "integer") {
    return {{"type", "integer"}, {"minimum", key.min}, {"maximum", key.max}};
  }
  if (kind == "flag") {
    return {{"anyOf", {{{"type", "boolean"}}, {{"enum", {"yes", "no", "on", "off"}}}}}};
  }
  if (kind == "choice") return {{"enum", key.allowed}};
  if (kind == "texts") {
    const json item = {{"type", json::array({"string", "number"})}};
    return {{"anyOf", {item, {{"type", "array"}, {"items", item}}}}};
  }
  return {{"type", json::array({"string", "number"})}};  // text, file
}

// A value may always be written {value: ..., source: "..."}.
json sourced(const json& core) {
  json props = documentationProperties();
  props["value"] = core;
  return {{"anyOf",
           {core,
            {{"type", "object"},
             {"properties", props},
             {"required", {"value"}},
             {"additionalProperties", false}}}}};
}

std::string describeKey(const SchemaKey& key) {
  std::string text = typeText(key);
  if (key.fallback) text += fmt::format("; default {}", *key.fallback);
  if (key.required) text += "; required (unless a `part:` gives it)";
  return text;
}

struct Tree {
  const SchemaKey* key = nullptr;
  std::vector<std::string> order;
  std::map<std::string, Tree> children;
};

json schemaOf(const Tree& tree);

json objectOf(const Tree& tree, bool freeNames) {
  json props = documentationProperties();
  props["part"] = {
      {"type", "string"},
      {"description", "a part file (hw/<kind>/<file>.yaml) whose keys this mapping layers over"}};
  std::vector<std::string> required;
  json extra = false;
  for (const auto& name : tree.order) {
    const Tree& child = tree.children.at(name);
    if (name == "[]") continue;
    if (name == "*") {
      extra = schemaOf(child);
      continue;
    }
    props[name] = schemaOf(child);
    if (child.key && child.key->required) required.push_back(name);
  }
  json object = {{"type", "object"}, {"properties", props}, {"additionalProperties", extra}};
  if (!freeNames) object["additionalProperties"] = false;
  if (!required.empty()) {
    object["if"] = {{"not", {{"required", {"part"}}}}};
    object["then"] = {{"required", required}};
  }
  return object;
}

json schemaOf(const Tree& tree) {
  std::vector<json> alternatives;
  if (tree.key) {
    const SchemaKey& key = *tree.key;
    std::size_t dim = 0;
    for (const auto& kind : key.kinds) {
      if (kind == "mapping" || kind == "names") continue;
      if (kind == "list") {
        auto item = tree.children.find("[]");
        alternatives.push_back(
            {{"type", "array"},
             {"items", item == tree.children.end() ? json::object() : schemaOf(item->second)}});
        continue;
      }
      const Dimension dimension =
          (kind == "quantity" || kind == "dbm") && dim < key.dimensions.size()
              ? key.dimensions[dim++]
              : Dimension::Ratio;
      alternatives.push_back(sourced(leafCore(kind, key, dimension)));
    }
    const bool mapping = std::count(key.kinds.begin(), key.kinds.end(), "mapping") +
                         std::count(key.kinds.begin(), key.kinds.end(), "names");
    if (mapping) alternatives.push_back(objectOf(tree, key.freeNames));
  } else {
    alternatives.push_back(objectOf(tree, false));
  }
  json result = alternatives.size() == 1 ? alternatives.front() : json{{"anyOf", alternatives}};
  if (tree.key) result["description"] = describeKey(*tree.key);
  return result;
}

}  // namespace

std::vector<SchemaKey> gatherSchema(const std::vector<std::vector<KeyRead>>& reads) {
  // Mappings of free names, found first: their keys are written * in the schema.
  std::set<std::string> freeNames;
  for (const auto& log : reads) {
    for (const auto& read : log) {
      if (read.kind == "names") freeNames.insert(withoutIndices(read.path));
    }
  }
  auto normalize = [&](const std::string& path) {
    const std::string plain = withoutIndices(path);
    const std::string parent = parentOf(plain);
    return freeNames.count(parent) && parent != plain
               ? (parent.empty() ? std::string("*") : parent + ".*")
               : plain;
  };
  std::vector<SchemaKey> keys;
  std::map<std::string, std::size_t> index;
  // Requiredness: a key is required when it was read without a fallback in every instance
  // (file, concrete parent path) where its parent was read.
  std::map<std::string, std::set<std::pair<std::size_t, std::string>>> parentInstances, requiredIn;
  std::set<std::string> optional;
  for (std::size_t file = 0; file < reads.size(); ++file) {
    for (const auto& read : reads[file]) {
      if (read.kind == "part" || read.path.empty()) continue;
      const std::string path = normalize(read.path);
      auto [it, fresh] = index.emplace(path, keys.size());
      if (fresh) {
        keys.push_back(SchemaKey{});
        keys.back().path = path;
      }
      SchemaKey& key = keys[it->second];
      addUnique(key.kinds, read.kind);
      if (read.kind == "quantity" || read.kind == "dbm") addUnique(key.dimensions, read.dimension);
      if (read.kind == "names") key.freeNames = true;
      if (read.range != Range::Any) key.range = read.range;
      if (read.kind == "integer") key.min = read.min, key.max = read.max;
      for (const auto& choice : read.allowed) addUnique(key.allowed, choice);
      if (read.fallback) {
        if (!key.fallback) {
          key.fallback = read.fallback;
        } else if (*key.fallback != *read.fallback) {
          key.fallback = kDepends;  // the file's stem, another key's value, ...
        }
      }
      parentInstances[parentOf(path)].insert({file, parentOf(read.path)});
      if (read.required) {
        requiredIn[path].insert({file, parentOf(read.path)});
      } else {
        optional.insert(path);
      }
    }
  }
  for (auto& key : keys) {
    const bool free = lastOf(key.path) == "*";
    key.required = !free && !optional.count(key.path) && !key.fallback &&
                   requiredIn[key.path] == parentInstances[parentOf(key.path)];
  }
  return keys;
}

std::string typeText(const SchemaKey& key) {
  std::vector<std::string> parts;
  std::size_t dim = 0;
  for (const auto& kind : key.kinds) {
    if ((kind == "quantity" || kind == "dbm") && key.dimensions.at(dim) == Dimension::Ratio) {
      ++dim;
      parts.push_back(fmt::format("number or percentage{}", rangeText(key.range)));
    } else if (kind == "quantity" || kind == "dbm") {
      const Dimension d = key.dimensions.at(dim++);
      parts.push_back(
          fmt::format("{} ({}){}", dimensionName(d), unitList(d), rangeText(key.range)));
    } else if (kind == "number") {
      parts.push_back(fmt::format("number or percentage{}", rangeText(key.range)));
    } else if (kind == "integer") {
      parts.push_back(fmt::format("whole number {}..{}", key.min, key.max));
    } else if (kind == "flag") {
      parts.push_back("true or false");
    } else if (kind == "choice") {
      parts.push_back(fmt::format("one of {}", fmt::join(key.allowed, ", ")));
    } else if (kind == "file") {
      parts.push_back("file name");
    } else if (kind == "texts") {
      parts.push_back("a value or a list of values");
    } else if (kind == "text") {
      parts.push_back("text");
    } else if (kind == "mapping") {
      parts.push_back("mapping");
    } else if (kind == "list") {
      parts.push_back("list of mappings");
    } else if (kind == "names") {
      parts.push_back("mapping of names you choose");
    }
  }
  return fmt::format("{}", fmt::join(parts, " or "));
}

json jsonSchema(const std::vector<SchemaKey>& keys) {
  Tree root;
  for (const auto& key : keys) {
    Tree* node = &root;
    std::string rest = key.path;
    // Split at dots and at [] (a list's item is the child "[]").
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < rest.size()) {
      const auto dot = rest.find('.', start);
      std::string part = rest.substr(start, dot == std::string::npos ? dot : dot - start);
      while (part.size() > 2 && part.compare(part.size() - 2, 2, "[]") == 0) {
        parts.push_back(part.substr(0, part.size() - 2));
        part = "[]";
        // "jobs[]" is the list "jobs" then its item "[]".
      }
      parts.push_back(part);
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const auto& part : parts) {
      if (!node->children.count(part)) node->order.push_back(part);
      node = &node->children[part];
    }
    node->key = &key;
  }
  json schema = objectOf(root, false);
  schema["$schema"] = "http://json-schema.org/draft-07/schema#";
  schema["$id"] = "https://edgejoule.invalid/scenarios/edgejoule.schema.json";
  schema["title"] = "edgejoule scenario";
  schema["description"] =
      "Generated by `edgejoule schema` from the keys the simulator's readers read; see "
      "scenarios/README.md.";
  return schema;
}

std::vector<std::string> markdownRows(const std::vector<SchemaKey>& keys) {
  std::vector<std::string> rows;
  for (const auto& key : keys) {
    rows.push_back(fmt::format("| `{}` | {} | {} | {} |", key.path, typeText(key),
                               key.fallback ? fmt::format("`{}`", *key.fallback) : "",
                               key.required ? "yes" : ""));
  }
  return rows;
}

}  // namespace ej::core
