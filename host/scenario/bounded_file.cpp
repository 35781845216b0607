// Reading an input file without letting its name decide how long we wait or how much we keep:
// only regular files are read (a FIFO or /dev/stdin would block, /dev/zero would never end), and
// only up to kMaxScenarioBytes.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "scenario/input_limits.hpp"
#include "scenario/json_source.hpp"

namespace chokepoint {

namespace {

const char* kExpected = "a readable scenario file";

[[noreturn]] void refuse(const std::string& file, const std::string& found) {
  throw InputError({InputProblem{file, "", kExpected, found}});
}

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

std::string open_failure(int error) {
  switch (error) {
    case ENOENT: return "no such file";
    case ENOTDIR: return "no such file (a part of the path is not a directory)";
    case EACCES: return "a file that cannot be read (permission denied)";
    case ENAMETOOLONG: return "a file name that is too long";
    case ELOOP: return "a chain of symbolic links that does not end";
    default: return std::string("a file that cannot be opened (") + std::strerror(error) + ")";
  }
}

// Closes the descriptor on every way out, exceptions included.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string read_text_file(const std::string& file) {
  if (file.empty() || file.find('\0') != std::string::npos) refuse(file, "an empty or malformed file name");
  // stat first, so that a device or FIFO is refused without being opened at all (opening some
  // devices has effects of its own); fstat after opening, so that what is read is what was checked.
  struct stat before {};
  if (::stat(file.c_str(), &before) != 0) refuse(file, open_failure(errno));
  if (!S_ISREG(before.st_mode)) refuse(file, file_kind(before.st_mode) + ", not a regular file");
  Descriptor descriptor{::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (descriptor.fd < 0) refuse(file, open_failure(errno));
  struct stat opened {};
  if (::fstat(descriptor.fd, &opened) != 0) refuse(file, open_failure(errno));
  if (!S_ISREG(opened.st_mode)) refuse(file, file_kind(opened.st_mode) + ", not a regular file");
  if (static_cast<std::uint64_t>(opened.st_size) > kMaxScenarioBytes)
    refuse(file, "a file of " + std::to_string(opened.st_size) + " bytes (the limit is " +
                     std::to_string(kMaxScenarioBytes) + ")");

  // The size can change between fstat and read; never keep more than the limit plus one byte.
  std::string text(kMaxScenarioBytes + 1, '\0');
  std::size_t filled = 0;
  while (filled < text.size()) {
    const ssize_t got = ::read(descriptor.fd, text.data() + filled, text.size() - filled);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      refuse(file, std::string("a read error (") + std::strerror(errno) + ")");
    }
    filled += static_cast<std::size_t>(got);
  }
  if (filled > kMaxScenarioBytes)
    refuse(file, "a file that grew beyond the limit of " + std::to_string(kMaxScenarioBytes) + " bytes while read");
  text.resize(filled);
  return text;
}

}  // namespace chokepoint
