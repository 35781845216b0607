#include "output/partial_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "chokepoint/errors.hpp"
#include "reduce/run_accumulators.hpp"

namespace chokepoint {

namespace {

constexpr char kMagic[] = "chokepoint-partial";  // with its NUL: 19 bytes

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
T get(const std::string& in, std::size_t& at) {
  T value{};
  if (in.size() - at < sizeof value) throw std::runtime_error("truncated");
  std::memcpy(&value, in.data() + at, sizeof value);
  at += sizeof value;
  return value;
}

std::string kind_name(PartialKind kind) {
  switch (kind) {
    case PartialKind::shard_pass: return "a shard's partial result";
    case PartialKind::refine_plan: return "a refine plan";
    case PartialKind::checkpoint: return "a checkpoint";
    case PartialKind::sobol_sums: return "a Sobol shard's sums";
  }
  return "unknown";
}

}  // namespace

void write_partial_file(const std::string& path, const PartialFile& file) {
  std::string bytes(kMagic, sizeof kMagic);
  put<std::uint32_t>(bytes, kPartialFormatVersion);
  put<std::uint32_t>(bytes, static_cast<std::uint32_t>(file.kind));
  const PartialIdentity& id = file.identity;
  for (std::uint64_t word : {id.scenario_hash, id.seed, id.paths, id.shard_index, id.shard_count, id.first_path, id.end_path})
    put(bytes, word);
  put(bytes, id.pass);
  put(bytes, id.plan_hash);
  put<std::uint32_t>(bytes, id.precision == Precision::reference ? 1u : 0u);
  put<std::uint64_t>(bytes, file.payload.size());
  bytes += file.payload;
  put(bytes, fnv1a(bytes));

  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  const int descriptor = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  bool written = descriptor >= 0;
  for (std::size_t at = 0; written && at < bytes.size();) {
    const ssize_t count = ::write(descriptor, bytes.data() + at, bytes.size() - at);
    written = count > 0;
    if (written) at += static_cast<std::size_t>(count);
  }
  // On disk before the rename, so that even a power cut leaves a whole file under the name.
  written = written && ::fsync(descriptor) == 0;
  if (descriptor >= 0) written = ::close(descriptor) == 0 && written;
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    throw ResourceError("cannot write " + path + ": " + std::strerror(errno));
  }
}

PartialFile read_partial_file(const std::string& path, PartialKind expected_kind) {
  auto problem = [&](const std::string& expected, const std::string& found) {
    return InputError({InputProblem{path, "(file)", expected, found}});
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) throw problem(kind_name(expected_kind), "no such file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < sizeof kMagic + 8 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw problem(kind_name(expected_kind), "a file that is not a chokepoint partial-result file");
  std::size_t at = sizeof kMagic;
  PartialFile file;
  try {
    const auto version = get<std::uint32_t>(bytes, at);
    if (version != kPartialFormatVersion)
      throw problem("format version " + std::to_string(kPartialFormatVersion), "version " + std::to_string(version));
    const auto kind = get<std::uint32_t>(bytes, at);
    if (kind != static_cast<std::uint32_t>(expected_kind))
      throw problem(kind_name(expected_kind), kind_name(static_cast<PartialKind>(kind)));
    file.kind = expected_kind;
    PartialIdentity& id = file.identity;
    for (std::uint64_t* word : {&id.scenario_hash, &id.seed, &id.paths, &id.shard_index, &id.shard_count, &id.first_path,
                                &id.end_path})
      *word = get<std::uint64_t>(bytes, at);
    id.pass = get<std::int32_t>(bytes, at);
    id.plan_hash = get<std::uint64_t>(bytes, at);
    id.precision = get<std::uint32_t>(bytes, at) == 1u ? Precision::reference : Precision::mixed;
    const auto length = get<std::uint64_t>(bytes, at);
    if (length > bytes.size() - at || bytes.size() - at - length != sizeof(std::uint64_t))
      throw problem("a payload of the length its header gives", "a file of " + std::to_string(bytes.size()) + " bytes");
    file.payload = bytes.substr(at, length);
    at += length;
    const auto checksum = get<std::uint64_t>(bytes, at);
    if (checksum != fnv1a(bytes.substr(0, bytes.size() - sizeof checksum)))
      throw problem("a file whose checksum matches", "a damaged file (checksum mismatch)");
  } catch (const std::runtime_error& error) {
    if (dynamic_cast<const InputError*>(&error)) throw;
    throw problem("a whole " + kind_name(expected_kind), std::string("a ") + error.what() + " file");
  }
  return file;
}

}  // namespace chokepoint
