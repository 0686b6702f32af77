// Config: YAML nodes layered over hw/ parts and --set overrides, with located errors.
#include "sim/core/config.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "sim/core/bounds.h"
#include "sim/core/io.h"

namespace ej::core {
namespace fs = std::filesystem;

// A file's YAML as parsed, never modified after parsing (so that a part file's tree can serve
// every scenario that names it). Built from yaml-cpp's parser events (the scanner and parser
// that YAML::Load uses, so the same files are accepted, with the same errors and marks), as a
// plain tree: yaml-cpp's own nodes are reference-counted (a node, its reference and its data
// allocated apart, a shared memory holder) and a lookup builds a pair of Nodes at every entry
// it walks past; here a mapping is a vector of its entries in file order, and an alias is the
// node its anchor names, as in yaml-cpp.
struct Config::YamlNode {
  enum class Kind : unsigned char { Null, Scalar, Sequence, Map };
  struct Entry {
    const YamlNode* keyNode;
    const YamlNode* value;
  };
  Kind kind = Kind::Null;
  mutable bool walking = false, walked = false;  // checkDuplicates' marks, while parsing
  std::size_t id = 0;                            // its place in the tree, for walks
  YAML::Mark mark;
  std::string scalar;                  // Scalar; empty otherwise, as yaml-cpp's Scalar() gives
  std::vector<const YamlNode*> items;  // Sequence
  std::vector<Entry> entries;          // Map, in file order (a repeated key too)

  bool IsNull() const { return kind == Kind::Null; }
  bool IsScalar() const { return kind == Kind::Scalar; }
  bool IsSequence() const { return kind == Kind::Sequence; }
  bool IsMap() const { return kind == Kind::Map; }
  const std::string& Scalar() const { return scalar; }
  const YAML::Mark& Mark() const { return mark; }
  std::size_t size() const { return IsMap() ? entries.size() : items.size(); }
};

namespace {

using YamlNode = Config::YamlNode;

class ParsedYaml {
 public:
  explicit ParsedYaml(std::string text) : m_text(std::move(text)) {}
  const std::string& text() const { return m_text; }
  // The document's top node (a null node for an empty stream).
  const YamlNode& root() const { return m_root ? *m_root : m_null; }
  void setRoot(const YamlNode* root) { m_root = root; }
  std::size_t size() const { return m_count; }

  // A new node, kept for the tree's life at a fixed address (chunks of 16, 32, ... 256 nodes).
  YamlNode* newNode() {
    if (m_chunks.empty() || m_used == m_chunkSize) {
      m_chunkSize = m_chunks.empty() ? 16 : std::min<std::size_t>(2 * m_chunkSize, 256);
      m_chunks.push_back(std::make_unique<YamlNode[]>(m_chunkSize));
      m_used = 0;
    }
    YamlNode* node = &m_chunks.back()[m_used++];
    node->id = m_count++;
    return node;
  }

  // The entry of KEY (a scalar key) in MAP, the first one in file order, or null.
  static const YamlNode::Entry* find(const YamlNode& map, std::string_view key) {
    if (!map.IsMap()) return nullptr;
    for (const auto& entry : map.entries) {
      if (entry.keyNode->IsScalar() && entry.keyNode->scalar == key) return &entry;
    }
    return nullptr;
  }

 private:
  std::string m_text;
  std::vector<std::unique_ptr<YamlNode[]>> m_chunks;
  std::size_t m_chunkSize = 0, m_used = 0, m_count = 0;
  const YamlNode* m_root = nullptr;
  YamlNode m_null;
};

// Builds a ParsedYaml from yaml-cpp's parser events as yaml-cpp's NodeBuilder (behind
// YAML::Load) builds its nodes: a node's mark is where its event is; an anchor names its node
// from the node's start (so an alias inside it reaches it); an alias is the anchored node
// itself; a mapping's events alternate key and value.
class TreeBuilder final : public YAML::EventHandler {
 public:
  explicit TreeBuilder(ParsedYaml& tree) : m_tree(tree) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(start(mark, anchor, YamlNode::Kind::Null));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // The parser refuses an alias to an anchor not (yet) defined before it gets here.
    if (anchor < m_anchors.size() && m_anchors[anchor]) {
      add(m_anchors[anchor]);
    } else {
      add(start(mark, 0, YamlNode::Kind::Null));
    }
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode* node = start(mark, anchor, YamlNode::Kind::Scalar);
    node->scalar = value;
    add(node);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(start(mark, anchor, YamlNode::Kind::Sequence));
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(start(mark, anchor, YamlNode::Kind::Map));
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YamlNode* node;
    std::size_t first;  // its children's start in m_children
  };

  YamlNode* start(const YAML::Mark& mark, YAML::anchor_t anchor, YamlNode::Kind kind) {
    YamlNode* node = m_tree.newNode();
    node->kind = kind;
    node->mark = mark;
    if (anchor) {
      if (m_anchors.size() <= anchor) m_anchors.resize(anchor + 1, nullptr);
      m_anchors[anchor] = node;
    }
    return node;
  }
  // A complete node: the top one, or its open parent's next child.
  void add(const YamlNode* node) {
    if (m_open.empty()) {
      m_tree.setRoot(node);
      return;
    }
    m_children.push_back(node);
  }
  void open(YamlNode* node) { m_open.push_back({node, m_children.size()}); }
  void close() {
    if (m_open.empty()) return;
    const Open top = m_open.back();
    m_open.pop_back();
    const auto first = m_children.begin() + static_cast<std::ptrdiff_t>(top.first);
    if (top.node->IsMap()) {
      top.node->entries.reserve((m_children.end() - first) / 2);
      for (auto it = first; m_children.end() - it >= 2; it += 2) {
        top.node->entries.push_back({it[0], it[1]});
      }
    } else {
      top.node->items.assign(first, m_children.end());
    }
    m_children.erase(first, m_children.end());
    add(top.node);
  }

