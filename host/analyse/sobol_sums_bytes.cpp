#include "analyse/sobol_sums_bytes.hpp"

#include <cstdint>
#include <stdexcept>

namespace chokepoint {

namespace {

void put(std::string& out, std::uint64_t value) {
  for (int byte = 0; byte < 8; ++byte) out.push_back(static_cast<char>((value >> (8 * byte)) & 0xffu));
}

std::uint64_t take(const std::string& bytes, std::size_t& at) {
  if (bytes.size() - at < 8) throw std::invalid_argument("Sobol sums: the bytes end early");
  std::uint64_t value = 0;
  for (int byte = 0; byte < 8; ++byte)
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(byte)]))
             << (8 * byte);
  at += 8;
  return value;
}

}  // namespace

std::string sobol_sums_bytes(const std::vector<PickFreezeSums>& sums) {
  std::string out;
  put(out, sums.size());
  for (const PickFreezeSums& output : sums) {
    const std::vector<std::int64_t> words = output.words();
    put(out, words.size());
    for (std::int64_t word : words) put(out, static_cast<std::uint64_t>(word));
  }
  return out;
}

std::vector<PickFreezeSums> sobol_sums_from_bytes(const std::string& bytes) {
  std::size_t at = 0;
  const std::uint64_t outputs = take(bytes, at);
  // Each output takes at least its word count: a damaged count cannot ask for more than is there.
  if (outputs > bytes.size() / 8) throw std::invalid_argument("Sobol sums: the output count exceeds the bytes");
  std::vector<PickFreezeSums> sums;
  for (std::uint64_t o = 0; o < outputs; ++o) {
    const std::uint64_t count = take(bytes, at);
    if (count > (bytes.size() - at) / 8) throw std::invalid_argument("Sobol sums: the bytes end early");
    std::vector<std::int64_t> words(static_cast<std::size_t>(count));
    for (std::int64_t& word : words) word = static_cast<std::int64_t>(take(bytes, at));
    sums.push_back(PickFreezeSums::from_words(words));
  }
  if (at != bytes.size()) throw std::invalid_argument("Sobol sums: bytes left over after the last output");
  return sums;
}

}  // namespace chokepoint
