// How chokepoint writes its results (docs/errors.md, "Output folders and files"): every output file is
// created fresh (O_EXCL|O_NOFOLLOW, a random name, so a planted symlink is never followed),
// filled, flushed to disk and renamed into place; a directory of results (a run, a calibration, a
// diff) is filled in a private staging directory beside its target and renamed into place as a
// whole, under a lock, so that a reader never sees files from two different runs side by side.
// An output never replaces one of the command's inputs, compared by device and inode, not by
// name. Path errors a user can fix (a name too long, a directory where a file is expected) are
// InputError (exit 2); a full disk or a failed write is ResourceError (exit 3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chokepoint {

// Throws InputError for errno values that say the path itself is wrong (ENAMETOOLONG, EISDIR,
// ENOTDIR, ELOOP, EEXIST, ENOTEMPTY, ENOENT, EINVAL) and ResourceError for the others (ENOSPC,
// EDQUOT, EIO, EACCES, EROFS, …). `doing` completes "cannot …", e.g. "write the summary".
bool path_is_at_fault(int error);
[[noreturn]] void throw_path_error(const std::string& path, int error, const std::string& doing);

// A file being written: a fresh temporary file in the target's directory, renamed onto the target
// by commit(). Destroyed without commit(), it removes the temporary file. Writes are buffered, so
// a large table (paths.csv) streams to disk without being held in memory.
class OutputFile {
 public:
  explicit OutputFile(std::string path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view text);
  void commit();  // flush, fsync, rename into place; throws on any failure

 private:
  void flush_buffer();
  std::string path_;
  std::string temporary_;
  int descriptor_ = -1;
  std::string buffer_;
};

// Writes `text` to `path` through an OutputFile. Refuses (InputError) when `path` is an existing
// directory.
void write_file_atomically(const std::string& path, const std::string& text);

// Input files of a command, compared by device and inode against its outputs.
class InputFiles {
 public:
  void add(const std::string& path);  // a file that does not exist is ignored
  // InputError when `output` is one of the inputs (the same file) or, for a directory, holds one.
  void refuse_as_output(const std::string& output, const std::string& argument) const;

 private:
  struct Identity {
    std::string path;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
  };
  std::vector<Identity> files_;
};

// An exclusive, non-blocking lock on `target` for the life of the object: a lock file
// "<parent>/.<name>.lock" held with flock. A second writer gets ResourceError (exit 3).
class OutputLock {
 public:
  explicit OutputLock(const std::string& target);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  int descriptor_ = -1;
};

// A directory of results written as a whole. The constructor locks `target`, refuses it when it
// is or holds an input, or when it exists and `force` is false (InputError, exit 2), and creates
// an empty staging directory "<parent>/.<name>.partial-XXXXXX" (mkdtemp, mode 0700 until commit).
// Write the files into staging(); commit() renames the staging directory onto the target
// (exchanging it with the old one under --force, which is then removed). Destroyed without
// commit(), it removes the staging directory and leaves the target as it was.
class OutputDirectory {
 public:
  OutputDirectory(std::string target, bool force, const InputFiles& inputs, const std::string& argument = "--out");
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  const std::string& staging() const { return staging_; }
  const std::string& target() const { return target_; }
  void commit();

 private:
  std::string target_;
  OutputLock lock_;
  std::string staging_;
  bool committed_ = false;
};

// A single output file (the HTML report) that must not replace an input: locked, checked, written
// atomically. InputError when `path` is a directory or one of the inputs.
void write_output_file(const std::string& path, const std::string& text, const InputFiles& inputs,
                       const std::string& argument = "--out");

// A scenario or command name as one safe folder name: letters, digits, '.', '_' and '-' kept,
// anything else '_', never "." or "..", at most 100 bytes. "out/run-" + safe_folder_name(name).
std::string safe_folder_name(const std::string& name);

// Reads a whole regular file of at most `max_bytes` bytes. InputError (exit 2) when it is missing,
// a directory, a device or FIFO, or larger; the message never quotes the file's contents.
std::string read_regular_file(const std::string& path, std::uint64_t max_bytes, const std::string& expected);

// FNV-1a, 64 bits, as 16 hex digits: summary.json records it of the scenario.json written beside
// it, so a reader can tell a scenario.json from another run (not a defence against tampering).
std::string content_digest(std::string_view text);

}  // namespace chokepoint