  ParsedYaml& m_tree;
  std::vector<YamlNode*> m_anchors;
  std::vector<Open> m_open;
  std::vector<const YamlNode*> m_children;  // the children of the open nodes, in order
};

}  // namespace

namespace {

// The (line, column) of every key read in a document: appended at each read (a load reads
// hundreds of keys, most of them once), sorted only when asked whether one was read (the
// unknown-key walk at the end, or an error's search for a misspelling).
class KeyPositions {
 public:
  void insert(std::pair<int, int> position) {
    m_positions.push_back(position);
    m_sorted = false;
  }
  bool count(std::pair<int, int> position) const {
    if (!m_sorted) {
      std::sort(m_positions.begin(), m_positions.end());
      m_positions.erase(std::unique(m_positions.begin(), m_positions.end()), m_positions.end());
      m_sorted = true;
    }
    return std::binary_search(m_positions.begin(), m_positions.end(), position);
  }

 private:
  mutable std::vector<std::pair<int, int>> m_positions;
  mutable bool m_sorted = true;
};

}  // namespace

struct Config::Document {
  std::string displayName;
  fs::path file;
  const YamlNode* root = nullptr;
  std::shared_ptr<ParsedYaml> parsed;    // root's tree; shared by the loads of a part
  KeyPositions readKeys;                 // (line, column) of every key read
  std::optional<std::string> mountPath;  // where its top level sits in the tree
};

struct Config::Shared {
  Overrides overrides;
  std::set<std::string> readOverrides;
  std::vector<std::shared_ptr<Document>> documents;  // in load order
  // Every key a reader looked for, by the path of the node it looked in: what an unknown
  // key is compared with to suggest the one it misspells.
  std::map<std::string, std::vector<std::string>> asked;
  std::set<std::string> guarded;  // full paths a reader asked has() about: optional
};

struct Config::Scalar {
  std::string text;
  YAML::Mark mark;                     // where in DOCUMENT (made into text only for a ReadLog)
  std::shared_ptr<Document> document;  // null for overrides ("--set")
};

namespace {

fs::path& dataRootStorage() {
  static fs::path root = fs::current_path();
  return root;
}

// Whether FILE exists; false, not an exception, for a name the system cannot look up (a
// component over 255 bytes: "File name too long"), which is then "no such file" like any
// other.
bool fileExists(const fs::path& file) {
  std::error_code ec;
  return fs::exists(file, ec);
}

bool isDocumentation(const std::string& key) {
  return key == "source" || key == "notes" || key == "description" || key == "name" ||
         key == "datasheet";
}

std::string locate(const Config::Document& doc, const YAML::Mark& mark) {
  return fmt::format("{}:{}:{}", doc.displayName, mark.line + 1, mark.column + 1);
}

thread_local std::vector<KeyRead>* activeLog = nullptr;

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// A value held in SI, written back with a unit a reader would use: "2 h", "15 uA".
std::string formatSi(double value, Dimension dimension) {
  if (dimension == Dimension::Ratio) return fmt::format("{:g}", value);
  if (dimension == Dimension::Temperature) return fmt::format("{:g} degC", value - 273.15);
  if (dimension == Dimension::Time) {
    const double a = std::abs(value);
    if (a >= 86400 && std::fmod(a, 86400) == 0) return fmt::format("{:g} d", value / 86400);
    if (a >= 3600 && std::fmod(a, 3600) == 0) return fmt::format("{:g} h", value / 3600);
    if (a >= 60 && std::fmod(a, 60) == 0) return fmt::format("{:g} min", value / 60);
  }
  if (dimension == Dimension::Charge && value != 0) {
    return fmt::format("{:g} mAh", value / 3.6);
  }
  const std::string unit = siUnit(dimension);
  if (dimension == Dimension::Angle) return fmt::format("{:g} deg", value * 180 / M_PI);
  if (value == 0 || unit == "dBm" || unit.find('/') != std::string::npos ||
      unit.find('2') != std::string::npos) {
    return fmt::format("{:g} {}", value, unit);
  }
  static const std::pair<double, const char*> prefixes[] = {
      {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1, ""}, {1e-3, "m"}, {1e-6, "u"}, {1e-9, "n"}};
  for (const auto& [scale, prefix] : prefixes) {
    if (std::abs(value) >= scale) return fmt::format("{:g} {}{}", value / scale, prefix, unit);
  }
  return fmt::format("{:g} p{}", value * 1e12, unit);
}

// The path of a node being checked: map keys (pointing into the tree) and list indices, made
// into "a.b.0.c" only for an error message.
struct PathStep {
  const std::string* key;
  std::size_t index;
};

std::string joinSteps(const std::vector<PathStep>& steps) {
  std::string path;
  for (const auto& step : steps) {
    path = join(path, step.key ? *step.key : std::to_string(step.index));
  }
  return path;
}

// A duplicated key is an error naming both lines: yaml-cpp keeps both and findKey() would
// silently read the first. Reported in file order, depth first: the first entry written
// that repeats an earlier key of its mapping, unless a value before it holds one. A
// mapping's keys are sorted once (not a map node per key, and no path string unless an
// error is thrown): this runs on every file parsed.
//
// A mapping or list walked already (one reached again through an alias) was checked in full
// without an error, so it is not walked again: aliases of aliases (`b: &b [*a, *a, ...]`,
// `c: [*b, *b, ...]`) would otherwise make the walk exponential in their depth. A node reached
// again while it is being walked (an alias inside its own anchor's node) makes the tree a cycle,
// and is refused.
struct Walk {
  std::vector<PathStep> path;
  std::vector<std::pair<const YamlNode*, std::size_t>> open;  // being walked, their path's size
};

void checkDuplicates(const Config::Document& doc, const YamlNode& node, Walk& walk) {
  auto& path = walk.path;
  if (!node.IsSequence() && !node.IsMap()) return;
  if (node.walking) {
    std::size_t depth = 0;
    for (const auto& [ancestor, size] : walk.open) {
      if (ancestor == &node) depth = size;
    }
    const std::string where = joinSteps({path.begin(), path.begin() + depth});
    throw ConfigError(
        fmt::format("{}: {}{}contains itself through an alias, at {}: a node may "
                    "not be inside itself",
                    locate(doc, node.Mark()), where, where.empty() ? "" : ": ", joinSteps(path)));
  }
  if (node.walked) return;
  node.walking = true;
  walk.open.emplace_back(&node, path.size());
  if (node.IsSequence()) {
    std::size_t i = 0;
    for (const YamlNode* item : node.items) {
      path.push_back({nullptr, i++});
      checkDuplicates(doc, *item, walk);
      path.pop_back();
    }
  } else {
    struct Key {
      const std::string* text;
      YAML::Mark mark;
      std::size_t order;
    };
    std::vector<const YamlNode::Entry*> entries;
    std::vector<Key> keys;
    for (const auto& entry : node.entries) {
      if (!entry.keyNode->IsScalar()) continue;
      keys.push_back({&entry.keyNode->Scalar(), entry.keyNode->Mark(), entries.size()});
      entries.push_back(&entry);
    }
    // The first repeat in file order: in each run of equal keys, its second entry.
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
      return *a.text != *b.text ? *a.text < *b.text : a.order < b.order;
    });
    std::size_t repeat = entries.size();
    const Key* first = nullptr;
    for (std::size_t i = 1; i < keys.size(); ++i) {
      if (*keys[i].text == *keys[i - 1].text && (i < 2 || *keys[i - 2].text != *keys[i].text) &&
          keys[i].order < repeat) {
        repeat = keys[i].order;
        first = &keys[i - 1];
      }
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string& key = entries[i]->keyNode->Scalar();
      if (i == repeat) {
        const YAML::Mark mark = entries[i]->keyNode->Mark();
        path.push_back({&key, 0});
        throw ConfigError(fmt::format("{}: {}: given twice, at lines {} and {}", locate(doc, mark),
                                      joinSteps(path), first->mark.line + 1, mark.line + 1));
      }
      path.push_back({&key, 0});
      checkDuplicates(doc, *entries[i]->value, walk);
      path.pop_back();
    }
  }
  walk.open.pop_back();
  node.walking = false;
  node.walked = true;
}

