// Cost of the sensitivity accumulators per path, to size their join with the engine
// (docs/sensitivity.md, "Joining the engine"). CPU seconds of the process, so a busy machine
// does not distort the per-core figures.
//
//   sensitivity_bench [PATHS] [INPUTS] [OUTPUTS] [BINS]      defaults 200000 15 420 20
//
// Measures: ExactSum::add; FirstOrderBins::add (exact sums, one accumulator per output);
// FirstOrderRows::add (per input and bin one row of all outputs' int64 sums of q, y quantised to
// 20 bits of the column's range, which a path updates with one contiguous row add per input); and
// PickFreezeSums::add plus estimate for Ishigami at 10⁶ evaluations.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "analyse/binned_first_order.hpp"
#include "analyse/exact_sum.hpp"
#include "reduce/first_order_rows.hpp"
#include "analyse/pick_freeze_sobol.hpp"
#include "chokepoint/philox.hpp"
#include "chokepoint/random_streams.hpp"

namespace {

double cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double uniform(std::uint32_t stream, std::uint64_t index) {
  const chokepoint::PhiloxCounter w =
      chokepoint::philox4x32_10(chokepoint::stream_block(stream, index, 0), chokepoint::seed_key(1));
  return chokepoint::open_uniform(w.word[0]);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t paths = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const int inputs = argc > 2 ? std::atoi(argv[2]) : 15;
  const int outputs = argc > 3 ? std::atoi(argv[3]) : 420;
  const int bins = argc > 4 ? std::atoi(argv[4]) : 20;
  std::printf("sensitivity_bench: %llu paths, %d inputs, %d outputs, %d bins\n", static_cast<unsigned long long>(paths),
              inputs, outputs, bins);

  // Inputs and outputs drawn up front, so that only the accumulation is timed.
  const std::uint64_t drawn = 4096;
  std::vector<double> u(drawn * inputs), y(drawn * outputs);
  for (std::uint64_t p = 0; p < drawn; ++p) {
    for (int i = 0; i < inputs; ++i) u[p * inputs + i] = uniform(static_cast<std::uint32_t>(i), p);
    for (int o = 0; o < outputs; ++o) y[p * outputs + o] = 1e6 * (1.0 + u[p * inputs + o % inputs]) * (1 + o);
  }

  {
    chokepoint::ExactSum sum;
    double plain = 0.0;
    const double t0 = cpu_seconds();
    for (std::uint64_t k = 0; k < paths * 20; ++k) sum.add(y[k % y.size()]);
    const double t1 = cpu_seconds();
    for (std::uint64_t k = 0; k < paths * 20; ++k) plain += y[k % y.size()];
    const double t2 = cpu_seconds();
    std::printf("ExactSum::add                         %8.2f ns per value (plain double += %.2f ns; sums %.6g %.6g)\n",
                (t1 - t0) * 1e9 / (static_cast<double>(paths) * 20.0), (t2 - t1) * 1e9 / (static_cast<double>(paths) * 20.0), sum.value(), plain);
  }
  {
    const int measured_outputs = outputs < 8 ? outputs : 8;  // enough to time; scaled per output
    std::vector<chokepoint::FirstOrderBins> accumulators(measured_outputs, chokepoint::FirstOrderBins(inputs, bins));
    const std::uint64_t n = paths / 10;
    const double t0 = cpu_seconds();
    for (std::uint64_t p = 0; p < n; ++p)
      for (int o = 0; o < measured_outputs; ++o)
        accumulators[o].add(&u[(p % drawn) * inputs], y[(p % drawn) * outputs + o]);
    const double per_output = (cpu_seconds() - t0) * 1e9 / (static_cast<double>(n) * measured_outputs);
    std::printf("FirstOrderBins::add (exact sums)      %8.1f ns per path per output -> %.1f us per path for %d outputs\n",
                per_output, per_output * outputs / 1e3, outputs);
  }
  {
    // FirstOrderRows: the integer [input][bin][output] layout proposed for the engine.
    std::vector<int> scales(outputs);
    for (int o = 0; o < outputs; ++o) scales[o] = chokepoint::FirstOrderRows::scale_exponent_for(1e6 * 2.0 * (1 + o));
    chokepoint::FirstOrderRows rows(inputs, bins, scales);
    chokepoint::FirstOrderRows::Block block(rows);
    const double t0 = cpu_seconds();
    for (std::uint64_t p = 0; p < paths; ++p) {
      // Blocks of paths, as the engine adds them (reduce/first_order_sums.cpp).
      const int k = block.paths();
      block.set_paths(k + 1);
      for (int i = 0; i < inputs; ++i)
        block.bins_of_slot(i)[k] = static_cast<std::uint8_t>(rows.bin_of(u[(p % drawn) * inputs + i]));
      for (int o = 0; o < outputs; ++o) block.outputs_of_path(k)[o] = block.quantise(o, y[(p % drawn) * outputs + o]);
      if (block.paths() == chokepoint::FirstOrderRows::kBlockPaths || p + 1 == paths) rows.add_block(block);
    }
    const double per_path = (cpu_seconds() - t0) * 1e9 / static_cast<double>(paths);
    std::printf("FirstOrderRows::add_block (integer rows) %5.1f ns per path for all %d outputs (S = %.3f, out of range %llu)\n",
                per_path, outputs, rows.estimate(0, 0).index, static_cast<unsigned long long>(rows.out_of_range()));
  }
  {
    // Ishigami, N = 200 000 base samples: 10⁶ evaluations.
    const std::uint64_t n = 200000;
    chokepoint::PickFreezeSums sums(3);
    const auto f = [](const double* v) {
      constexpr double kPi = 3.14159265358979323846;
      const double x1 = kPi * (2 * v[0] - 1), x2 = kPi * (2 * v[1] - 1), x3 = kPi * (2 * v[2] - 1);
      return std::sin(x1) + 7 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
    };
    const double t0 = cpu_seconds();
    double a[3], b[3], mixed[3], y_mixed[3];
    for (std::uint64_t j = 0; j < n; ++j) {
      for (int i = 0; i < 3; ++i) {
        a[i] = uniform(static_cast<std::uint32_t>(i), j);
        b[i] = uniform(static_cast<std::uint32_t>(i), j + n);
      }
      for (int i = 0; i < 3; ++i) {
        for (int k = 0; k < 3; ++k) mixed[k] = k == i ? b[k] : a[k];
        y_mixed[i] = f(mixed);
      }
      sums.add(j, f(a), f(b), y_mixed);
    }
    const double t1 = cpu_seconds();
    const chokepoint::SobolIndices found = sums.estimate();
    const double t2 = cpu_seconds();
    std::printf("pick-freeze Ishigami 10^6 evaluations %8.3f s (draws, model, sums); estimate + 1000 bootstrap %.3f s\n",
                t1 - t0, t2 - t1);
    std::printf("  S  = %.4f %.4f %.4f   ST = %.4f %.4f %.4f\n", found.first_order[0].estimate,
                found.first_order[1].estimate, found.first_order[2].estimate, found.total[0].estimate,
                found.total[1].estimate, found.total[2].estimate);
  }
  return 0;
}
