// Directories of results written as a whole, locked, and never over an input (output_files.hpp).
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "chokepoint/errors.hpp"
#include "chokepoint/output_files.hpp"

namespace chokepoint {

namespace fs = std::filesystem;

namespace {

// What chokepoint itself writes into an output directory; --force replaces a directory only when
// it holds nothing else, so `--out . --force` cannot delete a user's files.
const std::vector<std::string> kOwnFiles{"summary.json", "summary.csv",     "scenario.json", "paths.csv", "report.html",
                                         "diff.json",    "diff.csv",        "calibration.json", "calibration.csv",
                                         "sobol.json",   "sobol.csv",       "tornado.json"};

// "out/run-x/" → "out/run-x"; refuses "", "." and "..", which name no new folder.
fs::path target_path(const std::string& target, const std::string& argument) {
  fs::path path = fs::path(target).lexically_normal();
  if (!path.empty() && path.filename().empty()) path = path.parent_path();
  const std::string name = path.filename().string();
  if (path.empty() || name == "." || name == ".." || name.empty())
    throw InputError({InputProblem{"(arguments)", argument, "a directory to create, such as out/my-run",
                                   "\"" + target + "\""}});
  return path;
}

fs::path parent_of(const fs::path& path) { return path.has_parent_path() ? path.parent_path() : fs::path("."); }

void create_parent(const fs::path& path) {
  std::error_code error;
  fs::create_directories(parent_of(path), error);
  if (error) throw_path_error(parent_of(path).string(), error.value(), "create the output directory");
}

}  // namespace

void InputFiles::add(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return;
  std::error_code error;
  const fs::path resolved = fs::weakly_canonical(fs::path(path), error);
  files_.push_back(Identity{error ? path : resolved.string(), static_cast<std::uint64_t>(status.st_dev),
                            static_cast<std::uint64_t>(status.st_ino)});
}

void InputFiles::refuse_as_output(const std::string& output, const std::string& argument) const {
  struct stat target {};
  if (::stat(output.c_str(), &target) != 0) return;  // nothing there yet: it cannot be an input
  const auto same = [&target](const struct stat& other) { return other.st_dev == target.st_dev && other.st_ino == target.st_ino; };
  for (const Identity& input : files_) {
    // The input itself, then each folder above it: replacing any of them would destroy it.
    for (fs::path at(input.path); !at.empty(); at = at.parent_path()) {
      struct stat status {};
      if (::stat(at.c_str(), &status) == 0 && same(status))
        throw InputError({InputProblem{"(arguments)", argument,
                                       "an output that is not one of the command's inputs and does not hold one",
                                       "\"" + output + "\", which " + (at == fs::path(input.path) ? "is " : "holds ") +
                                           input.path}});
      if (at == at.parent_path()) break;
    }
  }
}

OutputLock::OutputLock(const std::string& target) {
  const fs::path path(target);
  const std::string lock_file = (parent_of(path) / ("." + path.filename().string() + ".lock")).string();
  descriptor_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (descriptor_ < 0) throw_path_error(lock_file, errno, "create a lock file");
  if (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(descriptor_);
    descriptor_ = -1;
    if (error == EWOULDBLOCK)
      throw ResourceError("another chokepoint is writing " + target + " (it holds " + lock_file + "); wait for it to finish");
    throw_path_error(lock_file, error, "lock the output");
  }
}

OutputLock::~OutputLock() {
  if (descriptor_ >= 0) ::close(descriptor_);  // closing releases the flock
}

namespace {

std::string prepared_target(const std::string& target, const std::string& argument) {
  const fs::path path = target_path(target, argument);
  create_parent(path);
  return path.string();
}

void require_replaceable(const std::string& target, bool force, const std::string& argument) {
  struct stat status {};
  if (::lstat(target.c_str(), &status) != 0) {
    if (errno == ENOENT) return;
    throw_path_error(target, errno, "create the output directory");
  }
  if (!force)
    throw InputError({InputProblem{"(arguments)", argument, "a new directory, or --force to replace the earlier results",
                                   "\"" + target + "\", which exists"}});
  if (!S_ISDIR(status.st_mode))
    throw InputError({InputProblem{"(arguments)", argument, "a directory", "\"" + target + "\", which is not a directory"}});
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(target, error)) {
    const std::string name = entry.path().filename().string();
    // A temporary file a killed writer left behind is chokepoint's own too.
    const bool leftover = name.front() == '.' && name.find(".tmp-") != std::string::npos;
    if (!leftover && std::find(kOwnFiles.begin(), kOwnFiles.end(), name) == kOwnFiles.end())
      throw InputError({InputProblem{"(arguments)", argument,
                                     "a directory of chokepoint results to replace (--force replaces only those)",
                                     "\"" + target + "\", which holds " + name}});
  }
  if (error) throw_path_error(target, error.value(), "read the output directory");
}

std::string make_staging(const std::string& target) {
  const fs::path path(target);
  std::string pattern = (parent_of(path) / ("." + path.filename().string() + ".partial-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) throw_path_error(target, errno, "create a staging directory");
  return pattern;
}

void sync_directory(const fs::path& directory) {
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor < 0) return;
  ::fsync(descriptor);
  ::close(descriptor);
}

}  // namespace

OutputDirectory::OutputDirectory(std::string target, bool force, const InputFiles& inputs, const std::string& argument)
    : target_(prepared_target(target, argument)), lock_(target_) {
  inputs.refuse_as_output(target_, argument);
  require_replaceable(target_, force, argument);
  staging_ = make_staging(target_);
}

OutputDirectory::~OutputDirectory() {
  if (committed_ || staging_.empty()) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

void OutputDirectory::commit() {
  ::chmod(staging_.c_str(), 0755);
  for (const fs::directory_entry& entry : fs::directory_iterator(staging_)) {
    const int descriptor = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (descriptor >= 0) {
      ::fsync(descriptor);
      ::close(descriptor);
    }
  }
  struct stat status {};
  const bool replacing = ::lstat(target_.c_str(), &status) == 0;
  // One rename, so a reader sees the old directory or the new one, never a mixture. With --force
  // the two are exchanged (renameat2 RENAME_EXCHANGE) and the old one, now at the staging name,
  // removed; on a file system without exchange, the old one is moved aside first.
  int result = ::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), replacing ? RENAME_EXCHANGE : RENAME_NOREPLACE);
  if (result != 0 && (errno == EINVAL || errno == ENOSYS)) {
    std::string aside;
    if (replacing) {
      aside = make_staging(target_);
      if (::rename(target_.c_str(), aside.c_str()) != 0) throw_path_error(target_, errno, "replace the output directory");
    }
    result = ::rename(staging_.c_str(), target_.c_str());
    if (result == 0 && replacing) staging_ = aside;  // what is left to remove
  }
  if (result != 0) throw_path_error(target_, errno, "move the finished results into place");
  committed_ = !replacing;
  sync_directory(parent_of(fs::path(target_)));
  if (replacing) {
    std::error_code ignored;
    fs::remove_all(staging_, ignored);
    committed_ = true;
  }
}

void write_output_file(const std::string& path, const std::string& text, const InputFiles& inputs,
                       const std::string& argument) {
  const fs::path target = target_path(path, argument);
  struct stat status {};
  if (::stat(target.c_str(), &status) == 0 && S_ISDIR(status.st_mode))
    throw InputError({InputProblem{"(arguments)", argument, "a file to write", "\"" + path + "\", which is a directory"}});
  create_parent(target);
  inputs.refuse_as_output(target.string(), argument);
  // A single file is written in a moment: writers of files in one folder take turns on a lock
  // of the folder itself (flock on its descriptor), which leaves no lock file inside a run.
  const int folder = ::open(parent_of(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder < 0) throw_path_error(parent_of(target).string(), errno, "open the output folder");
  ::flock(folder, LOCK_EX);
  try {
    write_file_atomically(target.string(), text);
  } catch (...) {
    ::close(folder);
    throw;
  }
  ::close(folder);
}

}  // namespace chokepoint