std::string displayNameFor(const fs::path& file) {
  std::error_code ec;
  const fs::path rel = fs::proximate(file, fs::current_path(), ec);
  return (ec ? file : rel).lexically_normal().string();
}

// displayNameFor(FILE) for a FILE that weakly_canonical() already returned: proximate() would
// resolve it again, component by component, and the working folder too; the folder's
// resolution is kept per thread while the working folder (getcwd's own, resolved, text) is the
// same.
std::string displayNameForCanonical(const fs::path& file) {
  struct WorkingFolder {
    fs::path path, resolved;
    bool ok = false;
  };
  thread_local WorkingFolder cwd;
  fs::path now = fs::current_path();
  if (now != cwd.path) {
    std::error_code ec;
    cwd.resolved = fs::weakly_canonical(now, ec);
    cwd.ok = !ec;
    cwd.path = std::move(now);
  }
  if (!cwd.ok) return displayNameFor(file);
  return file.lexically_proximate(cwd.resolved).lexically_normal().string();
}

// The entry (key node and value node) of KEY in MAP (a node of DOC), or null.
const YamlNode::Entry* findKey(const Config::Document&, const YamlNode& map, std::string_view key) {
  return ParsedYaml::find(map, key);
}

// Where the value of KEY's entry FOUND is: a sourced value {value: 120 mA, source: "..."}
// is located at its `value:`.
YAML::Mark valueMark(const Config::Document& doc, const YamlNode& found) {
  if (found.IsMap()) {
    if (auto inner = findKey(doc, found, "value")) return inner->value->Mark();
  }
  return found.Mark();
}

std::shared_ptr<Config::Document> documentOf(std::shared_ptr<ParsedYaml> parsed,
                                             const std::string& displayName, const fs::path& file) {
  auto doc = std::make_shared<Config::Document>();
  doc->displayName = displayName;
  doc->file = file;
  doc->root = &parsed->root();
  doc->parsed = std::move(parsed);
  return doc;
}

std::shared_ptr<ParsedYaml> parseYaml(std::string text, const std::string& displayName) {
  auto parsed = std::make_shared<ParsedYaml>(std::move(text));
  try {
    // As YAML::Load(text) reads it: its first document, from a stringstream.
    std::stringstream input(parsed->text());
    YAML::Parser parser(input);
    TreeBuilder builder(*parsed);
    parser.HandleNextDocument(builder);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(fmt::format("{}:{}:{}: malformed YAML: {}", displayName, e.mark.line + 1,
                                  e.mark.column + 1, e.msg));
  }
  const YamlNode& root = parsed->root();
  if (!root.IsMap()) {
    throw ConfigError(
        fmt::format("{}:1:1: expected a mapping of keys at the top level", displayName));
  }
  Config::Document named;
  named.displayName = displayName;
  Walk walk;
  checkDuplicates(named, root, walk);
  return parsed;
}

