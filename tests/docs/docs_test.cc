// Documentation that is checked, not trusted: the schema file, the README's key table and
// hw/README.md's parts table are compared with what the code and the part files say.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace {
namespace fs = std::filesystem;

const fs::path kRoot = EJ_SOURCE_DIR;

struct Outcome {
  int status;
  std::string out;
};

// Runs COMMAND from the source folder; stdout captured, stderr appended to it.
Outcome run(const std::string& command) {
  const fs::path out = fs::temp_directory_path() / ("ej_docs_out_" + std::to_string(getpid()));
  const std::string cmd = "cd " + kRoot.string() + " && " + command + " >" + out.string() + " 2>&1";
  const int raw = std::system(cmd.c_str());
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(out);
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, text};
}

std::string readText(const fs::path& file) {
  std::ifstream in(file);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The lines of TEXT between the line holding BEGIN and the next line holding END.
std::vector<std::string> between(const std::string& text, const std::string& begin,
                                 const std::string& end) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (inside && line.find(end) != std::string::npos) break;
    if (inside) lines.push_back(line);
    if (line.find(begin) != std::string::npos) inside = true;
  }
  return lines;
}

// "| a | b | c |" -> {"a", "b", "c"} (cells trimmed).
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> result;
  std::string cell;
  bool code = false;
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '`') code = !code;
    if (row[i] == '|' && !code) {
      const auto first = cell.find_first_not_of(' ');
      const auto last = cell.find_last_not_of(' ');
      result.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
      cell.clear();
    } else {
      cell += row[i];
    }
  }
  return result;
}

TEST(DocsTest, ShippedSchemaIsWhatTheCodeWrites) {
  const auto r = run(std::string(EJ_BINARY) + " schema");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, readText(kRoot / "scenarios/edgejoule.schema.json"))
      << "regenerate: build/release/edgejoule schema > scenarios/edgejoule.schema.json";
}

// Every key of the schema has a row in scenarios/README.md whose type, default and
// requiredness are the schema's, and every row names a key of the schema.
TEST(DocsTest, ScenarioReadmeDocumentsEveryKeyOfTheSchema) {
  const auto r = run(std::string(EJ_BINARY) + " schema --markdown");
  ASSERT_EQ(r.status, 0) << r.out;
  std::map<std::string, std::vector<std::string>> generated;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    const auto c = cells(line);
    if (c.size() >= 4 && c[0].rfind("`", 0) == 0) generated[c[0]] = {c[1], c[2], c[3]};
  }
  ASSERT_GT(generated.size(), 50u);
  std::map<std::string, std::vector<std::string>> documented;
  for (const auto& row :
       between(readText(kRoot / "scenarios/README.md"), "<!-- keys: begin", "<!-- keys: end")) {
    const auto c = cells(row);
    if (c.size() < 5 || c[0].rfind("`", 0) != 0) continue;
    EXPECT_FALSE(c[4].empty()) << c[0] << " has no meaning written";
    // The placeholder that 19 keys carried until their meanings were written.
    EXPECT_EQ(c[4].find("see the part's or the kind's README"), std::string::npos)
        << c[0] << " has a placeholder for its meaning";
    documented[c[0]] = {c[1], c[2], c[3]};
  }
  for (const auto& [key, columns] : generated) {
    auto it = documented.find(key);
    if (it == documented.end()) {
      ADD_FAILURE() << key << " is in the schema but not in scenarios/README.md";
      continue;
    }
    EXPECT_EQ(it->second, columns) << key << ": type, default or requiredness differ";
  }
  for (const auto& [key, columns] : documented) {
    EXPECT_TRUE(generated.count(key)) << key << " is in scenarios/README.md but not in the schema";
  }
}

