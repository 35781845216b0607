#include "analyse/exact_sum.hpp"

#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace chokepoint {

namespace {

constexpr std::uint64_t kLow32 = 0xFFFFFFFFull;

}  // namespace

void ExactSum::add(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto biased_exponent = static_cast<int>((bits >> 52) & 0x7FF);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  const bool negative = (bits >> 63) != 0;
  if (biased_exponent == 0x7FF) {
    if (fraction != 0) ++nans_;
    else if (negative) ++negative_infinities_;
    else ++positive_infinities_;
    return;
  }
  // x = mantissa · 2^(lowest_bit − 1074): subnormals share the exponent of the smallest normals.
  const std::uint64_t mantissa = biased_exponent == 0 ? fraction : fraction | (std::uint64_t{1} << 52);
  const int lowest_bit = biased_exponent == 0 ? 0 : biased_exponent - 1;
  const int index = lowest_bit / kChunkBits;
  const int shift = lowest_bit % kChunkBits;
  const auto low = static_cast<std::int64_t>((mantissa << shift) & kLow32);
  const auto high = static_cast<std::int64_t>(mantissa >> (kChunkBits - shift));
  if (negative) {
    chunk_[index] -= low;
    chunk_[index + 1] -= high;
  } else {
    chunk_[index] += low;
    chunk_[index + 1] += high;
  }
  if (++adds_since_settle_ >= kAddsBetweenCarries) settle();
}

void ExactSum::settle() {
  for (int i = 0; i + 1 < kChunks; ++i) {
    const std::int64_t carry = chunk_[i] >> kChunkBits;  // arithmetic shift: floor division by 2³²
    chunk_[i] -= carry * (std::int64_t{1} << kChunkBits);
    chunk_[i + 1] += carry;
  }
  adds_since_settle_ = 0;
}

void ExactSum::merge(const ExactSum& other) {
  ExactSum settled_other = other;
  settled_other.settle();
  settle();
  for (int i = 0; i < kChunks; ++i) chunk_[i] += settled_other.chunk_[i];
  settle();
  positive_infinities_ += other.positive_infinities_;
  negative_infinities_ += other.negative_infinities_;
  nans_ += other.nans_;
}

bool ExactSum::operator==(const ExactSum& other) const { return words() == other.words(); }

double ExactSum::value() const {
  if (nans_ > 0 || (positive_infinities_ > 0 && negative_infinities_ > 0))
    return std::numeric_limits<double>::quiet_NaN();
  if (positive_infinities_ > 0) return std::numeric_limits<double>::infinity();
  if (negative_infinities_ > 0) return -std::numeric_limits<double>::infinity();

  ExactSum magnitude = *this;
  magnitude.settle();
  const bool negative = magnitude.chunk_[kChunks - 1] < 0;
  if (negative) {
    for (std::int64_t& c : magnitude.chunk_) c = -c;
    magnitude.settle();
  }
  // Base-2³² digits of |sum|; the top chunk may hold more than 32 bits, so it gets two digits.
  constexpr int kDigits = kChunks + 1;
  std::uint64_t digit[kDigits];
  for (int i = 0; i < kChunks - 1; ++i) digit[i] = static_cast<std::uint64_t>(magnitude.chunk_[i]);
  const auto top = static_cast<std::uint64_t>(magnitude.chunk_[kChunks - 1]);
  digit[kChunks - 1] = top & kLow32;
  digit[kChunks] = top >> kChunkBits;

  int highest = kDigits - 1;
  while (highest >= 0 && digit[highest] == 0) --highest;
  if (highest < 0) return 0.0;
  const auto at = [&](int i) { return i >= 0 ? digit[i] : std::uint64_t{0}; };
  const auto width = static_cast<int>(std::bit_width(digit[highest]));  // 1..32
  // The top 64 significant bits, with every lower bit folded into the last one ("sticky"): the
  // conversion to double then rounds to nearest-even exactly as the infinitely precise sum would.
  std::uint64_t leading = (at(highest) << (64 - width)) | (at(highest - 1) << (32 - width)) | (at(highest - 2) >> width);
  bool sticky = (at(highest - 2) & ((std::uint64_t{1} << width) - 1)) != 0;
  for (int i = highest - 3; i >= 0 && !sticky; --i) sticky = digit[i] != 0;
  if (sticky) leading |= 1;
  const int exponent = kChunkBits * (highest - 2) + width - 1074;
  const double result = std::ldexp(static_cast<double>(leading), exponent);
  return negative ? -result : result;
}

std::vector<std::int64_t> ExactSum::words() const {
  ExactSum settled = *this;
  settled.settle();
  std::vector<std::int64_t> out(settled.chunk_.begin(), settled.chunk_.end());
  out.push_back(static_cast<std::int64_t>(positive_infinities_));
  out.push_back(static_cast<std::int64_t>(negative_infinities_));
  out.push_back(static_cast<std::int64_t>(nans_));
  return out;
}

ExactSum ExactSum::from_words(const std::vector<std::int64_t>& words) {
  if (words.size() != kChunks + 3)
    throw std::invalid_argument("an exact sum has " + std::to_string(kChunks + 3) + " words, found " +
                                std::to_string(words.size()));
  ExactSum sum;
  for (int i = 0; i < kChunks; ++i) {
    if (i + 1 < kChunks && (words[i] < 0 || words[i] > static_cast<std::int64_t>(kLow32)))
      throw std::invalid_argument("exact-sum chunk " + std::to_string(i) + " is not settled");
    sum.chunk_[i] = words[i];
  }
  for (int i = 0; i < 3; ++i)
    if (words[kChunks + i] < 0)
      throw std::invalid_argument("exact-sum non-finite count out of range");
  sum.positive_infinities_ = static_cast<std::uint64_t>(words[kChunks]);
  sum.negative_infinities_ = static_cast<std::uint64_t>(words[kChunks + 1]);
  sum.nans_ = static_cast<std::uint64_t>(words[kChunks + 2]);
  return sum;
}

}  // namespace chokepoint