std::shared_ptr<Config::Document> parseDocument(std::string text, const std::string& displayName,
                                                const fs::path& file) {
  return documentOf(parseYaml(std::move(text), displayName), displayName, file);
}

// The YAML file FILE, named WHO in errors: "WHO: cannot open file" (a folder too), "WHO: YAML
// file is larger than 4 MB (the limit for a YAML file)", "WHO: cannot read YAML file". One
// open and one read (readWholeFile); NOT_FOUND, when given, is set instead of throwing if the
// file cannot be opened because it does not exist.
std::string readFile(const fs::path& file, const std::string& who, bool* notFound = nullptr) {
  std::string text;
  const ReadOutcome outcome = readWholeFile(file, kMaxYamlBytes, text);
  switch (outcome) {
    case ReadOutcome::Read:
      return text;
    case ReadOutcome::CannotOpen:
      if (notFound && !fileExists(file)) {
        *notFound = true;
        return {};
      }
      [[fallthrough]];
    case ReadOutcome::Folder:
      throw ConfigError(fmt::format("{}: cannot open file", who));
    default:
      throw ConfigError(readFailure(outcome, who, kMaxYamlBytes, "YAML file"));
  }
}

// What stat() says of a file: it is taken to be unchanged while all of it is the same.
struct FileStamp {
  dev_t device;
  ino_t inode;
  off_t size;
  timespec modified, changed;
};

bool operator==(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}
bool operator==(const FileStamp& a, const FileStamp& b) {
  return a.device == b.device && a.inode == b.inode && a.size == b.size &&
         a.modified == b.modified && a.changed == b.changed;
}

std::optional<FileStamp> stampOf(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileStamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim};
}

// A part file's parsed tree, kept per thread (at most kCachedParts files): the loads of a
// study, of a sweep's or Monte Carlo's worker, of the tests or of a fuzzing run name the same
// few parts. A kept part is used without reading it while stat() says the same (device, inode,
// size, modification and status-change times) and both times were over kSettled before the
// read that filled the entry; a file changed within the file system's time resolution of that
// read may keep its times, so such an entry (a file just written, as tests do) is checked
// against the file's bytes at every load instead, and parsed again only when they differ.
// NOT_FOUND as readFile's.
std::shared_ptr<ParsedYaml> parsePart(const fs::path& resolved, const std::string& displayName,
                                      bool* notFound) {
  constexpr std::size_t kCachedParts = 64;
  constexpr long kSettledSeconds = 2;  // FAT keeps times to 2 s, ext4 and tmpfs to a clock tick
  struct Kept {
    std::shared_ptr<ParsedYaml> parsed;
    std::optional<FileStamp> stamp;  // taken before the read
    bool settled = false;
  };
  thread_local std::map<fs::path, Kept> cache;
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const auto stamp = stampOf(resolved);
  const auto it = cache.find(resolved);
  if (it != cache.end() && it->second.settled && stamp && it->second.stamp == stamp) {
    return it->second.parsed;
  }
  std::string text = readFile(resolved, displayName, notFound);
  if (*notFound) return nullptr;
  const bool settled = stamp && stamp->modified.tv_sec + kSettledSeconds < now.tv_sec &&
                       stamp->changed.tv_sec + kSettledSeconds < now.tv_sec;
  if (it != cache.end() && it->second.parsed->text() == text) {
    it->second.stamp = stamp;
    it->second.settled = settled;
    return it->second.parsed;
  }
  auto parsed = parseYaml(std::move(text), displayName);
  if (cache.size() >= kCachedParts) cache.clear();
  cache[resolved] = Kept{parsed, stamp, settled};
  return parsed;
}

}  // namespace

std::pair<std::string, std::string> parseOverride(std::string_view assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw ConfigError(fmt::format("--set {}: expected key.path=value", assignment));
  }
  return {std::string(assignment.substr(0, eq)), std::string(assignment.substr(eq + 1))};
}

ReadLog::ReadLog() : m_outer(activeLog) { activeLog = &m_reads; }
ReadLog::~ReadLog() { activeLog = m_outer; }

