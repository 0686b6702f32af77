#include "sim/core/config.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/yaml_text.h"

namespace ej::core {
namespace {

// The message a failing read throws, or "" when it does not throw.
template <class F>
std::string errorOf(F&& read) {
  try {
    read();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigTest, ReadsQuantitiesAndNestedKeys) {
  const auto cfg = Config::parse("node:\n  mcu:\n    active: 120 mA\n    sleep: 5 mA\n", "s.yaml");
  const auto mcu = cfg.child("node").child("mcu");
  EXPECT_EQ(mcu.path(), "node.mcu");
  EXPECT_DOUBLE_EQ(in_mA(mcu.quantity<Current>("active")), 120.0);
  EXPECT_DOUBLE_EQ(in_mA(mcu.quantity<Current>("sleep")), 5.0);
  EXPECT_NO_THROW(cfg.requireAllRead());
}

TEST(ConfigTest, WrongDimensionNamesFileLineColumnAndKey) {
  const auto cfg = Config::parse("battery:\n  capacity: 5 mA\n", "b.yaml");
  EXPECT_EQ(errorOf([&] { cfg.child("battery").quantity<Charge>("capacity"); }),
            "b.yaml:2:13: battery.capacity: expected a charge (e.g. 2000 mAh), got '5 mA'");
}

TEST(ConfigTest, NegativeAndNanAreRefusedWhereTheRangeSaysSo) {
  const auto cfg = Config::parse("capacity: -5 mAh\nsoc: nan\n", "b.yaml");
  EXPECT_EQ(errorOf([&] { cfg.quantity<Charge>("capacity", Range::Positive); }),
            "b.yaml:1:11: capacity: must be greater than zero");
  EXPECT_EQ(errorOf([&] { cfg.number("soc", Range::Fraction); }),
            "b.yaml:2:6: soc: must be a finite number");
}

TEST(ConfigTest, MissingKeyPointsAtItsMapping) {
  const auto cfg = Config::parse("battery:\n  voltage: 3.7 V\n", "b.yaml");
  EXPECT_EQ(errorOf([&] { cfg.child("battery").quantity<Charge>("capacity"); }),
            "b.yaml:2:3: battery.capacity: missing");
}

TEST(ConfigTest, UnknownKeyIsAnError) {
  const auto cfg = Config::parse("battery:\n  capacity: 1 Ah\n  capacty: 2 Ah\n", "b.yaml");
  cfg.child("battery").quantity<Charge>("capacity");
  EXPECT_EQ(errorOf([&] { cfg.requireAllRead(); }),
            "b.yaml:3:3: battery.capacty: unknown key (not used by this scenario), did you mean "
            "`capacity`?");
}

// Distances worked out by hand: one adjacent transposition (prat/part), one deletion
// (hld/hold, spreading_factr/spreading_factor), and the textbook kitten/sitting = 3
// (two substitutions and an insertion).
TEST(ConfigTest, EditDistanceCountsTranspositionsAsOne) {
  EXPECT_EQ(editDistance("prat", "part"), 1u);
  EXPECT_EQ(editDistance("hld", "hold"), 1u);
  EXPECT_EQ(editDistance("spreading_factr", "spreading_factor"), 1u);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(editDistance("", "abc"), 3u);
}

TEST(ConfigTest, NearMissNeedsACloseKey) {
  EXPECT_EQ(nearMiss("quiescnt", {"quiescent", "triggered", "hold"}), "quiescent");
  EXPECT_EQ(nearMiss("horizn", {"name", "start", "horizon"}), "horizon");
  // Short keys allow one edit only, and never as many edits as the key has letters.
  EXPECT_EQ(nearMiss("xy", {"on"}), std::nullopt);
  EXPECT_EQ(nearMiss("sped", {"speed_of_light"}), std::nullopt);
  // Longer keys allow two edits: two letters missing still match, three do not (the lengths
  // alone rule a candidate out before its distance is computed).
  EXPECT_EQ(nearMiss("horizo", {"horizon_c"}), std::nullopt);
  EXPECT_EQ(nearMiss("horiz", {"horizon"}), "horizon");
  EXPECT_EQ(nearMiss("horizon", {"horiz"}), "horiz");
  EXPECT_EQ(nearMiss("hori", {"horizon"}), std::nullopt);
}

TEST(ConfigTest, MisspeltRequiredKeyIsReportedAtItsOwnLine) {
  const auto cfg = Config::parse("pir:\n  quiescnt: 0 A\n  hold: 2 s\n", "p.yaml");
  EXPECT_EQ(errorOf([&] { cfg.child("pir").quantity<Current>("quiescent"); }),
            "p.yaml:2:3: pir.quiescnt: unknown key, did you mean `quiescent`? (it is required)");
}

TEST(ConfigTest, MisspeltPartIsBlamedForTheKeysItWouldHaveGiven) {
  const auto cfg = Config::parse("battery:\n  prat: hw/battery/x.yaml\n  model: kibam\n", "b.yaml");
  const auto battery = cfg.child("battery");
  battery.text("model");
  EXPECT_EQ(errorOf([&] { battery.quantity<Charge>("capacity"); }),
            "b.yaml:2:3: battery.prat: unknown key, did you mean `part`?");
}

TEST(ConfigTest, MissingKeyWithoutANearMissIsStillMissing) {
  const auto cfg = Config::parse("battery:\n  colour: red\n", "b.yaml");
  EXPECT_EQ(errorOf([&] { cfg.child("battery").quantity<Charge>("capacity"); }),
            "b.yaml:2:3: battery.capacity: missing");
}

TEST(ConfigTest, DuplicatedKeyNamesBothLines) {
  EXPECT_EQ(errorOf([] {
              Config::parse("pir:\n  hold: 2 s\n  quiescent: 0 A\n  hold: 3 s\n", "d.yaml");
            }),
            "d.yaml:4:3: pir.hold: given twice, at lines 2 and 4");
  EXPECT_EQ(errorOf([] { Config::parse("jobs:\n  - {on: motion, on: motion}\n", "d.yaml"); }),
            "d.yaml:2:18: jobs.0.on: given twice, at lines 2 and 2");
}

TEST(ConfigTest, MisspeltOverrideSuggestsTheSetting) {
  const auto cfg = Config::parse("pir:\n  hold: 2 s\n", "s.yaml", {{"pir.hld", "3 s"}});
  cfg.child("pir").quantity<Time>("hold");
  EXPECT_EQ(errorOf([&] { cfg.requireAllRead(); }),
            "--set pir.hld: no such setting in this scenario, did you mean `hold`?");
}

TEST(ConfigTest, MisspeltOverrideOfARequiredKeyIsReportedAsTheTypo) {
  const auto cfg = Config::parse("pir:\n  quiescent: 0 A\n", "s.yaml", {{"pir.hld", "3 s"}});
  EXPECT_EQ(errorOf([&] { cfg.child("pir").quantity<Time>("hold"); }),
            "--set pir.hld: no such setting, did you mean `hold`? (it is required)");
}

TEST(ConfigTest, ReadLogRecordsValuesOriginsDefaultsAndRequiredness) {
  ReadLog log;
  const auto cfg = Config::parse("pir:\n  quiescent: 15 uA\n", "p.yaml", {{"pir.hold", "3 s"}});
  const auto pir = cfg.child("pir");
  pir.quantity<Current>("quiescent");
  pir.quantity<Current>("triggered", microamperes(15));
  pir.quantity<Time>("hold");
  if (pir.has("seed")) pir.integer("seed", 0, 10);
  // The root's `part:`, the mapping, the pir's `part:`, then three values.
  ASSERT_EQ(log.reads().size(), 6u);
  const auto& q = log.reads()[3];
  EXPECT_EQ(q.path, "pir.quiescent");
  EXPECT_EQ(q.value, "15 uA");
  EXPECT_EQ(q.origin, "p.yaml:2:14");
  EXPECT_TRUE(q.required);
  const auto& t = log.reads()[4];
  EXPECT_EQ(t.value, "15 uA");
  EXPECT_EQ(t.origin, "default");
  EXPECT_FALSE(t.required);
  EXPECT_EQ(log.reads()[5].origin, "--set");
  EXPECT_EQ(log.reads()[5].value, "3 s");
}

TEST(ConfigTest, MalformedYamlIsLocated) {
  EXPECT_EQ(errorOf([] { Config::parse("a: [1, 2\n", "m.yaml"); }).rfind("m.yaml:", 0), 0u);
}

TEST(ConfigTest, OverridesWinAndUnusedOverridesAreErrors) {
  const auto cfg = Config::parse("mcu:\n  active: 120 mA\n", "s.yaml",
                                 {{"mcu.active", "80 mA"}, {"mcu.sleep", "1 mA"}});
  EXPECT_DOUBLE_EQ(in_mA(cfg.child("mcu").quantity<Current>("active")), 80.0);
  EXPECT_EQ(errorOf([&] { cfg.requireAllRead(); }),
            "--set mcu.sleep: no such setting in this scenario");
  EXPECT_DOUBLE_EQ(in_mA(cfg.child("mcu").quantity<Current>("sleep")), 1.0);
  EXPECT_NO_THROW(cfg.requireAllRead());
  const auto bad = Config::parse("mcu:\n  active: 120 mA\n", "s.yaml", {{"mcu.active", "3 V"}});
  EXPECT_EQ(errorOf([&] { bad.child("mcu").quantity<Current>("active"); }),
            "--set mcu.active: expected a current (e.g. 120 mA), got '3 V'");
}

TEST(ConfigTest, PartFilesAreLayeredBelowInlineKeys) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("ej_config_test_parts_" + std::to_string(::getpid()));
  fs::create_directories(dir / "hw");
  std::ofstream(dir / "hw" / "mcu.yaml")
      << "name: Test MCU\nactive: {value: 120 mA, source: \"datasheet p. 3\"}\nsleep: 5 mA\n";
  std::ofstream(dir / "s.yaml") << "mcu:\n  part: hw/mcu.yaml\n  sleep: 2 mA\n";
  const auto cfg = Config::load(dir / "s.yaml");
  const auto mcu = cfg.child("mcu");
  EXPECT_DOUBLE_EQ(in_mA(mcu.quantity<Current>("active")), 120.0);  // from the part
  EXPECT_DOUBLE_EQ(in_mA(mcu.quantity<Current>("sleep")), 2.0);     // inline wins
  EXPECT_NO_THROW(cfg.requireAllRead());

  std::ofstream(dir / "bad.yaml") << "mcu:\n  part: hw/nope.yaml\n";
  EXPECT_EQ(errorOf([&] {
              Config::load(dir / "bad.yaml").child("mcu");
            }).find(":2:9: mcu.part: no such file 'hw/nope.yaml'") != std::string::npos,
            true);
  fs::remove_all(dir);
}

TEST(ConfigTest, ListsMayCarryTheirSource) {
  const auto cfg = Config::parse("k: {value: [1, 2, 3], source: \"a table\"}\nj: [4]\n", "l.yaml");
  EXPECT_EQ(cfg.texts("k"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(cfg.texts("j"), (std::vector<std::string>{"4"}));
  EXPECT_NO_THROW(cfg.requireAllRead());
}

// A sourced value's other keys are checked like any other: reading the value used to replace
// the mapping by its `value:` in yaml-cpp's tree (a Node assignment), so that `sorce:` was
// never looked at.
TEST(ConfigTest, MisspeltKeyBesideASourcedValueIsUnknown) {
  const auto cfg =
      Config::parse("mcu:\n  active: {value: 120 mA, sorce: \"datasheet p. 3\"}\n", "s.yaml");
  EXPECT_DOUBLE_EQ(in_mA(cfg.child("mcu").quantity<Current>("active")), 120.0);
  EXPECT_EQ(errorOf([&] { cfg.requireAllRead(); }),
            "s.yaml:2:27: mcu.active.sorce: unknown key (not used by this scenario)");
}

// An error about a sourced value points at its `value:` (column 19), however often the key
// was read before.
TEST(ConfigTest, ErrorsAboutASourcedValuePointAtTheValue) {
  const auto cfg = Config::parse("mcu:\n  active: {value: 120 mV, source: \"p. 3\"}\n", "s.yaml");
  const auto mcu = cfg.child("mcu");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(errorOf([&] { mcu.quantity<Current>("active"); }),
              "s.yaml:2:19: mcu.active: expected a current (e.g. 120 mA), got '120 mV'");
  }
}

// A fresh folder (named after TAG and this process) holding s.yaml, whose `mcu` is the part
// hw/mcu.yaml beside it (written by the test).
std::filesystem::path scenarioWithPart(const std::string& tag) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("ej_config_test_" + tag + "_" + std::to_string(::getpid()));
  fs::create_directories(dir / "hw");
  std::ofstream(dir / "s.yaml") << "mcu:\n  part: hw/mcu.yaml\n";
  return dir;
}

// Part files are parsed once per thread and kept: a part rewritten between two loads is
// read as it now is, and the second load of an unchanged part gives the same values and
// the same errors.
TEST(ConfigTest, PartFileChangedBetweenLoadsIsReadAgain) {
  namespace fs = std::filesystem;
  const fs::path dir = scenarioWithPart("reload");
  const auto active = [&] {
    const auto cfg = Config::load(dir / "s.yaml");
    const double mA = in_mA(cfg.child("mcu").quantity<Current>("active"));
    cfg.requireAllRead();
    return mA;
  };
  std::ofstream(dir / "hw" / "mcu.yaml") << "active: {value: 120 mA, source: \"p. 3\"}\n";
  EXPECT_DOUBLE_EQ(active(), 120.0);
  EXPECT_DOUBLE_EQ(active(), 120.0);  // the kept tree, unchanged by the first load's reads
  std::ofstream(dir / "hw" / "mcu.yaml") << "active: {value: 130 mA, source: \"p. 3\"}\n";
  EXPECT_DOUBLE_EQ(active(), 130.0);  // same size, same second: the bytes differ
  std::ofstream(dir / "hw" / "mcu.yaml") << "active: 5 mA\nactve: 6 mA\n";
  for (int i = 0; i < 2; ++i) {
    EXPECT_NE(errorOf(active).find("hw/mcu.yaml:2:1: mcu.actve: unknown key (not used by this "
                                   "scenario), did you mean `active`?"),
              std::string::npos)
        << errorOf(active);
  }
  fs::remove_all(dir);
}

// A part file whose times are settled (over 2 s before the read that kept it) is used without
// reading it again while stat() says the same; any change to the file is still seen, also one
// of the same size with its modification time put back (the status-change time moves), and an
// error in the kept part still names the part file and line.
TEST(ConfigTest, SettledPartFileIsKeptUntilItChanges) {
  namespace fs = std::filesystem;
  const fs::path dir = scenarioWithPart("settled");
  const fs::path part = dir / "hw" / "mcu.yaml";
  std::ofstream(part) << "active: 120 mA\nactve: 1 mA\n";
  const auto load = [&] {
    const auto cfg = Config::load(dir / "s.yaml");
    const double mA = in_mA(cfg.child("mcu").quantity<Current>("active"));
    const std::string error = errorOf([&] { cfg.requireAllRead(); });
    return std::to_string(mA) + " " + error.substr(error.find("hw/mcu.yaml"));
  };
  const std::string unknown =
      "hw/mcu.yaml:2:1: mcu.actve: unknown key (not used by this scenario), did you mean "
      "`active`?";
  // The times must be older than the read by the settling time: wait it out once.
  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  EXPECT_EQ(load(), "120.000000 " + unknown);  // read and kept, settled
  EXPECT_EQ(load(), "120.000000 " + unknown);  // kept: the same values and the same error
  const auto modified = fs::last_write_time(part);
  std::ofstream(part) << "active: 130 mA\nactve: 1 mA\n";  // the same size
  fs::last_write_time(part, modified);
  EXPECT_EQ(load(), "130.000000 " + unknown);
  std::ofstream(part) << "active: 5 mA\nactve: 1 mA\n";
  EXPECT_EQ(load(), "5.000000 " + unknown);
  fs::remove_all(dir);
}

// Found by fuzzing the loader: a part (or file) name with a component over 255 bytes made
// std::filesystem::exists throw filesystem_error ("File name too long"), which ended
// `edgejoule check` as an internal error (status 1, no location) instead of a located line.
TEST(ConfigTest, OverlongPartNameIsNoSuchFile) {
  const std::string name = "hw/battery/" + std::string(300, 'x') + ".yaml";
  const auto cfg = Config::parse("battery:\n  part: " + name + "\nfile: " + name + "\n", "s.yaml");
  EXPECT_EQ(errorOf([&] { cfg.child("battery"); }),
            "s.yaml:2:9: battery.part: no such file '" + name + "'");
  EXPECT_EQ(errorOf([&] { cfg.existingFile("file"); }),
            "s.yaml:3:7: file: no such file '" + name + "'");
}

TEST(ConfigTest, MissingFileIsNamed) {
  EXPECT_EQ(errorOf([] { Config::load("no/such/scenario.yaml"); }),
            "no/such/scenario.yaml: no such file");
}

// The scenario and its parts are opened once (no separate existence check): what cannot be
// opened is still told apart from what does not exist, and the text parsed is the one kept.
TEST(ConfigTest, FilesAreReadOnceAndRefusedAsBefore) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("ej_config_test_read_once_" + std::to_string(::getpid()));
  fs::create_directories(dir / "hw" / "folder.yaml");
  const std::string text = "mcu:\n  part: hw/mcu.yaml\n";
  std::ofstream(dir / "s.yaml") << text;
  std::ofstream(dir / "hw" / "mcu.yaml") << "active: 120 mA\n";
  std::ofstream(dir / "folder-part.yaml") << "mcu:\n  part: hw/folder.yaml\n";
  std::ofstream(dir / "missing-part.yaml") << "mcu:\n  part: hw/none.yaml\n";
  const auto cfg = Config::load(dir / "s.yaml");
  EXPECT_EQ(cfg.documentText(), text);
  EXPECT_DOUBLE_EQ(in_mA(cfg.child("mcu").quantity<Current>("active")), 120.0);
  EXPECT_EQ(errorOf([&] { Config::load(dir / "hw"); }),
            (dir / "hw").string() + ": cannot open file");
  // A part is named relative to the working folder: only the end of the name is fixed here.
  const std::string folderPart =
      errorOf([&] { Config::load(dir / "folder-part.yaml").child("mcu"); });
  const std::string expected = "hw/folder.yaml: cannot open file";
  ASSERT_GE(folderPart.size(), expected.size()) << folderPart;
  EXPECT_EQ(folderPart.substr(folderPart.size() - expected.size()), expected) << folderPart;
  EXPECT_EQ(errorOf([&] { Config::load(dir / "missing-part.yaml").child("mcu"); }),
            (dir / "missing-part.yaml").string() + ":2:9: mcu.part: no such file 'hw/none.yaml'");
  fs::remove_all(dir);
}

// where() is the start of fail()'s message, without an exception.
TEST(ConfigTest, WhereIsTheStartOfTheError) {
  const auto cfg = Config::parse("mcu:\n  supply_min: {value: 1.8 V, source: p. 3}\n", "s.yaml",
                                 {{"mcu.supply_max", "3.6 V"}});
  const auto mcu = cfg.child("mcu");
  EXPECT_EQ(mcu.where("supply_min"), "s.yaml:2:23: mcu.supply_min");
  EXPECT_EQ(mcu.where("supply_max"), "--set mcu.supply_max");
  EXPECT_EQ(mcu.where("absent"), "s.yaml:2:3: mcu.absent");
  EXPECT_EQ(errorOf([&] { mcu.fail("supply_min", "too low"); }),
            "s.yaml:2:23: mcu.supply_min: too low");
}

// A mapping reached again through an alias is checked once for duplicated keys; a duplicate
// inside it is still found, at its own lines.
TEST(ConfigTest, AliasedMappingsAreCheckedOnce) {
  const auto cfg = Config::parse("a: &m {x: 1, y: 2}\nb: *m\nc: *m\n", "s.yaml");
  EXPECT_DOUBLE_EQ(cfg.child("c").number("y"), 2.0);
  EXPECT_EQ(errorOf([] { Config::parse("a: &m {x: 1, x: 2}\nb: *m\n", "s.yaml"); }),
            "s.yaml:1:14: a.x: given twice, at lines 1 and 1");
}

// An alias inside the node its anchor names makes the tree a cycle: refused where the node
// starts, naming where the alias is (before, the check for duplicated keys recursed until the
// stack overflowed).
TEST(ConfigTest, AliasInsideItsOwnAnchorIsRefused) {
  EXPECT_EQ(errorOf([] { Config::parse("name: &x {b: *x}\n", "s.yaml"); }),
            "s.yaml:1:7: name: contains itself through an alias, at name.b: a node may not be "
            "inside itself");
  EXPECT_EQ(errorOf([] { Config::parse("a:\n  list: &l [1, [2, *l]]\n", "s.yaml"); }),
            "s.yaml:2:9: a.list: contains itself through an alias, at a.list.1.1: a node may not "
            "be inside itself");
  EXPECT_EQ(errorOf([] { Config::parse("&t {a: *t}\n", "s.yaml"); }),
            "s.yaml:1:1: contains itself through an alias, at a: a node may not be inside itself");
}

// Lists of aliases of lists: each level multiplies the paths to the first list by 10, so a walk
// that followed every path would visit 10^12 items. Each node is walked once: the check for
// duplicated keys and the search for unknown keys (which still finds the first one written).
// Before, the walk did not end within ctest's time limit (a 9-level file took over 60 s).
TEST(ConfigTest, AliasesOfAliasesAreWalkedOnce) {
  const auto cfg = Config::parse(test::aliasesOfAliases("{a: 1}, x", 12), "s.yaml");
  EXPECT_EQ(cfg.keys().size(), 13u);
  EXPECT_EQ(errorOf([&] { cfg.requireAllRead(); }),
            "s.yaml:1:11: l0.0.a: unknown key (not used by this scenario)");
}

}  // namespace
}  // namespace ej::core
