// Files in and out, one implementation each: reads with a stated size limit (a file named by
// mistake, such as /dev/zero, is refused at once instead of read for ever), checked writes
// (every error, down to fsync and close, names the file and the OS's reason), files and result
// folders replaced atomically through a temporary sibling, and the rule that edgejoule only ever
// replaces a folder it wrote itself (recognised by its marker file).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ej::core {

// Size limits of the inputs (bytes), each far above the largest shipped file of its kind.
inline constexpr std::size_t kMaxYamlBytes = 4u << 20;     // a scenario or part file
inline constexpr std::size_t kMaxTraceBytes = 256u << 20;  // a CSV trace
inline constexpr std::size_t kMaxModelBytes = 256u << 20;  // an ONNX model

// The whole of FILE, or ConfigError "FILE: cannot open WHAT" / "FILE: WHAT is larger than
// N MB (the limit for WHAT)" when it cannot be opened, is a folder, or holds more than
// MAX_BYTES. Reads at most MAX_BYTES + 1 bytes whatever the file is.
std::string readFileLimited(const std::filesystem::path& file, std::size_t maxBytes,
                            std::string_view what);

// How reading a whole file ended (readWholeFile).
enum class ReadOutcome { Read, CannotOpen, Folder, TooLarge, CannotRead };

// Reads FILE whole into TEXT, without an exception: one open, one fstat, and reads of at most
// MAX_BYTES + 1 bytes in all. A folder is Folder whether or not it can be opened.
ReadOutcome readWholeFile(const std::filesystem::path& file, std::size_t maxBytes,
                          std::string& text);

// readFileLimited's message for an OUTCOME other than Read, naming the file NAME:
// "NAME: cannot open WHAT", "NAME: cannot open WHAT: it is a folder", "NAME: WHAT is larger
// than 4 MB (the limit for a WHAT)", "NAME: cannot read WHAT".
std::string readFailure(ReadOutcome outcome, std::string_view name, std::size_t maxBytes,
                        std::string_view what);

// A file could not be read or written: "FILE: what failed: the OS's reason".
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The output folder named by the user is not one edgejoule may replace (exit status 2).
class OutputRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file written with every step checked. Text is buffered; close() flushes, fsyncs and
// closes, throwing IoError (a full disk shows at write, fsync or close). Destroyed without
// close() (an exception under way), it closes quietly and the caller discards the file.
class CheckedFile {
 public:
  explicit CheckedFile(std::filesystem::path file);  // created, or truncated
  CheckedFile(const CheckedFile&) = delete;
  CheckedFile& operator=(const CheckedFile&) = delete;
  ~CheckedFile();

  void write(std::string_view text);
  CheckedFile& operator<<(std::string_view text) {
    write(text);
    return *this;
  }
  void close();

 private:
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 16;

  void flush();
  void writeAll(std::string_view text);  // to the file, unbuffered

  std::filesystem::path m_file;
  int m_fd = -1;
  std::string m_buffer;
};

// FILE's whole text, checked (CheckedFile in one call).
void writeFileChecked(const std::filesystem::path& file, std::string_view text);

// Replaces FILE with TEXT atomically: a temporary sibling, written and fsynced, renamed over
// it, and the folder fsynced. A failure leaves FILE as it was.
void writeFileAtomically(const std::filesystem::path& file, std::string_view text);

// Fsyncs the folder DIR itself (its entries: created, renamed, removed files).
void syncFolder(const std::filesystem::path& dir);

// The marker file edgejoule leaves in every folder it writes as a whole (a run's results, a
// sweep, a sweep point): JSON naming the program, its version, what kind of folder it is
// and what made it.
inline constexpr const char* kMarkerFile = ".edgejoule";

struct FolderMarker {
  std::string kind;  // "run", "sweep", "sweep-point", ...
  std::string what;  // e.g. the scenario file
};

// True when DIR is a folder holding edgejoule's marker.
bool isEdgejouleFolder(const std::filesystem::path& dir);

// The absolute, normalised form of an output path (".", "x/" and "x/." name x itself).
std::filesystem::path outputPath(const std::filesystem::path& dir);

// Throws OutputRefused unless TARGET may be written by edgejoule: absent, an empty folder,
// or a folder holding its marker. With FORCE any other folder or file may be replaced too,
// but never the working folder or one of its ancestors, nor the home folder: those are
// refused always, like `/`.
void checkOutputTarget(const std::filesystem::path& target, bool force);

// Writes the folder TARGET as a whole: FILL writes its files into a fresh temporary sibling
// (same parent, so the rename is atomic), every file checked; the marker is written, the
// sibling fsynced, then it takes TARGET's place. On any failure TARGET is as it was and the
// sibling is removed. TARGET must pass checkOutputTarget(TARGET, FORCE).
void writeFolderAtomically(const std::filesystem::path& target, const FolderMarker& marker,
                           const std::function<void(const std::filesystem::path&)>& fill,
                           bool force = false);

// Writes the marker into DIR (for folders filled in place, such as a sweep's).
void writeMarker(const std::filesystem::path& dir, const FolderMarker& marker);

}  // namespace ej::core
