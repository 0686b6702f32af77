// Checked, atomic writes and the output-folder rule; see io.h.
#include "sim/core/io.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "sim/core/calendar.h"
#include "sim/core/config.h"

#ifndef EJ_VERSION
#define EJ_VERSION "unknown"
#endif

namespace ej::core {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& file, const char* what, int error) {
  throw IoError(fmt::format("{}: {}: {}", file.string(), what, std::strerror(error)));
}

// The temporary sibling of TARGET for this process: hidden, named after it.
fs::path siblingOf(const fs::path& target, const char* tag) {
  return target.parent_path() /
         fmt::format(".{}.{}-{}", target.filename().string(), tag, static_cast<long>(getpid()));
}

// True when A is B or one of B's ancestors (both absolute and normal).
bool isSameOrAncestor(const fs::path& a, const fs::path& b) {
  auto ai = a.begin(), bi = b.begin();
  for (; ai != a.end(); ++ai, ++bi) {
    if (ai->empty()) continue;  // a trailing separator
    if (bi == b.end() || *ai != *bi) return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- reading

ReadOutcome readWholeFile(const std::filesystem::path& file, std::size_t maxBytes,
                          std::string& text) {
  text.clear();
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::error_code ec;
    return std::filesystem::is_directory(file, ec) ? ReadOutcome::Folder : ReadOutcome::CannotOpen;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return ReadOutcome::Folder;
  }
  // A regular file's size, when known, sizes the string once (never beyond the limit).
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    text.reserve(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), maxBytes) + 1);
  }
  char buffer[1 << 16];
  ReadOutcome outcome = ReadOutcome::Read;
  for (;;) {
    const std::size_t want = std::min(sizeof buffer, maxBytes + 1 - text.size());
    const ssize_t n = ::read(fd, buffer, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      outcome = ReadOutcome::CannotRead;
      break;
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > maxBytes) {
      outcome = ReadOutcome::TooLarge;
      break;
    }
  }
  ::close(fd);
  return outcome;
}

std::string readFailure(ReadOutcome outcome, std::string_view name, std::size_t maxBytes,
                        std::string_view what) {
  switch (outcome) {
    case ReadOutcome::Read:
      break;
    case ReadOutcome::CannotOpen:
      return fmt::format("{}: cannot open {}", name, what);
    case ReadOutcome::Folder:
      return fmt::format("{}: cannot open {}: it is a folder", name, what);
    case ReadOutcome::TooLarge: {
      const std::string limit = maxBytes >= (1u << 20) ? fmt::format("{} MB", maxBytes >> 20)
                                                       : fmt::format("{} bytes", maxBytes);
      return fmt::format("{}: {} is larger than {} (the limit for a {})", name, what, limit, what);
    }
    case ReadOutcome::CannotRead:
      return fmt::format("{}: cannot read {}", name, what);
  }
  return fmt::format("{}: {} was read", name, what);
}

std::string readFileLimited(const std::filesystem::path& file, std::size_t maxBytes,
                            std::string_view what) {
  std::string text;
  const ReadOutcome outcome = readWholeFile(file, maxBytes, text);
  if (outcome != ReadOutcome::Read) {
    throw ConfigError(readFailure(outcome, file.string(), maxBytes, what));
  }
  return text;
}

// ---------------------------------------------------------------- CheckedFile

CheckedFile::CheckedFile(fs::path file) : m_file(std::move(file)) {
  m_fd = ::open(m_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0) fail(m_file, "cannot create", errno);
  m_buffer.reserve(kBufferBytes);
}

CheckedFile::~CheckedFile() {
  if (m_fd >= 0) ::close(m_fd);
}

void CheckedFile::write(std::string_view text) {
  if (m_fd < 0) throw IoError(fmt::format("{}: written after close", m_file.string()));
  if (m_buffer.size() + text.size() < kBufferBytes) {
    m_buffer.append(text);
    return;
  }
  // A large text goes straight to the file, not copied through the buffer first.
  flush();
  writeAll(text);
}

void CheckedFile::flush() {
  writeAll(m_buffer);
  m_buffer.clear();
}

void CheckedFile::writeAll(std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(m_fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(m_file, "cannot write", errno);
    if (n == 0) fail(m_file, "cannot write", ENOSPC);
    done += static_cast<std::size_t>(n);
  }
}

namespace {
// The files of a result folder being written by this thread (writeFolderAtomically): their
// fsyncs wait until the folder is filled, so that one journal commit carries them all.
struct SyncBatch {
  std::vector<std::pair<int, fs::path>> files;  // written, writeback started, still open
  SyncBatch() = default;
  SyncBatch(const SyncBatch&) = delete;
  SyncBatch& operator=(const SyncBatch&) = delete;
  ~SyncBatch() {
    for (const auto& f : files) ::close(f.first);
  }
  // Fsyncs and closes every file, in the order written; the first failure throws.
  void syncAll() {
    auto pending = std::move(files);
    files.clear();
    std::size_t j = 0;
    try {
      for (; j < pending.size(); ++j) {
        if (::fsync(pending[j].first) != 0) fail(pending[j].second, "cannot sync", errno);
        const int fd = pending[j].first;
        pending[j].first = -1;
        if (::close(fd) != 0) fail(pending[j].second, "cannot close", errno);
      }
    } catch (...) {
      for (; j < pending.size(); ++j) {
        if (pending[j].first >= 0) ::close(pending[j].first);
      }
      throw;
    }
  }
};
thread_local SyncBatch* t_syncBatch = nullptr;
}  // namespace

