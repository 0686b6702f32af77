// Checked writes and the output-folder rule: edgejoule replaces only what it wrote.
#include "sim/core/io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace ej::core {
namespace {
namespace fs = std::filesystem;

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class OutputFolderTest : public ::testing::Test {
 protected:
  // A scratch folder per test process (ctest runs tests in parallel), the working folder
  // inside it, so that `.` and `..` are this test's own.
  const fs::path root = fs::temp_directory_path() / ("ej_io_test_" + std::to_string(getpid()));
  fs::path cwd;
  fs::path saved;
  void SetUp() override {
    fs::remove_all(root);
    cwd = root / "work";
    fs::create_directories(cwd);
    saved = fs::current_path();
    fs::current_path(cwd);
  }
  void TearDown() override {
    fs::current_path(saved);
    fs::remove_all(root);
  }
  static void writeResult(const fs::path& dir, const std::string& text, bool force = false) {
    writeFolderAtomically(
        dir, {"run", "test"},
        [&](const fs::path& tmp) { writeFileChecked(tmp / "summary.json", text); }, force);
  }
  // Nothing but TARGET and what was there before: no temporary sibling left behind.
  void expectNoSiblings(const fs::path& parent, std::size_t entries) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(parent)) {
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
      ++n;
    }
    EXPECT_EQ(n, entries);
  }
};

TEST_F(OutputFolderTest, NewFolderGetsItsFilesAndTheMarker) {
  writeResult("r", "{}");
  EXPECT_EQ(slurp(cwd / "r/summary.json"), "{}");
  EXPECT_TRUE(isEdgejouleFolder(cwd / "r"));
  expectNoSiblings(cwd, 1);
}

TEST_F(OutputFolderTest, OwnFolderIsReplacedWhole) {
  writeResult("r", "first");
  writeFileChecked(cwd / "r/stale.csv", "old");
  writeResult("r", "second");
  EXPECT_EQ(slurp(cwd / "r/summary.json"), "second");
  EXPECT_FALSE(fs::exists(cwd / "r/stale.csv"));
  expectNoSiblings(cwd, 1);
}

TEST_F(OutputFolderTest, ForeignFolderIsRefusedAndKept) {
  fs::create_directory(cwd / "mydata");
  writeFileChecked(cwd / "mydata/thesis.tex", "keep");
  EXPECT_THROW(writeResult("mydata", "{}"), OutputRefused);
  EXPECT_EQ(slurp(cwd / "mydata/thesis.tex"), "keep");
  expectNoSiblings(cwd, 1);
}

TEST_F(OutputFolderTest, ExistingFileIsRefusedAndKept) {
  writeFileChecked(cwd / "afile", "keep");
  EXPECT_THROW(writeResult("afile", "{}"), OutputRefused);
  EXPECT_EQ(slurp(cwd / "afile"), "keep");
}

TEST_F(OutputFolderTest, EmptyFolderIsUsed) {
  fs::create_directory(cwd / "empty");
  writeResult("empty", "{}");
  EXPECT_TRUE(isEdgejouleFolder(cwd / "empty"));
}

TEST_F(OutputFolderTest, WorkingFolderAndItsAncestorsAreRefusedEvenWithForce) {
  writeFileChecked(cwd / "k", "keep");
  for (const char* dir : {".", "./", "..", "../..", "/", "work/..", "../work"}) {
    EXPECT_THROW(writeResult(dir, "{}", true), OutputRefused) << dir;
  }
  EXPECT_EQ(slurp(cwd / "k"), "keep");
  // Even when the working folder holds a marker (the user cd'ed into a result folder).
  writeMarker(cwd, {"run", "test"});
  EXPECT_THROW(writeResult(".", "{}", true), OutputRefused);
  EXPECT_EQ(slurp(cwd / "k"), "keep");
}

TEST_F(OutputFolderTest, HomeFolderIsRefusedEvenWithForce) {
  const fs::path home = root / "home";
  fs::create_directory(home);
  const char* old = std::getenv("HOME");
  const std::string saved = old ? old : "";
  setenv("HOME", home.c_str(), 1);
  EXPECT_THROW(writeResult(home, "{}", true), OutputRefused);
  setenv("HOME", saved.c_str(), 1);
}

TEST_F(OutputFolderTest, ForceReplacesAForeignFolderButNothingAbove) {
  fs::create_directory(cwd / "mydata");
  writeFileChecked(cwd / "mydata/old", "x");
  writeResult("mydata", "{}", true);
  EXPECT_TRUE(isEdgejouleFolder(cwd / "mydata"));
  EXPECT_FALSE(fs::exists(cwd / "mydata/old"));
}

TEST_F(OutputFolderTest, TrailingSlashAndDotNameTheFolderItself) {
  EXPECT_EQ(outputPath("r/"), cwd / "r");
  EXPECT_EQ(outputPath("r/."), cwd / "r");
  EXPECT_EQ(outputPath("."), cwd);
  EXPECT_EQ(outputPath(".."), root);
}

TEST_F(OutputFolderTest, FailedFillLeavesTheOldFolderAndNoSibling) {
  writeResult("r", "first");
  EXPECT_THROW(writeFolderAtomically("r", {"run", "test"},
                                     [](const fs::path& tmp) {
                                       writeFileChecked(tmp / "summary.json", "half");
                                       throw IoError("disk full");
                                     }),
               IoError);
  EXPECT_EQ(slurp(cwd / "r/summary.json"), "first");
  expectNoSiblings(cwd, 1);
}

// /dev/full answers every write with ENOSPC, as a full disk does.
TEST(CheckedFileTest, FullDiskIsAnErrorNamingTheFileAndTheReason) {
  try {
    CheckedFile out("/dev/full");
    out.write(std::string(100, 'x'));  // buffered: the failure shows at close
    out.close();
    FAIL() << "a write to /dev/full succeeded";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/full: cannot write: No space left on device");
  }
}

TEST(CheckedFileTest, MissingFolderIsAnErrorNamingTheFile) {
  try {
    writeFileChecked("/nonexistent-ej-folder/x.csv", "x");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()),
              "/nonexistent-ej-folder/x.csv: cannot create: No such file or directory");
  }
}

}  // namespace
}  // namespace ej::core
