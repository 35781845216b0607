// Device reductions of per-path columns into what the Summary needs (summary.hpp; exact and
// order-independent, as docs/gpu.md explains):
//   moments    two passes like the CPU (Σx, then Σ(x − mean)²), each over fixed chunks of
//              kReductionChunk paths: one block per (chunk, column) sums its chunk in a fixed
//              order (cub::BlockReduce, no atomics), then one block per column sums the chunk
//              partials in a fixed order. The result depends only on the values and the path
//              count: bit-identical run to run, for any batch or grid of the simulation.
//   counts     binding steps, their squares, paths with any binding step, threshold hits:
//              integers, summed with atomics (exact in any order).
//   quantiles  exact order statistics: cub::DeviceRadixSort of each column, then a gather of
//              the ranks that numpy's `linear` rule and the quantiles' 95 % intervals need
//              (quantile_ranks()); the host interpolates (assemble_summary).
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_radix_sort.cuh>

#include <algorithm>
#include <limits>

#include "chokepoint/order_key.hpp"
#include "device_support.cuh"

namespace chokepoint::cuda::detail {

namespace {

constexpr int kItemsPerThread = kReductionChunk / kReductionThreads;
static_assert(kItemsPerThread * kReductionThreads == kReductionChunk, "a chunk is whole rows of the block");

// Pass 1 (kDeviations false): Σ x per chunk. Pass 2: Σ (x − mean)² per chunk.
template <bool kDeviations>
__global__ void __launch_bounds__(kReductionThreads)
    chunk_sums_kernel(const float* __restrict__ values, std::uint64_t paths, std::uint64_t chunks,
                      const double* __restrict__ means, double* __restrict__ partials) {
  using BlockReduce = cub::BlockReduce<double, kReductionThreads>;
  __shared__ typename BlockReduce::TempStorage storage;
  const std::uint64_t column = blockIdx.y;
  const std::uint64_t chunk = blockIdx.x;
  const float* x = values + column * paths;
  const double mean = kDeviations ? means[column] : 0.0;
  const std::uint64_t begin = chunk * kReductionChunk + threadIdx.x;
  double sum = 0.0;
#pragma unroll
  for (int i = 0; i < kItemsPerThread; ++i) {
    const std::uint64_t p = begin + static_cast<std::uint64_t>(i) * kReductionThreads;
    if (p < paths) {
      const double value = x[p];
      if (kDeviations) {
        const double deviation = value - mean;
        sum += deviation * deviation;
      } else {
        sum += value;
      }
    }
  }
  const double total = BlockReduce(storage).Sum(sum);
  if (threadIdx.x == 0) partials[column * chunks + chunk] = total;
}

// One block per column: the chunks' partials in a fixed order; the mean as the host computes it.
__global__ void __launch_bounds__(kReductionThreads)
    column_totals_kernel(const double* __restrict__ partials, std::uint64_t chunks, std::uint64_t paths,
                         double* __restrict__ totals, double* __restrict__ means) {
  using BlockReduce = cub::BlockReduce<double, kReductionThreads>;
  __shared__ typename BlockReduce::TempStorage storage;
  const std::uint64_t column = blockIdx.x;
  double sum = 0.0;
  for (std::uint64_t c = threadIdx.x; c < chunks; c += kReductionThreads) sum += partials[column * chunks + c];
  const double total = BlockReduce(storage).Sum(sum);
  if (threadIdx.x == 0) {
    totals[column] = total;
    if (means) means[column] = total / static_cast<double>(paths);
  }
}

__global__ void __launch_bounds__(kReductionThreads)
    threshold_kernel(const float* __restrict__ values, std::uint64_t paths, const int* __restrict__ columns,
                     const double* __restrict__ levels, const int* __restrict__ outputs,
                     unsigned long long* __restrict__ hits) {
  using BlockReduce = cub::BlockReduce<unsigned long long, kReductionThreads>;
  __shared__ typename BlockReduce::TempStorage storage;
  const int request = blockIdx.y;
  const float* x = values + static_cast<std::uint64_t>(columns[request]) * paths;
  const double at_least = levels[request];
  const std::uint64_t begin = static_cast<std::uint64_t>(blockIdx.x) * kReductionChunk + threadIdx.x;
  unsigned long long count = 0;
#pragma unroll
  for (int i = 0; i < kItemsPerThread; ++i) {
    const std::uint64_t p = begin + static_cast<std::uint64_t>(i) * kReductionThreads;
    if (p < paths) count += static_cast<double>(x[p]) >= at_least;
  }
  const unsigned long long total = BlockReduce(storage).Sum(count);
  if (threadIdx.x == 0 && total > 0) atomicAdd(&hits[outputs[request]], total);
}

__global__ void __launch_bounds__(kReductionThreads)
    binding_kernel(const std::uint8_t* __restrict__ binding, std::uint64_t paths,
                   unsigned long long* __restrict__ counts) {
  using BlockReduce = cub::BlockReduce<unsigned long long, kReductionThreads>;
  __shared__ typename BlockReduce::TempStorage storage[3];
  const std::uint64_t column = blockIdx.y;
  const std::uint8_t* x = binding + column * paths;
  const std::uint64_t begin = static_cast<std::uint64_t>(blockIdx.x) * kReductionChunk + threadIdx.x;
  unsigned long long steps = 0, squares = 0, any = 0;
#pragma unroll
  for (int i = 0; i < kItemsPerThread; ++i) {
    const std::uint64_t p = begin + static_cast<std::uint64_t>(i) * kReductionThreads;
    if (p < paths) {
      const unsigned long long count = x[p];
      steps += count;
      squares += count * count;
      any += count > 0;
    }
  }
  const unsigned long long total_steps = BlockReduce(storage[0]).Sum(steps);
  const unsigned long long total_squares = BlockReduce(storage[1]).Sum(squares);
  const unsigned long long total_any = BlockReduce(storage[2]).Sum(any);
  if (threadIdx.x == 0) {
    atomicAdd(&counts[3 * column + 0], total_steps);
    atomicAdd(&counts[3 * column + 1], total_squares);
    atomicAdd(&counts[3 * column + 2], total_any);
  }
}

// The value distribution of each column (grid.y): every value's bucket, the top
// kDistributionKeyBits bits of its order key, counted in shared memory per chunk of
// kReductionChunk paths (grid.x) and added to the column's counts with integer atomics (exact
// in any order). Run before the sort, on the values as simulated.
__global__ void __launch_bounds__(kReductionThreads)
    distribution_kernel(const float* __restrict__ values, std::uint64_t paths, unsigned long long* __restrict__ counts) {
  constexpr int kBuckets = 1 << kDistributionKeyBits;
  __shared__ unsigned int chunk_counts[kBuckets];
  for (int b = threadIdx.x; b < kBuckets; b += blockDim.x) chunk_counts[b] = 0;
  __syncthreads();
  const float* x = values + blockIdx.y * paths;
  const std::uint64_t begin = static_cast<std::uint64_t>(blockIdx.x) * kReductionChunk;
  const std::uint64_t end = begin + kReductionChunk < paths ? begin + kReductionChunk : paths;
  for (std::uint64_t p = begin + threadIdx.x; p < end; p += blockDim.x)
    atomicAdd(&chunk_counts[order_key(x[p]) >> (32 - kDistributionKeyBits)], 1u);
  __syncthreads();
  unsigned long long* column_counts = counts + static_cast<std::uint64_t>(blockIdx.y) * kBuckets;
  for (int b = threadIdx.x; b < kBuckets; b += blockDim.x)
    if (chunk_counts[b] != 0) atomicAdd(&column_counts[b], static_cast<unsigned long long>(chunk_counts[b]));
}

// The order statistics of one sorted column.
__global__ void gather_ranks_kernel(const float* __restrict__ sorted, const std::uint64_t* __restrict__ ranks,
                                    int rank_count, float* __restrict__ out) {
  for (int r = threadIdx.x; r < rank_count; r += blockDim.x) out[r] = sorted[ranks[r]];
}

unsigned grid_of(std::uint64_t count, const char* what) {
  if (count > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    throw ResourceError(std::string("CUDA: ") + what + ": too many blocks");
  return static_cast<unsigned>(count);
}

}  // namespace

std::uint64_t DeviceReducer::sort_temp_bytes(std::uint64_t paths) {
  std::size_t bytes = 0;
  cub::DoubleBuffer<float> keys(nullptr, nullptr);
  check(cub::DeviceRadixSort::SortKeys(nullptr, bytes, keys, static_cast<std::uint32_t>(paths)),
        "size the sort's temporary storage");
  return bytes;
}

DeviceReducer::DeviceReducer(std::uint64_t paths, std::uint64_t value_columns, std::uint64_t binding_columns,
                             const std::vector<std::uint64_t>& ranks, std::size_t threshold_count)
    : paths_(paths), chunks_((paths + kReductionChunk - 1) / kReductionChunk), ranks_(ranks),
      threshold_count_(threshold_count) {
  if (paths > std::numeric_limits<std::uint32_t>::max())
    throw ResourceError("CUDA: device reductions sort at most 2^32 - 1 paths per column");
  const std::uint64_t columns = std::max<std::uint64_t>(1, std::max(value_columns, binding_columns));
  if (value_columns > 0) {
    alternate_.allocate(paths, "the sort's second buffer");
    sort_temp_bytes_ = sort_temp_bytes(paths);
    sort_temp_.allocate(std::max<std::size_t>(sort_temp_bytes_, 1), "the sort's temporary storage");
    partials_.allocate(columns * chunks_, "partial sums");
    sums_.allocate(columns, "column sums");
    means_.allocate(columns, "column means");
    squares_.allocate(columns, "column squared deviations");
    upload(ranks_, device_ranks_, "quantile ranks");
    order_.allocate(std::max<std::size_t>(1, columns * ranks_.size()), "order statistics");
    distribution_.allocate(columns * kDistributionBuckets, "value distributions");
  }
  if (binding_columns > 0) binding_counts_.allocate(3 * binding_columns, "binding counts");
  threshold_hits_.allocate(std::max<std::size_t>(1, threshold_count), "threshold hits");
  check(cudaMemset(threshold_hits_.data(), 0, threshold_hits_.size() * sizeof(unsigned long long)),
        "clear threshold hits");
}

void DeviceReducer::reduce_values(float* values, int count, const std::vector<ThresholdOnColumn>& thresholds,
                                  ColumnReduction* out) {
  if (count <= 0) return;
  const dim3 chunk_grid(grid_of(chunks_, "chunk sums"), static_cast<unsigned>(count));
  chunk_sums_kernel<false><<<chunk_grid, kReductionThreads>>>(values, paths_, chunks_, nullptr, partials_.data());
  check_launch("the column sums");
  column_totals_kernel<<<count, kReductionThreads>>>(partials_.data(), chunks_, paths_, sums_.data(), means_.data());
  check_launch("the column totals");
  chunk_sums_kernel<true><<<chunk_grid, kReductionThreads>>>(values, paths_, chunks_, means_.data(), partials_.data());
  check_launch("the squared deviations");
  column_totals_kernel<<<count, kReductionThreads>>>(partials_.data(), chunks_, paths_, squares_.data(), nullptr);
  check_launch("the squared-deviation totals");

  if (!thresholds.empty()) {
    std::vector<int> columns, outputs;
    std::vector<double> levels;
    for (const ThresholdOnColumn& request : thresholds) {
      columns.push_back(request.column);
      levels.push_back(request.at_least);
      outputs.push_back(request.output);
    }
    upload(columns, threshold_columns_, "threshold columns");
    upload(levels, threshold_levels_, "threshold levels");
    upload(outputs, threshold_outputs_, "threshold outputs");
    const dim3 grid(grid_of(chunks_, "threshold counts"), static_cast<unsigned>(thresholds.size()));
    threshold_kernel<<<grid, kReductionThreads>>>(values, paths_, threshold_columns_.data(), threshold_levels_.data(),
                                                  threshold_outputs_.data(), threshold_hits_.data());
    check_launch("the threshold counts");
  }

  check(cudaMemset(distribution_.data(), 0, static_cast<std::size_t>(count) * kDistributionBuckets * sizeof(unsigned long long)),
        "clear value distributions");
  distribution_kernel<<<chunk_grid, kReductionThreads>>>(values, paths_, distribution_.data());
  check_launch("the value distributions");

  // Exact quantiles: sort each column in place (the moments and counts above have read it), then gather.
  const int rank_count = static_cast<int>(ranks_.size());
  for (int c = 0; c < count && rank_count > 0; ++c) {
    cub::DoubleBuffer<float> keys(values + static_cast<std::uint64_t>(c) * paths_, alternate_.data());
    std::size_t bytes = sort_temp_bytes_;
    check(cub::DeviceRadixSort::SortKeys(sort_temp_.data(), bytes, keys, static_cast<std::uint32_t>(paths_)),
          "sort a column");
    check_launch("the column sort");
    gather_ranks_kernel<<<1, 64>>>(keys.Current(), device_ranks_.data(), rank_count,
                                   order_.data() + static_cast<std::uint64_t>(c) * rank_count);
    check_launch("the order-statistic gather");
  }

  const std::vector<double> sums = download(sums_, count, "copy column sums");
  const std::vector<double> squares = download(squares_, count, "copy squared deviations");
  const std::vector<float> order = download(order_, static_cast<std::size_t>(count) * rank_count, "copy order statistics");
  const std::vector<unsigned long long> distribution =
      download(distribution_, static_cast<std::size_t>(count) * kDistributionBuckets, "copy value distributions");
  for (int c = 0; c < count; ++c) {
    out[c].distribution.assign(distribution.begin() + static_cast<std::ptrdiff_t>(c) * kDistributionBuckets,
                               distribution.begin() + static_cast<std::ptrdiff_t>(c + 1) * kDistributionBuckets);
    out[c].sum = sums[c];
    out[c].squared_deviations = squares[c];
    out[c].order_statistics.assign(order.begin() + static_cast<std::ptrdiff_t>(c) * rank_count,
                                   order.begin() + static_cast<std::ptrdiff_t>(c + 1) * rank_count);
  }
}

void DeviceReducer::reduce_binding(const std::uint8_t* binding, int count, BindingReduction* out) {
  if (count <= 0) return;
  check(cudaMemset(binding_counts_.data(), 0, 3 * static_cast<std::size_t>(count) * sizeof(unsigned long long)),
        "clear binding counts");
  const dim3 grid(grid_of(chunks_, "binding counts"), static_cast<unsigned>(count));
  binding_kernel<<<grid, kReductionThreads>>>(binding, paths_, binding_counts_.data());
  check_launch("the binding counts");
  const std::vector<unsigned long long> counts =
      download(binding_counts_, 3 * static_cast<std::size_t>(count), "copy binding counts");
  for (int c = 0; c < count; ++c) out[c] = BindingReduction{counts[3 * c], counts[3 * c + 1], counts[3 * c + 2]};
}

std::vector<std::uint64_t> DeviceReducer::threshold_hits() const {
  const std::vector<unsigned long long> hits = download(threshold_hits_, threshold_count_, "copy threshold hits");
  return std::vector<std::uint64_t>(hits.begin(), hits.end());
}

}  // namespace chokepoint::cuda::detail