// Every shipped scenario and variant is valid under the schema (Debian's python3-jsonschema),
// and the misspelt fixtures are not: the schema catches in the editor what the loader does.
TEST(DocsTest, ShippedScenariosValidateAgainstTheSchema) {
  const auto valid = run("tools/validate-scenarios scenarios/*.yaml scenarios/variants/*.yaml");
  EXPECT_EQ(valid.status, 0) << valid.out;
  // One "valid" line per file the shell glob names.
  std::size_t files = 0;
  for (const char* dir : {"scenarios", "scenarios/variants"}) {
    for (const auto& e : fs::directory_iterator(kRoot / dir))
      files += e.path().extension() == ".yaml";
  }
  EXPECT_EQ(std::size_t(std::count(valid.out.begin(), valid.out.end(), '\n')), files) << valid.out;
  const auto invalid =
      run("tools/validate-scenarios --expect-invalid tests/cli/fixtures/typo-required-key.yaml "
          "tests/cli/fixtures/typo-part.yaml tests/cli/fixtures/typo-optional-key.yaml "
          "tests/cli/fixtures/unknown-key.yaml tests/cli/fixtures/wrong-dimension.yaml "
          "tests/cli/fixtures/negative-capacity.yaml");
  EXPECT_EQ(invalid.status, 0) << invalid.out;
}

// The figures hw/README.md shows for each kind of part.
const std::map<std::string, std::vector<std::string>>& figuresByKind() {
  static const std::map<std::string, std::vector<std::string>> figures{
      {"mcu", {"core", "clock", "sram_bytes", "flash_bytes", "states"}},
      {"radio", {"family", "tx_current", "rx_current", "sleep_current", "light_sleep_current"}},
      {"battery",
       {"chemistry", "model", "capacity", "voltage", "cutoff_voltage", "internal_resistance"}},
      {"regulator", {"model", "output_voltage", "quiescent_current", "max_output_current"}},
      {"solar", {"current", "duration", "vmp", "imp", "area", "efficiency"}},
  };
  return figures;
}

std::string valueOf(const YAML::Node& node) {
  const YAML::Node v = node.IsMap() && node["value"] ? node["value"] : node;
  return v.IsScalar() ? v.Scalar() : "";
}

// The document a source names: its text up to the first comma or colon.
std::string documentOf(const YAML::Node& node) {
  if (!node.IsMap() || !node["source"]) return "";
  std::string s = node["source"].Scalar();
  s = s.substr(0, s.find_first_of(",:;("));
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// "| `mcu/nrf52840.yaml` | nRF52840 | core cortex-m4f, clock 64 MHz, ... | documents |".
std::string partRow(const fs::path& file) {
  const YAML::Node part = YAML::LoadFile(file.string());
  const std::string kind = file.parent_path().filename().string();
  std::vector<std::string> figures;
  std::vector<std::string> documents;
  auto addDocument = [&](const YAML::Node& node) {
    const std::string d = documentOf(node);
    if (!d.empty() && std::find(documents.begin(), documents.end(), d) == documents.end()) {
      documents.push_back(d);
    }
  };
  for (const auto& key : figuresByKind().at(kind)) {
    const YAML::Node node = part[key];
    if (!node) continue;
    if (key == "states") {
      for (const auto& state : node) {
        figures.push_back(fmt::format("{} {}", state.first.Scalar(), valueOf(state.second)));
        addDocument(state.second);
      }
      continue;
    }
    figures.push_back(fmt::format("{} {}", key, valueOf(node)));
    addDocument(node);
  }
  if (part["datasheet"]) documents.insert(documents.begin(), part["datasheet"].Scalar());
  return fmt::format("| `{}/{}` | {} | {} | {} |", kind, file.filename().string(),
                     part["name"] ? part["name"].Scalar() : "", fmt::join(figures, ", "),
                     fmt::join(documents, "; "));
}

TEST(DocsTest, HwReadmeTableShowsEveryPartAsWritten) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(kRoot / "hw")) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 22u);  // the parts shipped when this table was written, at least
  std::string expected;
  for (const auto& file : files) expected += partRow(file) + "\n";
  std::string documented;
  for (const auto& row :
       between(readText(kRoot / "hw/README.md"), "<!-- parts: begin", "<!-- parts: end")) {
    if (row.rfind("| `", 0) == 0) documented += row + "\n";
  }
  EXPECT_EQ(documented, expected) << "the table hw/README.md should hold:\n" << expected;
}

}  // namespace
