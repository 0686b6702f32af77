// Reading scenario and part files: typed values with units, `part:` references to hw/
// files, `--set` overrides, and errors that name FILE:LINE:COL and the key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/quantity.h"

namespace ej::core {

// A bad input. what() is the one line shown to the user: "FILE:LINE:COL: key: problem".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Command-line overrides: dotted key path ("node.mcu.states.active") -> value text.
using Overrides = std::map<std::string, std::string>;

// Parses "key.path=value" as given to --set.
std::pair<std::string, std::string> parseOverride(std::string_view assignment);

// The accepted range of a numeric value; NaN and infinities are always refused.
enum class Range { Any, NonNegative, Positive, Fraction };

// One key as a reader read it: what `edgejoule schema` and `edgejoule explain` are made of.
// Every typed accessor of Config logs one while a ReadLog is open on the thread.
struct KeyRead {
  // quantity, number (a ratio), dbm, integer, flag, text, choice, file, texts (one value or
  // a list), part; for the tree: mapping (child), list (items), names (keys: free names).
  std::string kind;
  std::string path;  // full dotted path, list items by index: node.jobs.0.steps.1.for
  Dimension dimension = Dimension::Ratio;
  Range range = Range::Any;
  long min = 0, max = 0;                // integer
  std::vector<std::string> allowed;     // choice
  bool required = false;                // read without a fallback and not behind has()
  std::optional<std::string> fallback;  // the default, as text (with its unit)
  std::optional<std::string> value;     // the value used, as text; none when absent
  std::string origin;                   // FILE:LINE:COL, "--set" or "default"; "" when absent
  bool fromPart = false;                // the value comes from a part file, not the scenario
};

// While one is alive, every Config read on this thread is appended to reads().
class ReadLog {
 public:
  ReadLog();
  ~ReadLog();
  ReadLog(const ReadLog&) = delete;
  ReadLog& operator=(const ReadLog&) = delete;
  const std::vector<KeyRead>& reads() const { return m_reads; }

 private:
  std::vector<KeyRead> m_reads;
  std::vector<KeyRead>* m_outer;
};

// The Damerau-Levenshtein (optimal string alignment) distance: insertions, deletions,
// substitutions and transpositions of adjacent characters, each counting 1.
std::size_t editDistance(std::string_view a, std::string_view b);

// The key of CANDIDATES that KEY is most likely a misspelling of: at most 1 edit for keys
// of up to 4 characters, at most 2 for longer ones, never as many edits as KEY has letters.
std::optional<std::string> nearMiss(std::string_view key,
                                    const std::vector<std::string>& candidates);

// One node of a configuration tree: a YAML mapping, possibly layered over the file named
// by its `part:` key (inline keys win), with command-line overrides on top. Every key
// read is remembered so that requireAllRead() can name the first one nobody understood.
// Keys named `source`, `notes`, `description`, `name` and `datasheet` are documentation:
// always accepted, read only where a reader wants them.
class Config {
 public:
  // Loads FILE; overrides apply to the whole tree. Throws ConfigError.
  static Config load(const std::filesystem::path& file, Overrides overrides = {});
  // The same from YAML text, FILE_NAME being what errors call it.
  static Config parse(std::string text, const std::string& fileName, Overrides overrides = {});

  // Where parts named by relative paths are looked for after the referring file's folder.
  static void setDataRoot(std::filesystem::path root);
  static const std::filesystem::path& dataRoot();

  const std::string& path() const { return m_path; }
  // The text of the file loaded (the scenario, as read once for parsing), for the report.
  const std::string& documentText() const;
  // The file this node is written in (the scenario itself for inline nodes).
  std::filesystem::path file() const;

  bool has(std::string_view key) const;
  Config child(std::string_view key) const;
  std::optional<Config> optionalChild(std::string_view key) const;
  // The items of the sequence at KEY (an empty list when the key is absent).
  std::vector<Config> items(std::string_view key) const;
  // The keys of this mapping, in file order, inline keys first. Marks them read.
  std::vector<std::string> keys() const;

  template <class Q>
  Q quantity(std::string_view key, Range range = Range::Any) const {
    return QuantityTraits<Q>::fromSi(
        quantityValue(key, "quantity", QuantityTraits<Q>::dimension, range, std::nullopt));
  }
  template <class Q>
  Q quantity(std::string_view key, Q fallback, Range range = Range::Any) const {
    return QuantityTraits<Q>::fromSi(
        quantityValue(key, "quantity", QuantityTraits<Q>::dimension, range, fallback.value()));
  }
  // A power level in dBm.
  double dBm(std::string_view key) const;

  double number(std::string_view key, Range range = Range::Any) const;
  double number(std::string_view key, double fallback, Range range = Range::Any) const;
  long integer(std::string_view key, long min, long max) const;
  long integer(std::string_view key, long fallback, long min, long max) const;
  bool flag(std::string_view key, bool fallback) const;
  std::string text(std::string_view key) const;
  std::string text(std::string_view key, std::string fallback) const;
  // One of ALLOWED; the error lists them.
  std::string choice(std::string_view key, const std::vector<std::string>& allowed) const;
  std::string choice(std::string_view key, const std::vector<std::string>& allowed,
                     std::string fallback) const;
  // A file named relative to the file that names it (or to the data root); must exist.
  std::filesystem::path existingFile(std::string_view key) const;
  // The scalar items of the sequence at KEY, as text.
  std::vector<std::string> texts(std::string_view key) const;

  // Throws ConfigError located at KEY (or at this node when KEY is absent): where(KEY) + ": "
  // + PROBLEM.
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;
  // Where KEY is, as errors about it start: "FILE:LINE:COL: key.path" (its value's place), or
  // "--set key.path" when an override gives it.
  std::string where(std::string_view key) const;

  // Throws ConfigError at the first key of any file read, or any override, that no reader
  // asked for: a misspelt key is an error, not a silent default.
  void requireAllRead() const;

  struct Document;
  struct Shared;
  struct YamlNode;  // a node of a parsed file (config.cc)
  struct Layer {
    const YamlNode* node;
    std::shared_ptr<Document> document;
  };

 private:
  Config(std::shared_ptr<Shared> shared, std::vector<Layer> layers, std::string path);
  struct Scalar;
  std::optional<Scalar> scalar(std::string_view key) const;
  Scalar requireScalar(std::string_view key) const;
  double quantityValue(std::string_view key, const char* kind, Dimension dimension, Range range,
                       std::optional<double> fallbackSi) const;
  long integerValue(std::string_view key, long min, long max, std::optional<long> fallback) const;
  std::string choiceValue(std::string_view key, const std::vector<std::string>& allowed,
                          std::optional<std::string> fallback) const;
  std::vector<std::string> textsValue(std::string_view key) const;
  std::string valueOrigin(std::string_view key, bool* fromPart) const;
  void checkRange(std::string_view key, double value, Range range) const;
  bool present(std::string_view key) const;
  [[noreturn]] void failMissing(std::string_view key) const;
  KeyRead entry(std::string_view key, std::string kind) const;
  void log(KeyRead read, const std::optional<Scalar>& value) const;
  std::string keyPath(std::string_view key) const;
  void addPartLayer();

  std::vector<std::string>& askedHere() const;

  std::shared_ptr<Shared> m_shared;
  std::vector<Layer> m_layers;  // highest priority first
  std::string m_path;
  mutable std::vector<std::string>* m_asked = nullptr;  // m_shared->asked[m_path], once found
};

}  // namespace ej::core
