// The scenario schema gathered from the readers themselves: every key a fromConfig reads
// through Config's typed accessors, with its type, unit, range, default and requiredness,
// merged over a corpus of scenarios; written as JSON Schema or as a Markdown table.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "sim/core/config.h"

namespace ej::core {

// One key of the schema, merged over every read of it in every file of the corpus.
struct SchemaKey {
  // Dotted, list items as [] and free names (an MCU's states) as *: node.jobs[].steps[].for.
  std::string path;
  std::vector<std::string> kinds;  // KeyRead::kind values, in first-read order
  std::vector<Dimension> dimensions;
  Range range = Range::Any;
  long min = 0, max = 0;
  std::vector<std::string> allowed;
  std::optional<std::string> fallback;
  // Read without a fallback in every instance of its parent in the corpus (a `part:` may
  // still supply it).
  bool required = false;
  bool freeNames = false;  // a mapping whose keys are names the user chooses
};

// READS holds one log per corpus file. Keys come out in first-read order; `part` and the
// documentation keys are left out (they are accepted in every mapping).
std::vector<SchemaKey> gatherSchema(const std::vector<std::vector<KeyRead>>& reads);

// "current (A, mA, uA, ...), >= 0": the type column of the README and of explain.
std::string typeText(const SchemaKey& key);

// The JSON Schema (draft-07, which the YAML language server reads) of a scenario file.
nlohmann::json jsonSchema(const std::vector<SchemaKey>& keys);

// Rows "| `path` | type | default | required |" for every leaf key, in schema order.
std::vector<std::string> markdownRows(const std::vector<SchemaKey>& keys);

}  // namespace ej::core