std::size_t editDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus adjacent transpositions (Damerau 1964).
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> nearMiss(std::string_view key,
                                    const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t bestDistance = 0;
  for (const auto& candidate : candidates) {
    if (candidate == key) continue;
    const std::size_t limit =
        std::min<std::size_t>(std::min(key.size(), candidate.size()) <= 4 ? 1 : 2, key.size() - 1);
    // The distance is at least the difference in length: skip the table when that is over.
    const std::size_t lengthGap = key.size() > candidate.size() ? key.size() - candidate.size()
                                                                : candidate.size() - key.size();
    if (lengthGap > limit) continue;
    const std::size_t distance = editDistance(key, candidate);
    if (distance <= limit && (!best || distance < bestDistance)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

namespace {

// Remembers KEY as looked for in a node (ASKED: the keys looked for there): what a misspelt key
// there is compared with.
void noteAsked(std::vector<std::string>& asked, std::string_view key) {
  if (!key.empty() && std::find(asked.begin(), asked.end(), key) == asked.end()) {
    asked.emplace_back(key);
  }
}

}  // namespace

void Config::setDataRoot(fs::path root) { dataRootStorage() = std::move(root); }
const fs::path& Config::dataRoot() { return dataRootStorage(); }

Config::Config(std::shared_ptr<Shared> shared, std::vector<Layer> layers, std::string path)
    : m_shared(std::move(shared)), m_layers(std::move(layers)), m_path(std::move(path)) {}

Config Config::load(const fs::path& file, Overrides overrides) {
  // Read once (one open, no separate existence check): the same text is parsed and kept for
  // documentText().
  bool notFound = false;
  std::string text = readFile(file, file.string(), &notFound);
  if (notFound) throw ConfigError(fmt::format("{}: no such file", file.string()));
  return parse(std::move(text), file.string(), std::move(overrides));
}

Config Config::parse(std::string text, const std::string& fileName, Overrides overrides) {
  auto shared = std::make_shared<Shared>();
  shared->overrides = std::move(overrides);
  auto doc = parseDocument(std::move(text), fileName, fs::absolute(fileName));
  doc->mountPath = "";
  shared->documents.push_back(doc);
  Config root(shared, {Layer{doc->root, doc}}, "");
  root.addPartLayer();
  return root;
}

const std::string& Config::documentText() const {
  return m_shared->documents.front()->parsed->text();
}

fs::path Config::file() const {
  return m_layers.empty() ? fs::path() : m_layers.front().document->file;
}

std::vector<std::string>& Config::askedHere() const {
  // The map's nodes stay where they are: the pointer is good as long as m_shared.
  if (!m_asked) m_asked = &m_shared->asked[m_path];
  return *m_asked;
}

std::string Config::keyPath(std::string_view key) const {
  if (key.empty()) return m_path;
  return m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
}

bool Config::has(std::string_view key) const {
  m_shared->guarded.insert(keyPath(key));
  return present(key);
}

bool Config::present(std::string_view key) const {
  noteAsked(askedHere(), key);
  const std::string full = keyPath(key);
  for (const auto& [path, value] : m_shared->overrides) {
    if (path == full || path.rfind(full + ".", 0) == 0) return true;
  }
  for (const auto& layer : m_layers) {
    if (findKey(*layer.document, *layer.node, key)) return true;
  }
  return false;
}

std::optional<Config::Scalar> Config::scalar(std::string_view key) const {
  noteAsked(askedHere(), key);
  // A key shadowed by a higher layer or an override is understood, not unknown: every
  // layer's entry is marked read, the first one found is the value.
  const Layer* first = nullptr;
  const YamlNode::Entry *found = nullptr, *inner = nullptr;
  for (const auto& layer : m_layers) {
    const auto* here = findKey(*layer.document, *layer.node, key);
    if (!here) continue;
    layer.document->readKeys.insert({here->keyNode->Mark().line, here->keyNode->Mark().column});
    const YamlNode::Entry* valueEntry = nullptr;
    if (here->value->IsMap()) {
      valueEntry = findKey(*layer.document, *here->value, "value");
      if (valueEntry) {
        layer.document->readKeys.insert(
            {valueEntry->keyNode->Mark().line, valueEntry->keyNode->Mark().column});
      }
    }
    if (!first) {
      first = &layer;
      found = here;
      inner = valueEntry;
    }
  }
  if (!m_shared->overrides.empty()) {
    const std::string full = keyPath(key);
    if (auto it = m_shared->overrides.find(full); it != m_shared->overrides.end()) {
      m_shared->readOverrides.insert(full);
      return Scalar{it->second, YAML::Mark(), nullptr};
    }
  }
  if (!first) return std::nullopt;
  // A datasheet value may be written {value: 120 mA, source: "...", ...}.
  if (found->value->IsMap() && !inner) {
    fail(key, "expected a single value, or a mapping with a `value:` key");
  }
  const YamlNode& value = inner ? *inner->value : *found->value;
  if (!value.IsScalar()) fail(key, "expected a single value");
  return Scalar{value.Scalar(), value.Mark(), first->document};
}

Config::Scalar Config::requireScalar(std::string_view key) const {
  auto value = scalar(key);
  if (!value) failMissing(key);
  return *value;
}

void Config::failMissing(std::string_view key) const {
  // A missing key is often a misspelt one: blame a key of this node that nobody read and
  // that is close to the missing key, or to another key looked for here and not found
  // (`prat:` for `part:` leaves the part's keys missing).
  std::vector<std::string> absent{std::string(key)};
  const std::vector<std::string> askedBefore = askedHere();  // a copy: present() adds to it
  for (const auto& asked : askedBefore) {
    if (asked != key && !present(asked)) absent.push_back(asked);
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& layer : m_layers) {
      if (!layer.node->IsMap()) continue;
      for (const auto& entry : layer.node->entries) {
        const std::string& stray = entry.keyNode->Scalar();
        const auto mark = entry.keyNode->Mark();
        if (isDocumentation(stray) || layer.document->readKeys.count({mark.line, mark.column})) {
          continue;
        }
        const auto meant =
            pass == 0 ? nearMiss(stray, {std::string(key)}) : nearMiss(stray, absent);
        if (!meant) continue;
        throw ConfigError(fmt::format("{}: {}: unknown key, did you mean `{}`?{}",
                                      locate(*layer.document, mark), keyPath(stray), *meant,
                                      *meant == key ? " (it is required)" : ""));
      }
    }
  }
  // The same for a misspelt --set (`--set spreading_factr=9`).
  const std::string prefix = m_path.empty() ? "" : m_path + ".";
  for (const auto& [path, value] : m_shared->overrides) {
    if (path.rfind(prefix, 0) != 0 || m_shared->readOverrides.count(path)) continue;
    const std::string stray = path.substr(prefix.size());
    if (stray.find('.') != std::string::npos) continue;
    if (const auto meant = nearMiss(stray, absent)) {
      throw ConfigError(fmt::format("--set {}: no such setting, did you mean `{}`?{}", path, *meant,
                                    *meant == key ? " (it is required)" : ""));
    }
  }
  fail(key, "missing");
}

std::string Config::where(std::string_view key) const {
  const std::string full = keyPath(key);
  if (m_shared->overrides.count(full)) return fmt::format("--set {}", full);
  for (const auto& layer : m_layers) {
    if (auto found = findKey(*layer.document, *layer.node, key)) {
      return fmt::format("{}: {}",
                         locate(*layer.document, valueMark(*layer.document, *found->value)), full);
    }
  }
  if (m_layers.empty()) return fmt::format("--set {}", full);
  const auto& layer = m_layers.front();
  return fmt::format("{}: {}", locate(*layer.document, layer.node->Mark()), full);
}

void Config::fail(std::string_view key, std::string_view problem) const {
  throw ConfigError(fmt::format("{}: {}", where(key), problem));
}

void Config::addPartLayer() {
  auto part = scalar("part");
  if (activeLog) log(entry("part", "part"), part);
  if (!part) return;
  const fs::path named(part->text);
  const fs::path besides = part->document ? part->document->file.parent_path() / named : fs::path();
  fs::path resolved;
  if (named.is_absolute()) {
    resolved = named;
  } else if (!besides.empty() && fileExists(besides)) {
    resolved = besides;
  } else {
    resolved = dataRoot() / named;
  }
  std::error_code ec;
  bool canonical = false;
  if (auto c = fs::weakly_canonical(resolved, ec); !ec) {
    resolved = std::move(c);
    canonical = true;
  }
  std::shared_ptr<Document> doc;
  for (const auto& known : m_shared->documents) {
    if (known->file == resolved) doc = known;
  }
  if (!doc) {
    // Its existence is learnt from opening it (readFile), not from a separate check.
    const std::string name =
        canonical ? displayNameForCanonical(resolved) : displayNameFor(resolved);
    bool notFound = false;
    auto parsed = parsePart(resolved, name, &notFound);
    if (notFound) fail("part", fmt::format("no such file '{}'", part->text));
    doc = documentOf(std::move(parsed), name, resolved);
    m_shared->documents.push_back(doc);
  }
  if (const auto nested = findKey(*doc, *doc->root, "part")) {
    throw ConfigError(fmt::format("{}: part: a part file may not name another part",
                                  locate(*doc, nested->keyNode->Mark())));
  }
  if (!doc->mountPath) doc->mountPath = m_path;
  m_layers.push_back(Layer{doc->root, doc});
}

Config Config::child(std::string_view key) const {
  if (!present(key)) failMissing(key);
  if (activeLog) log(entry(key, "mapping"), std::nullopt);
  std::vector<Layer> layers;
  for (const auto& layer : m_layers) {
    auto found = findKey(*layer.document, *layer.node, key);
    if (!found) continue;
    if (!found->value->IsMap()) fail(key, "expected a mapping of keys");
    layer.document->readKeys.insert({found->keyNode->Mark().line, found->keyNode->Mark().column});
    layers.push_back(Layer{found->value, layer.document});
  }
  Config result(m_shared, std::move(layers), keyPath(key));
  result.addPartLayer();
  return result;
}

std::optional<Config> Config::optionalChild(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return child(key);
}

std::vector<Config> Config::items(std::string_view key) const {
  present(key);
  if (activeLog) log(entry(key, "list"), std::nullopt);
  std::vector<Config> result;
  for (const auto& layer : m_layers) {
    auto found = findKey(*layer.document, *layer.node, key);
    if (!found) continue;
    if (!found->value->IsSequence()) fail(key, "expected a list");
    layer.document->readKeys.insert({found->keyNode->Mark().line, found->keyNode->Mark().column});
    for (std::size_t i = 0; i < found->value->size(); ++i) {
      const YamlNode* item = found->value->items[i];
      Config entry(m_shared, {Layer{item, layer.document}}, keyPath(key) + "." + std::to_string(i));
      if (!item->IsMap()) entry.fail("", "expected a mapping of keys");
      entry.addPartLayer();
      result.push_back(std::move(entry));
    }
    break;  // lists do not merge across layers: the highest one wins
  }
  return result;
}

std::vector<std::string> Config::texts(std::string_view key) const {
  auto result = textsValue(key);
  auto read = entry(key, "texts");
  read.required = false;
  if (!result.empty()) {
    read.value = fmt::format("[{}]", fmt::join(result, ", "));
    read.origin = valueOrigin(key, &read.fromPart);
  }
  if (activeLog) activeLog->push_back(std::move(read));
  return result;
}

std::vector<std::string> Config::textsValue(std::string_view key) const {
  present(key);
  std::vector<std::string> result;
  // An override may replace a whole list, written in YAML's flow style: `[0.5, 0.6]`.
  if (auto it = m_shared->overrides.find(keyPath(key)); it != m_shared->overrides.end()) {
    if (!it->second.empty() && it->second.front() == '[') {
      YAML::Node list;
      try {
        list = YAML::Load(it->second);
      } catch (const YAML::Exception&) {
        fail(key, "expected a list in YAML's flow style, [a, b, ...]");
      }
      m_shared->readOverrides.insert(it->first);
      for (const auto& layer : m_layers) {
        if (auto found = findKey(*layer.document, *layer.node, key)) {
          layer.document->readKeys.insert(
              {found->keyNode->Mark().line, found->keyNode->Mark().column});
          if (found->value->IsMap()) {
            if (auto inner = findKey(*layer.document, *found->value, "value")) {
              layer.document->readKeys.insert(
                  {inner->keyNode->Mark().line, inner->keyNode->Mark().column});
            }
          }
        }
      }
      if (!list.IsSequence()) fail(key, "expected a list in YAML's flow style, [a, b, ...]");
      for (const auto& item : list) {
        if (!item.IsScalar()) fail(key, "expected a list of single values");
        result.push_back(item.Scalar());
      }
      return result;
    }
  }
  for (const auto& layer : m_layers) {
    auto found = findKey(*layer.document, *layer.node, key);
    if (!found) continue;
    layer.document->readKeys.insert({found->keyNode->Mark().line, found->keyNode->Mark().column});
    // A sourced list: {value: [...], source: "..."} (no Node assignment: see scalar()).
    const YamlNode::Entry* inner = nullptr;
    if (found->value->IsMap()) {
      inner = findKey(*layer.document, *found->value, "value");
      if (inner) {
        layer.document->readKeys.insert(
            {inner->keyNode->Mark().line, inner->keyNode->Mark().column});
      }
    }
    const YamlNode& list = inner ? *inner->value : *found->value;
    if (list.IsScalar()) return {list.Scalar()};
    if (!list.IsSequence()) fail(key, "expected a list of values");
    for (const YamlNode* item : list.items) {
      if (!item->IsScalar()) fail(key, "expected a list of single values");
      result.push_back(item->Scalar());
    }
    return result;
  }
  if (auto value = scalar(key)) result.push_back(value->text);
  return result;
}

std::vector<std::string> Config::keys() const {
  if (activeLog) log(entry("", "names"), std::nullopt);
  std::vector<std::string> result;
  auto add = [&result](const std::string& key) {
    if (std::find(result.begin(), result.end(), key) == result.end()) result.push_back(key);
  };
  for (const auto& layer : m_layers) {
    for (const auto& entry : layer.node->entries) {
      const std::string& key = entry.keyNode->Scalar();
      if (key == "part" || isDocumentation(key)) continue;
      layer.document->readKeys.insert({entry.keyNode->Mark().line, entry.keyNode->Mark().column});
      add(key);
    }
  }
  const std::string prefix = m_path.empty() ? "" : m_path + ".";
  for (const auto& [path, value] : m_shared->overrides) {
    if (path.rfind(prefix, 0) != 0) continue;
    const std::string rest = path.substr(prefix.size());
    add(rest.substr(0, rest.find('.')));
  }
  return result;
}

void Config::checkRange(std::string_view key, double value, Range range) const {
  if (!std::isfinite(value)) fail(key, "must be a finite number");
  switch (range) {
    case Range::Any:
      break;
    case Range::NonNegative:
      if (value < 0) fail(key, "must not be negative");
      break;
    case Range::Positive:
      if (value <= 0) fail(key, "must be greater than zero");
      break;
    case Range::Fraction:
      if (value < 0 || value > 1) fail(key, "must lie between 0 and 1 (0 % and 100 %)");
      break;
  }
}

KeyRead Config::entry(std::string_view key, std::string kind) const {
  KeyRead read;
  read.kind = std::move(kind);
  read.path = keyPath(key);
  return read;
}

std::string Config::valueOrigin(std::string_view key, bool* fromPart) const {
  const std::string full = keyPath(key);
  if (m_shared->overrides.count(full)) return "--set";
  for (const auto& layer : m_layers) {
    if (auto found = findKey(*layer.document, *layer.node, key)) {
      *fromPart = layer.document != m_shared->documents.front();
      return locate(*layer.document, valueMark(*layer.document, *found->value));
    }
  }
  return "";
}

void Config::log(KeyRead read, const std::optional<Scalar>& value) const {
  if (!activeLog) return;
  if (read.kind == "list" || read.kind == "names" || read.kind == "part") {
    read.required = false;
  } else {
    read.required = !read.fallback && !m_shared->guarded.count(read.path);
  }
  if (value) {
    read.value = value->text;
    read.origin = value->document ? locate(*value->document, value->mark) : "--set";
    read.fromPart = value->document && value->document != m_shared->documents.front();
  } else if (read.fallback) {
    read.value = read.fallback;
    read.origin = "default";
  }
  activeLog->push_back(std::move(read));
}

double Config::quantityValue(std::string_view key, const char* kind, Dimension dimension,
                             Range range, std::optional<double> fallbackSi) const {
  const auto value = scalar(key);
  if (!value && !fallbackSi) failMissing(key);
  if (activeLog) {  // the record of a read is built only for a reader that keeps it
    auto read = entry(key, kind);
    read.dimension = dimension;
    read.range = range;
    if (fallbackSi) read.fallback = formatSi(*fallbackSi, dimension);
    log(read, value);
  }
  if (!value) return *fallbackSi;
  const auto parsed = parseQuantity(value->text);
  if (!parsed) {
    fail(key, fmt::format("cannot read '{}' as {}", value->text, describe(dimension)));
  }
  if (parsed->dimension != dimension) {
    fail(key, fmt::format("expected {}, got '{}'", describe(dimension), value->text));
  }
  checkRange(key, parsed->value, range);
  // Durations convert to the kernel's 64-bit nanosecond clock: bounded first (bounds.h).
  if (dimension == Dimension::Time && std::abs(parsed->value) > kMaxHorizonSeconds)
    fail(key, "at most 500 years (the longest horizon a run may have)");
  return parsed->value;
}

double Config::dBm(std::string_view key) const {
  return quantityValue(key, "dbm", Dimension::PowerLevel, Range::Any, std::nullopt);
}

double Config::number(std::string_view key, Range range) const {
  return quantityValue(key, "number", Dimension::Ratio, range, std::nullopt);
}

double Config::number(std::string_view key, double fallback, Range range) const {
  return quantityValue(key, "number", Dimension::Ratio, range, fallback);
}

long Config::integer(std::string_view key, long min, long max) const {
  return integerValue(key, min, max, std::nullopt);
}

long Config::integer(std::string_view key, long fallback, long min, long max) const {
  return integerValue(key, min, max, fallback);
}

long Config::integerValue(std::string_view key, long min, long max,
                          std::optional<long> fallback) const {
  const auto value = scalar(key);
  if (!value && !fallback) failMissing(key);
  if (activeLog) {
    auto read = entry(key, "integer");
    read.min = min;
    read.max = max;
    if (fallback) read.fallback = std::to_string(*fallback);
    log(read, value);
  }
  if (!value) return *fallback;
  std::size_t used = 0;
  long result = 0;
  try {
    result = std::stol(value->text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value->text.size()) {
    fail(key, fmt::format("expected a whole number, got '{}'", value->text));
  }
  if (result < min || result > max) {
    fail(key, fmt::format("must lie between {} and {}", min, max));
  }
  return result;
}

bool Config::flag(std::string_view key, bool fallback) const {
  auto value = scalar(key);
  if (activeLog) {
    auto read = entry(key, "flag");
    read.fallback = fallback ? "true" : "false";
    log(read, value);
  }
  if (!value) return fallback;
  if (value->text == "true" || value->text == "yes" || value->text == "on") return true;
  if (value->text == "false" || value->text == "no" || value->text == "off") return false;
  fail(key, fmt::format("expected true or false, got '{}'", value->text));
}

std::string Config::text(std::string_view key) const {
  const auto value = scalar(key);
  if (!value) failMissing(key);
  if (activeLog) log(entry(key, "text"), value);
  return value->text;
}

std::string Config::text(std::string_view key, std::string fallback) const {
  auto value = scalar(key);
  if (activeLog) {
    auto read = entry(key, "text");
    read.fallback = fallback;
    log(read, value);
  }
  return value ? value->text : std::move(fallback);
}

std::string Config::choice(std::string_view key, const std::vector<std::string>& allowed) const {
  return choiceValue(key, allowed, std::nullopt);
}

std::string Config::choice(std::string_view key, const std::vector<std::string>& allowed,
                           std::string fallback) const {
  return choiceValue(key, allowed, std::move(fallback));
}

std::string Config::choiceValue(std::string_view key, const std::vector<std::string>& allowed,
                                std::optional<std::string> fallback) const {
  const auto value = scalar(key);
  if (!value && !fallback) failMissing(key);
  if (activeLog) {
    auto read = entry(key, "choice");
    read.allowed = allowed;
    read.fallback = fallback;
    log(read, value);
  }
  if (!value) return *fallback;
  if (std::find(allowed.begin(), allowed.end(), value->text) == allowed.end()) {
    fail(key, fmt::format("'{}' is not one of: {}", value->text, fmt::join(allowed, ", ")));
  }
  return value->text;
}

fs::path Config::existingFile(std::string_view key) const {
  const Scalar value = requireScalar(key);
  if (activeLog) log(entry(key, "file"), value);
  const fs::path named(value.text);
  if (named.is_absolute() && fileExists(named)) return named;
  if (value.document) {
    const fs::path besides = value.document->file.parent_path() / named;
    if (fileExists(besides)) return besides;
  }
  if (fileExists(dataRoot() / named)) return dataRoot() / named;
  if (fileExists(named)) return fs::absolute(named);
  fail(key, fmt::format("no such file '{}'", value.text));
}

void Config::requireAllRead() const {
  for (const auto& doc : m_shared->documents) {
    // Depth-first in file order, so the first unknown key reported is the first written. A
    // mapping or list reached again through an alias is not walked again: its keys are the same
    // nodes, read or not, and the first visit would have thrown.
    std::vector<bool> walked(doc->parsed->size());
    std::function<void(const YamlNode&, const std::string&)> walk = [&](const YamlNode& node,
                                                                        const std::string& path) {
      if (node.IsSequence() || node.IsMap()) {
        if (walked[node.id]) return;
        walked[node.id] = true;
      }
      if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
          walk(*node.items[i], join(path, std::to_string(i)));
        }
        return;
      }
      if (!node.IsMap()) return;
      for (const auto& entry : node.entries) {
        const std::string& key = entry.keyNode->Scalar();
        if (isDocumentation(key)) continue;
        const auto mark = entry.keyNode->Mark();
        if (!doc->readKeys.count({mark.line, mark.column})) {
          const auto meant = nearMiss(key, m_shared->asked[path]);
          throw ConfigError(fmt::format("{}: {}: unknown key (not used by this scenario){}",
                                        locate(*doc, mark), join(path, key),
                                        meant ? fmt::format(", did you mean `{}`?", *meant) : ""));
        }
        walk(*entry.value, join(path, key));
      }
    };
    walk(*doc->root, doc->mountPath.value_or(""));
  }
  for (const auto& [path, value] : m_shared->overrides) {
    if (!m_shared->readOverrides.count(path)) {
      const auto dot = path.rfind('.');
      const std::string parent = dot == std::string::npos ? "" : path.substr(0, dot);
      const std::string key = dot == std::string::npos ? path : path.substr(dot + 1);
      const auto meant = nearMiss(key, m_shared->asked[parent]);
      throw ConfigError(fmt::format("--set {}: no such setting in this scenario{}", path,
                                    meant ? fmt::format(", did you mean `{}`?", *meant) : ""));
    }
  }
}

}  // namespace ej::core
