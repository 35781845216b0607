// Files created safely and renamed into place (output_files.hpp), and the bounded reader that
// the result readers share.
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <filesystem>

#include "chokepoint/errors.hpp"
#include "chokepoint/output_files.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

bool path_is_at_fault(int error) {
  switch (error) {
    case ENAMETOOLONG:
    case EISDIR:
    case ENOTDIR:
    case ELOOP:
    case EEXIST:
    case ENOTEMPTY:
    case ENOENT:
    case EINVAL:
      return true;
    default:
      return false;
  }
}

void throw_path_error(const std::string& path, int error, const std::string& doing) {
  const std::string found = std::strerror(error);
  if (path_is_at_fault(error)) throw InputError({InputProblem{path, "", "a path where chokepoint can " + doing, found}});
  throw ResourceError("cannot " + doing + " at " + path + ": " + found);
}

namespace {

// 12 random hex digits: temporary names nobody can predict and plant a link at in advance.
std::string random_suffix() {
  unsigned char bytes[6] = {};
  if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    // Without getrandom, the pid and the clock still differ between runs; O_EXCL keeps it safe.
    const auto now = static_cast<unsigned long long>(std::chrono::steady_clock::now().time_since_epoch().count());
    const unsigned long long mixed = now ^ (static_cast<unsigned long long>(::getpid()) << 32);
    std::memcpy(bytes, &mixed, sizeof bytes);
  }
  char text[16];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]);
  return text;
}

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

}  // namespace

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  struct stat existing {};
  if (::stat(path_.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode)) throw_path_error(path_, EISDIR, "write a file");
  const fs::path target(path_);
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  for (int attempt = 0; attempt < 16 && descriptor_ < 0; ++attempt) {
    temporary_ = (directory / ("." + target.filename().string() + ".tmp-" + random_suffix())).string();
    // O_EXCL|O_NOFOLLOW: never an existing file, never through a symlink someone planted.
    descriptor_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (descriptor_ < 0 && errno != EEXIST) throw_path_error(path_, errno, "write a file");
  }
  if (descriptor_ < 0) throw ResourceError("cannot create a temporary file beside " + path_);
  buffer_.reserve(kBufferBytes);
}

OutputFile::~OutputFile() {
  if (descriptor_ >= 0) {
    ::close(descriptor_);
    ::unlink(temporary_.c_str());
  }
}

void OutputFile::flush_buffer() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t written = ::write(descriptor_, buffer_.data() + done, buffer_.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) throw_path_error(path_, written < 0 ? errno : EIO, "write a file");
    done += static_cast<std::size_t>(written);
  }
  buffer_.clear();
}

void OutputFile::write(std::string_view text) {
  if (buffer_.size() + text.size() > kBufferBytes) flush_buffer();
  if (text.size() > kBufferBytes) {
    buffer_.assign(text);
    flush_buffer();
    return;
  }
  buffer_.append(text);
}

void OutputFile::commit() {
  flush_buffer();
  if (::fsync(descriptor_) != 0) throw_path_error(path_, errno, "write a file");
  const int descriptor = descriptor_;
  descriptor_ = -1;
  if (::close(descriptor) != 0) {
    ::unlink(temporary_.c_str());
    throw_path_error(path_, errno, "write a file");
  }
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary_.c_str());
    throw_path_error(path_, error, "move a finished file into place");
  }
}

void write_file_atomically(const std::string& path, const std::string& text) {
  OutputFile file(path);
  file.write(text);
  file.commit();
}

std::string read_regular_file(const std::string& path, std::uint64_t max_bytes, const std::string& expected) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (descriptor < 0) {
    if (errno == ENOENT) throw InputError({InputProblem{path, "", expected, "no such file"}});
    throw_path_error(path, errno, "read a file");
  }
  struct stat status {};
  std::string found;
  if (::fstat(descriptor, &status) != 0) found = std::strerror(errno);
  else if (S_ISDIR(status.st_mode)) found = "a directory";
  else if (!S_ISREG(status.st_mode)) found = "a special file (device, FIFO or socket)";
  else if (static_cast<std::uint64_t>(status.st_size) > max_bytes)
    found = std::to_string(status.st_size) + " bytes, more than the limit of " + std::to_string(max_bytes);
  if (!found.empty()) {
    ::close(descriptor);
    throw InputError({InputProblem{path, "", expected, found}});
  }
  std::string text(static_cast<std::size_t>(status.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t got = ::read(descriptor, text.data() + done, text.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      ::close(descriptor);
      throw_path_error(path, error, "read a file");
    }
    if (got == 0) break;  // shrank while read: take what is there
    done += static_cast<std::size_t>(got);
  }
  ::close(descriptor);
  text.resize(done);
  return text;
}

std::string content_digest(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

std::string safe_folder_name(const std::string& name) {
  std::string folder;
  for (const char c : name) {
    const bool kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    folder += kept ? c : '_';
    if (folder.size() == 100) break;
  }
  if (folder.find_first_not_of('.') == std::string::npos) folder = "unnamed";
  return folder;
}

}  // namespace chokepoint
