#include "analyse/pick_freeze_sobol.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "analyse/bootstrap_draws.hpp"

namespace chokepoint {

namespace {

struct IndexValues {
  std::vector<double> first_order;
  std::vector<double> total;
};

IndexValues indices_from_sums(const std::vector<double>& sums, double samples, int groups) {
  const double pooled_mean = (sums[0] + sums[2]) / (2.0 * samples);
  const double variance = (sums[1] + sums[3]) / (2.0 * samples) - pooled_mean * pooled_mean;
  IndexValues out;
  for (int i = 0; i < groups; ++i) {
    out.first_order.push_back(sums[4 + 2 * i] / samples / variance);
    out.total.push_back(sums[5 + 2 * i] / samples / (2.0 * variance));
  }
  return out;
}

// numpy's `linear` quantile of sorted values.
double sorted_quantile(const std::vector<double>& sorted, double level) {
  const double position = level * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

SobolIndex summarise(double estimate, std::vector<double> replicates, double level) {
  SobolIndex index;
  index.estimate = estimate;
  double mean = 0.0;
  for (double r : replicates) mean += r;
  mean /= static_cast<double>(replicates.size());
  double squares = 0.0;
  for (double r : replicates) squares += (r - mean) * (r - mean);
  index.standard_error = std::sqrt(squares / static_cast<double>(replicates.size() - 1));
  // NaN (a replicate whose batches hold no variance) sorts last: a plain < is no strict weak
  // order once NaN is present, and std::sort may then read out of bounds.
  std::sort(replicates.begin(), replicates.end(),
            [](double a, double b) { return std::isnan(b) ? !std::isnan(a) : a < b; });
  index.lower = sorted_quantile(replicates, (1.0 - level) / 2.0);
  index.upper = sorted_quantile(replicates, (1.0 + level) / 2.0);
  return index;
}

}  // namespace

PickFreezeSums::PickFreezeSums(int groups, int batches) : groups_(groups), batches_(batches) {
  if (groups < 1) throw std::invalid_argument("pick-freeze needs at least one group, got " + std::to_string(groups));
  if (batches < 2) throw std::invalid_argument("pick-freeze needs at least two batches, got " + std::to_string(batches));
  count_.assign(batches, 0);
  sum_.resize(static_cast<std::size_t>(batches) * terms());
}

void PickFreezeSums::add(std::uint64_t sample, double y_a, double y_b, const double* y_mixed) {
  const auto batch = static_cast<int>(sample % static_cast<std::uint64_t>(batches_));
  ++count_[batch];
  sum_[slot(batch, 0)].add(y_a);
  sum_[slot(batch, 1)].add(y_a * y_a);
  sum_[slot(batch, 2)].add(y_b);
  sum_[slot(batch, 3)].add(y_b * y_b);
  for (int i = 0; i < groups_; ++i) {
    sum_[slot(batch, 4 + 2 * i)].add(y_b * (y_mixed[i] - y_a));
    sum_[slot(batch, 5 + 2 * i)].add((y_a - y_mixed[i]) * (y_a - y_mixed[i]));
  }
}

void PickFreezeSums::merge(const PickFreezeSums& other) {
  if (other.groups_ != groups_ || other.batches_ != batches_)
    throw std::invalid_argument("cannot merge pick-freeze sums of " + std::to_string(other.groups_) + " groups × " +
                                std::to_string(other.batches_) + " batches into " + std::to_string(groups_) + " × " +
                                std::to_string(batches_));
  for (int b = 0; b < batches_; ++b) count_[b] += other.count_[b];
  for (std::size_t s = 0; s < sum_.size(); ++s) sum_[s].merge(other.sum_[s]);
}

bool PickFreezeSums::operator==(const PickFreezeSums& other) const {
  if (groups_ != other.groups_ || batches_ != other.batches_ || count_ != other.count_) return false;
  for (std::size_t s = 0; s < sum_.size(); ++s)
    if (!(sum_[s] == other.sum_[s])) return false;
  return true;
}

std::vector<std::int64_t> PickFreezeSums::words() const {
  std::vector<std::int64_t> out{groups_, batches_};
  for (std::uint64_t c : count_) out.push_back(static_cast<std::int64_t>(c));
  for (const ExactSum& sum : sum_) {
    const std::vector<std::int64_t> sum_words = sum.words();
    out.insert(out.end(), sum_words.begin(), sum_words.end());
  }
  return out;
}

PickFreezeSums PickFreezeSums::from_words(const std::vector<std::int64_t>& words) {
  // Checked before the constructor allocates: a damaged header must not ask for terabytes.
  constexpr std::int64_t kMostGroups = 1 << 20, kMostBatches = 1 << 20;
  if (words.size() < 2 || words[0] < 1 || words[0] > kMostGroups || words[1] < 2 || words[1] > kMostBatches)
    throw std::invalid_argument("pick-freeze sums: the words do not start with a valid group and batch count");
  PickFreezeSums sums(static_cast<int>(words[0]), static_cast<int>(words[1]));
  constexpr std::size_t kSumWords = ExactSum::kChunks + 3;
  const std::size_t expected = 2 + sums.count_.size() + sums.sum_.size() * kSumWords;
  if (words.size() != expected)
    throw std::invalid_argument("pick-freeze sums of " + std::to_string(words[0]) + " groups × " +
                                std::to_string(words[1]) + " batches have " + std::to_string(expected) +
                                " words, found " + std::to_string(words.size()));
  std::size_t at = 2;
  for (std::uint64_t& c : sums.count_) {
    if (words[at] < 0) throw std::invalid_argument("pick-freeze sums: a negative sample count");
    c = static_cast<std::uint64_t>(words[at++]);
  }
  for (ExactSum& sum : sums.sum_) {
    sum = ExactSum::from_words(std::vector<std::int64_t>(words.begin() + static_cast<std::ptrdiff_t>(at),
                                                         words.begin() + static_cast<std::ptrdiff_t>(at + kSumWords)));
    at += kSumWords;
  }
  return sums;
}

std::uint64_t PickFreezeSums::samples() const {
  std::uint64_t n = 0;
  for (std::uint64_t c : count_) n += c;
  return n;
}

SobolIndices PickFreezeSums::estimate(const SobolOptions& options) const {
  if (options.replicates < 2) throw std::invalid_argument("a bootstrap needs at least two replicates");
  if (samples() < 2) throw std::invalid_argument("pick-freeze indices need at least two samples");
  if (!(options.level > 0.0 && options.level < 1.0)) throw std::invalid_argument("the interval level must lie in (0, 1)");
  SobolIndices result;
  result.samples = samples();
  const int terms_per_batch = terms();

  // The point estimate from the exact totals; the replicates from each batch's sums as doubles.
  std::vector<double> totals(terms_per_batch);
  std::vector<double> batch_sums(sum_.size());
  for (int t = 0; t < terms_per_batch; ++t) {
    ExactSum total;
    for (int b = 0; b < batches_; ++b) total.merge(sum_[slot(b, t)]);
    totals[t] = total.value();
  }
  for (std::size_t s = 0; s < sum_.size(); ++s) batch_sums[s] = sum_[s].value();
  const auto samples_double = static_cast<double>(result.samples);
  const double pooled_mean = (totals[0] + totals[2]) / (2.0 * samples_double);
  result.variance = (totals[1] + totals[3]) / (2.0 * samples_double) - pooled_mean * pooled_mean;
  const IndexValues point = indices_from_sums(totals, samples_double, groups_);

  std::vector<std::vector<double>> first_replicates(groups_), total_replicates(groups_);
  std::vector<double> replicate_sums(terms_per_batch);
  for (int r = 0; r < options.replicates; ++r) {
    std::fill(replicate_sums.begin(), replicate_sums.end(), 0.0);
    std::uint64_t replicate_samples = 0;
    for (int k = 0; k < batches_; ++k) {
      const auto batch = static_cast<int>(bootstrap_index(options.seed, static_cast<std::uint32_t>(r),
                                                          static_cast<std::uint32_t>(k), batches_));
      replicate_samples += count_[batch];
      for (int t = 0; t < terms_per_batch; ++t) replicate_sums[t] += batch_sums[slot(batch, t)];
    }
    const IndexValues values = indices_from_sums(replicate_sums, static_cast<double>(replicate_samples), groups_);
    for (int i = 0; i < groups_; ++i) {
      first_replicates[i].push_back(values.first_order[i]);
      total_replicates[i].push_back(values.total[i]);
    }
  }
  for (int i = 0; i < groups_; ++i) {
    result.first_order.push_back(summarise(point.first_order[i], first_replicates[i], options.level));
    result.total.push_back(summarise(point.total[i], total_replicates[i], options.level));
  }
  return result;
}

SobolIndices pick_freeze_indices(const std::vector<double>& y_a, const std::vector<double>& y_b,
                                 const std::vector<std::vector<double>>& y_mixed, const SobolOptions& options) {
  if (y_mixed.empty()) throw std::invalid_argument("pick-freeze needs at least one group");
  bool same = y_b.size() == y_a.size();
  for (const auto& column : y_mixed) same = same && column.size() == y_a.size();
  if (!same) throw std::invalid_argument("pick-freeze outputs y_A, y_B and every y_AB must have the same length");
  PickFreezeSums sums(static_cast<int>(y_mixed.size()));
  std::vector<double> mixed(y_mixed.size());
  for (std::size_t j = 0; j < y_a.size(); ++j) {
    for (std::size_t i = 0; i < y_mixed.size(); ++i) mixed[i] = y_mixed[i][j];
    sums.add(j, y_a[j], y_b[j], mixed.data());
  }
  return sums.estimate(options);
}

}  // namespace chokepoint