void CheckedFile::close() {
  flush();
  if (t_syncBatch) {
    // Start the writeback now (all of the folder's files at once); fsynced by the batch.
    ::sync_file_range(m_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    t_syncBatch->files.emplace_back(m_fd, m_file);
    m_fd = -1;
    return;
  }
  if (::fsync(m_fd) != 0) fail(m_file, "cannot sync", errno);
  const int fd = m_fd;
  m_fd = -1;
  if (::close(fd) != 0) fail(m_file, "cannot close", errno);
}

void writeFileChecked(const fs::path& file, std::string_view text) {
  CheckedFile out(file);
  out.write(text);
  out.close();
}

void syncFolder(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(dir, "cannot open the folder", errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) fail(dir, "cannot sync the folder", error);
}

void writeFileAtomically(const fs::path& file, std::string_view text) {
  const fs::path target = outputPath(file);
  const fs::path temp = siblingOf(target, "tmp");
  try {
    writeFileChecked(temp, text);
    if (::rename(temp.c_str(), target.c_str()) != 0)
      fail(target, "cannot rename into place", errno);
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
  syncFolder(target.parent_path());
}

// ---------------------------------------------------------------- result folders

fs::path outputPath(const fs::path& dir) {
  fs::path p = fs::absolute(dir).lexically_normal();
  // "x/" and "x/." normalise to "x/": its filename is empty, its parent_path is x.
  if (p.filename().empty() && p.has_relative_path()) p = p.parent_path();
  return p;
}

bool isEdgejouleFolder(const fs::path& dir) {
  std::error_code ec;
  return fs::is_directory(dir, ec) && fs::is_regular_file(dir / kMarkerFile, ec);
}

void checkOutputTarget(const fs::path& dir, bool force) {
  const fs::path target = outputPath(dir);
  const std::string shown = dir.string();
  if (target == target.root_path()) {
    throw OutputRefused(fmt::format("--out {}: refusing to replace the root folder", shown));
  }
  std::error_code ec;
  const fs::path cwd = outputPath(fs::current_path());
  if (isSameOrAncestor(target, cwd)) {
    throw OutputRefused(fmt::format(
        "--out {}: refusing to replace the working folder or one that holds it; name a new "
        "folder, such as {}/results",
        shown, shown));
  }
  if (const char* home = std::getenv("HOME"); home && *home && target == outputPath(home)) {
    throw OutputRefused(fmt::format("--out {}: refusing to replace the home folder", shown));
  }
  const auto status = fs::symlink_status(target, ec);
  if (!fs::exists(status)) return;
  if (fs::is_directory(status)) {
    if (isEdgejouleFolder(target) || fs::is_empty(target, ec)) return;
    if (force) return;
    throw OutputRefused(
        fmt::format("--out {}: the folder exists and was not written by edgejoule (it has no {} "
                    "marker); choose a new folder, or give --force to replace it",
                    shown, kMarkerFile));
  }
  if (force) return;
  throw OutputRefused(
      fmt::format("--out {}: a file of that name exists; choose a folder name, or give --force "
                  "to replace the file",
                  shown));
}

void writeMarker(const fs::path& dir, const FolderMarker& marker) {
  const nlohmann::json j = {{"program", "edgejoule"},
                            {"version", EJ_VERSION},
                            {"kind", marker.kind},
                            {"what", marker.what},
                            {"written_utc", formatUtc(static_cast<double>(std::time(nullptr)))}};
  writeFileChecked(dir / kMarkerFile, j.dump(2) + "\n");
}

void writeFolderAtomically(const fs::path& dir, const FolderMarker& marker,
                           const std::function<void(const fs::path&)>& fill, bool force) {
  checkOutputTarget(dir, force);
  const fs::path target = outputPath(dir);
  const fs::path parent = target.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw IoError(fmt::format("{}: cannot create: {}", parent.string(), ec.message()));
  const fs::path temp = siblingOf(target, "tmp");
  // A sibling left by a killed run of this same process id cannot be ours any more.
  fs::remove_all(temp, ec);
  if (::mkdir(temp.c_str(), 0755) != 0) fail(temp, "cannot create", errno);
  try {
    {
      // Every file fsynced before the folder and the rename, as one batch: the writeback of
      // all of them started as each is closed, then one fsync each (the first commit of the
      // filesystem's journal carries the others' metadata), instead of a file's data
      // written and committed before the next file is begun.
      SyncBatch batch;
      t_syncBatch = &batch;
      try {
        fill(temp);
        writeMarker(temp, marker);
      } catch (...) {
        t_syncBatch = nullptr;
        throw;
      }
      t_syncBatch = nullptr;
      batch.syncAll();
    }
    syncFolder(temp);
    if (fs::exists(fs::symlink_status(target, ec))) {
      // Swap the new folder in whole, then drop the old one: TARGET never goes missing.
      if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
        fail(target, "cannot replace", errno);
      }
      fs::remove_all(temp, ec);
    } else if (::rename(temp.c_str(), target.c_str()) != 0) {
      fail(target, "cannot rename into place", errno);
    }
    syncFolder(parent);
  } catch (const IoError& e) {
    fs::remove_all(temp, ec);
    // Name the file as the user will look for it, not by the temporary folder's name.
    std::string what = e.what();
    for (std::size_t at; (at = what.find(temp.string())) != std::string::npos;) {
      what.replace(at, temp.string().size(), target.string());
    }
    throw IoError(what);
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }
}

}  // namespace ej::core
