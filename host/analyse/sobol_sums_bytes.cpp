#include "analyse/sobol_sums_bytes.hpp"

#include <cstdint>
#include <stdexcept>

namespace chokepoint {

namespace {

// LEB128: 7 bits a byte, low first.
void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80u) {
    out.push_back(static_cast<char>((value & 0x7fu) | 0x80u));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

std::uint64_t take_varint(const std::string& bytes, std::size_t& at) {
  std::uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (at >= bytes.size()) throw std::invalid_argument("Sobol sums: the bytes end early");
    const auto byte = static_cast<unsigned char>(bytes[at++]);
    value |= static_cast<std::uint64_t>(byte & 0x7fu) << shift;
    if ((byte & 0x80u) == 0) return value;
  }
  throw std::invalid_argument("Sobol sums: a number longer than 64 bits");
}

// The difference of neighbouring words, folded so that small negative ones stay short.
std::uint64_t zigzag(std::uint64_t delta) {
  return (delta << 1) ^ (static_cast<std::uint64_t>(0) - (delta >> 63));
}
std::uint64_t unzigzag(std::uint64_t folded) { return (folded >> 1) ^ (static_cast<std::uint64_t>(0) - (folded & 1u)); }

}  // namespace

// An exact sum's 67 chunks are settled: those below and above its value's exponent range are all
// 0 (or all 2³² − 1 for a negative sum), so neighbouring words mostly repeat. Each word is stored
// as its difference from the one before (zigzag, LEB128), and a run of equal words as a 0
// followed by the run's length: the baseline's 17 outputs × 24 groups take 0.43 MB, not 49.5.
std::string sobol_sums_bytes(const std::vector<PickFreezeSums>& sums) {
  std::string out;
  put_varint(out, sums.size());
  for (const PickFreezeSums& output : sums) {
    const std::vector<std::int64_t> words = output.words();
    put_varint(out, words.size());
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < words.size();) {
      const auto word = static_cast<std::uint64_t>(words[i]);
      if (word != previous) {
        put_varint(out, zigzag(word - previous));
        previous = word;
        ++i;
        continue;
      }
      std::size_t run = 0;
      while (i < words.size() && static_cast<std::uint64_t>(words[i]) == previous) ++run, ++i;
      put_varint(out, 0);
      put_varint(out, run);
    }
  }
  return out;
}

std::vector<PickFreezeSums> sobol_sums_from_bytes(const std::string& bytes) {
  std::size_t at = 0;
  const std::uint64_t outputs = take_varint(bytes, at);
  // Each output takes at least a byte: a damaged count cannot ask for more than is there.
  if (outputs > bytes.size()) throw std::invalid_argument("Sobol sums: the output count exceeds the bytes");
  std::vector<PickFreezeSums> sums;
  for (std::uint64_t o = 0; o < outputs; ++o) {
    const std::uint64_t count = take_varint(bytes, at);
    // A run of a few bytes may stand for many words, so the count is bounded apart: 2³¹ words
    // (16 GiB) is some 300 times the baseline's default analysis (17 outputs × 24 groups).
    if (count > (std::uint64_t{1} << 31)) throw std::invalid_argument("Sobol sums: an absurd word count");
    std::vector<std::int64_t> words;
    std::uint64_t previous = 0;
    while (words.size() < count) {
      const std::uint64_t folded = take_varint(bytes, at);
      if (folded != 0) {
        previous += unzigzag(folded);
        words.push_back(static_cast<std::int64_t>(previous));
        continue;
      }
      const std::uint64_t run = take_varint(bytes, at);
      if (run == 0 || run > count - words.size()) throw std::invalid_argument("Sobol sums: a run beyond the words");
      words.insert(words.end(), static_cast<std::size_t>(run), static_cast<std::int64_t>(previous));
    }
    sums.push_back(PickFreezeSums::from_words(words));
  }
  if (at != bytes.size()) throw std::invalid_argument("Sobol sums: bytes left over after the last output");
  return sums;
}

}  // namespace chokepoint
