// chokepoint-mpi run SCENARIO.json [--paths N] [--seed S] [--threads T] [--out DIR] [--quiet]
//                    [--target-se X --for VARIABLE:YEAR[:STATISTIC]]
// chokepoint-mpi sensitivity SCENARIO.json [the options of chokepoint sensitivity]
//
// The run of `chokepoint run` spread over MPI ranks (docs/scale.md): under `mpirun -n R`, rank r
// runs the paths of shard r/R through the streaming passes; after each pass rank 0 gathers
// every rank's accumulators, merges them in rank order (integer sums: any order gives the same
// bits), advances the quantile selection and broadcasts the next plan. Rank 0 writes the run
// directory, bit for bit the single-process summary. CPU backend; threads per rank as --threads.
//
// `sensitivity` spreads the base samples of `chokepoint sensitivity` the same way: rank r adds
// the Sobol sums of shard r/R's base samples, rank 0 gathers and merges them (exact sums) and
// writes sobol.json and sobol.csv, bit for bit those of `chokepoint sensitivity --backend cpu`.
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <climits>
#include <cstdio>
#include <optional>

#include "analyse/sobol_files.hpp"
#include "analyse/sobol_run.hpp"
#include "analyse/sobol_setup.hpp"
#include "analyse/sobol_sums_bytes.hpp"
#include "analyse/tornado.hpp"
#include "chokepoint/output_files.hpp"
#include "chokepoint/scale.hpp"
#include "chokepoint/summary_io.hpp"
#include "reduce/streamed_convergence.hpp"
#include "reduce/streaming_run.hpp"
#include "reduce/target_se_run.hpp"

namespace {

using namespace chokepoint;

constexpr int kExitBadInput = 2;
constexpr int kExitResource = 3;
constexpr int kExitTargetMissed = 4;  // as `chokepoint run --target-se`: the results are written

// Every rank's bytes, in rank order, on rank 0 (empty elsewhere).
std::vector<std::string> gather_bytes(const std::string& mine, int ranks, int rank) {
  if (mine.size() > static_cast<std::size_t>(INT_MAX)) throw ResourceError("a rank's accumulators exceed 2 GiB");
  const int size = static_cast<int>(mine.size());
  std::vector<int> sizes(static_cast<std::size_t>(ranks));
  MPI_Gather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<std::size_t>(ranks), 0);
  std::string all;
  if (rank == 0) {
    long long total = 0;
    for (int r = 0; r < ranks; ++r) {
      offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
      total += sizes[static_cast<std::size_t>(r)];
    }
    if (total > INT_MAX) throw ResourceError("the ranks' accumulators exceed 2 GiB together");
    all.resize(static_cast<std::size_t>(total));
  }
  MPI_Gatherv(mine.data(), size, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  std::vector<std::string> parts;
  if (rank == 0)
    for (int r = 0; r < ranks; ++r)
      parts.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                                 static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)])));
  return parts;
}

// Every rank's bytes, in rank order, on every rank.
std::vector<std::string> all_gather_bytes(const std::string& mine, int ranks) {
  if (mine.size() > static_cast<std::size_t>(INT_MAX)) throw ResourceError("a rank's sums exceed 2 GiB");
  const int size = static_cast<int>(mine.size());
  std::vector<int> sizes(static_cast<std::size_t>(ranks));
  MPI_Allgather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<std::size_t>(ranks), 0);
  long long total = 0;
  for (int r = 0; r < ranks; ++r) {
    offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
    total += sizes[static_cast<std::size_t>(r)];
  }
  if (total > INT_MAX) throw ResourceError("the ranks' sums exceed 2 GiB together");
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Allgatherv(mine.data(), size, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD);
  std::vector<std::string> parts;
  for (int r = 0; r < ranks; ++r)
    parts.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]),
                               static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)])));
  return parts;
}

std::string broadcast_bytes(std::string bytes, int rank) {
  unsigned long long size = bytes.size();
  MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  if (rank != 0) bytes.resize(size);
  MPI_Bcast(bytes.data(), static_cast<int>(size), MPI_CHAR, 0, MPI_COMM_WORLD);
  return bytes;
}

struct Arguments {
  std::string file;
  RunOptions options;
  std::string out = "out";
  bool quiet = false;
  std::string target_se;  // with --for: search the path count first (docs/sensitivity.md, section 5)
  std::string target_for;
};

// `run --target-se`'s doubling search with each batch split over the ranks as shards are; after
// each batch every rank receives every rank's exact sums (integers) and takes the same step.
TargetSeRecord search_over_ranks(const Scenario& scenario, const Arguments& arguments, int ranks, int rank) {
  if (arguments.target_for.empty())
    throw InputError({InputProblem{"(arguments)", "--for", "--for VARIABLE:YEAR[:STATISTIC] with --target-se", "no --for"}});
  if (arguments.target_se.empty())
    throw InputError({InputProblem{"(arguments)", "--target-se", "--target-se X with --for", "no --target-se"}});
  TargetSearchOptions search;
  search.target = parse_target_se(arguments.target_se);
  const TargetSpec spec = parse_target_spec(scenario, arguments.target_for);
  search.cap = arguments.options.paths;
  search.threads = arguments.options.threads;
  search.precision = arguments.options.precision;
  search.share = [&](PathRange batch) {
    const PathRange part =
        shard_range(batch.size(), ShardSpec{static_cast<std::uint64_t>(rank), static_cast<std::uint64_t>(ranks)});
    return PathRange{batch.begin + part.begin, batch.begin + part.end};
  };
  search.all_parts = [&](const std::string& mine) { return all_gather_bytes(mine, ranks); };
  if (rank == 0 && !arguments.quiet)
    search.after_batch = [&](const TargetSeStep& step) {
      std::fprintf(stderr, "target SE: %llu paths, %s %s %.6g, SE %.4g %s target %.4g\n",
                   static_cast<unsigned long long>(step.paths), spec.for_spec.c_str(), spec.statistic.c_str(),
                   step.estimate, step.se, step.se <= search.target ? "<=" : ">", search.target);
    };
  return search_target_se(scenario, arguments.options.seed, spec, search).record;
}

int run_ranks(const Arguments& arguments, int ranks, int rank) {
  const auto begin = std::chrono::steady_clock::now();
  const Scenario scenario = load_scenario(arguments.file);
  if (arguments.options.paths == 0) throw InputError({InputProblem{"(arguments)", "--paths", "at least 1 path", "0"}});
  std::optional<TargetSeRecord> target;
  if (!arguments.target_se.empty() || !arguments.target_for.empty())
    target = search_over_ranks(scenario, arguments, ranks, rank);
  RunOptions options = arguments.options;
  if (target) options.paths = target->paths;  // then the plain run of the paths it stopped at
  const PathRange range =
      shard_range(options.paths, ShardSpec{static_cast<std::uint64_t>(rank), static_cast<std::uint64_t>(ranks)});
  SelectionPlan plan = first_run_plan(scenario, options.paths, options.seed);
  MomentCounts moments;
  for (;;) {
    PassProgress progress{range.begin, empty_pass_accumulators(scenario, plan)};
    run_pass(scenario, options.seed, options.precision, options.threads, range, plan, progress, 0, 0, {}, {});
    const std::vector<std::string> parts = gather_bytes(encode_pass(progress.accumulators, plan.pass == 1), ranks, rank);
    std::string next_plan;
    bool finished = false;
    if (rank == 0) {
      PassAccumulators merged = empty_pass_accumulators(scenario, plan);
      for (const std::string& part : parts) {  // rank order, though any order gives these bits
        PassAccumulators accumulators = empty_pass_accumulators(scenario, plan);
        decode_pass(part, plan.pass == 1, accumulators);
        merged.merge(accumulators);
      }
      if (plan.pass == 1) moments = std::move(merged.moments);
      plan = advance(plan, merged.selection);
      finished = plan.finished();
      next_plan = encode_plan(plan);
    }
    plan = decode_plan(broadcast_bytes(next_plan, rank));
    int done = finished;
    MPI_Bcast(&done, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (done) break;
  }
  if (rank == 0) {
    Summary summary = summary_from_accumulators(scenario, options.seed, moments, plan);
    add_streamed_convergence(scenario, options.seed, options.precision, options.threads, summary);
    summary.backend = "cpu";
    summary.precision = precision_name(options.precision);
    summary.device = "MPI, " + std::to_string(ranks) + " rank" + (ranks == 1 ? "" : "s");
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    summary.target_se = target;
    write_run_directory(arguments.out, scenario, summary);
    if (!arguments.quiet)
      std::printf("%d ranks: wrote %s/summary.json and %s/summary.csv\n", ranks, arguments.out.c_str(),
                  arguments.out.c_str());
  }
  if (target && !target->met) {
    if (rank == 0)
      std::fprintf(stderr,
                   "warning: --target-se %s not met for %s %s: SE %.4g at the cap of %llu paths (--paths); the results "
                   "are written; raise --paths or the target\n",
                   arguments.target_se.c_str(), target->for_spec.c_str(), target->statistic.c_str(), target->achieved,
                   static_cast<unsigned long long>(target->paths));
    return kExitTargetMissed;
  }
  return 0;
}

struct SensitivityArguments {
  std::string file;
  std::uint64_t base_samples = 1000;
  std::vector<std::string> outputs;  // --for
  std::vector<std::string> groups;   // --group
  std::uint64_t seed = 1;
  std::string backend = "auto";
  int threads = 0;
  std::string precision = "mixed";
  int bootstrap = 1000;
  bool tornado = false;
  std::uint64_t tornado_paths = 4000;
  std::string out;  // default out/sensitivity-<scenario name>, as chokepoint sensitivity
  bool force = false;
  bool quiet = false;
};

// `chokepoint sensitivity` over the ranks; only the simulation of the base samples is spread
// (the tornado, cheap beside it, runs on rank 0).
int sensitivity_ranks(const SensitivityArguments& arguments, int ranks, int rank) {
  const auto begin = std::chrono::steady_clock::now();
  const Scenario scenario = load_scenario(arguments.file);
  // Every rank checks every argument before a path is simulated, so all stop alike.
  if (arguments.backend == "cuda")
    throw InputError({InputProblem{"(arguments)", "--backend", "auto or cpu: chokepoint-mpi simulates on the CPU "
                                   "(one GPU: chokepoint sensitivity --backend cuda)", "cuda"}});
  const SobolSetup setup = sobol_setup(scenario, arguments.outputs, arguments.groups, arguments.file);
  const std::vector<SensitivityOutput>& outputs = setup.outputs;
  const std::vector<InputGroup>& groups = setup.groups;
  SobolRequest request;
  request.base_samples = arguments.base_samples;
  request.seed = arguments.seed;
  request.backend = "cpu";
  request.threads = arguments.threads;
  request.precision = arguments.precision == "reference" ? Precision::reference : Precision::mixed;
  request.bootstrap = arguments.bootstrap;
  std::optional<OutputDirectory> out;  // rank 0's, made before the simulation so that a taken folder stops it
  if (rank == 0) {
    InputFiles inputs;
    inputs.add(arguments.file);
    out.emplace(arguments.out.empty() ? "out/sensitivity-" + safe_folder_name(scenario.name) : arguments.out,
                arguments.force, inputs);
    if (!arguments.quiet)
      std::printf("%s: %zu input groups, %zu outputs; (%zu + 2) × %llu base samples = %llu paths over %d ranks\n",
                  scenario.name.c_str(), groups.size(), outputs.size(), groups.size(),
                  static_cast<unsigned long long>(arguments.base_samples),
                  static_cast<unsigned long long>(sobol_paths(groups.size(), arguments.base_samples)), ranks);
  }
  const PathRange range = shard_range(arguments.base_samples,
                                      ShardSpec{static_cast<std::uint64_t>(rank), static_cast<std::uint64_t>(ranks)});
  const std::vector<PickFreezeSums> mine = sobol_sums_on_cpu(scenario, groups, outputs, request, range.begin, range.end);
  const std::vector<std::string> parts = gather_bytes(sobol_sums_bytes(mine), ranks, rank);
  if (rank != 0) return 0;
  std::vector<PickFreezeSums> merged = sobol_sums_from_bytes(parts[0]);
  for (std::size_t r = 1; r < parts.size(); ++r) {  // rank order, though any order gives these bits
    const std::vector<PickFreezeSums> part = sobol_sums_from_bytes(parts[r]);
    if (part.size() != merged.size()) throw std::logic_error("a rank sent sums of another number of outputs");
    for (std::size_t o = 0; o < merged.size(); ++o) merged[o].merge(part[o]);
  }
  SobolAnalysis analysis = sobol_analysis_from_sums(scenario, groups, outputs, request, merged);
  analysis.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  write_sobol_files(out->staging(), scenario, analysis);
  if (arguments.tornado) {
    TornadoRequest tornado;
    tornado.paths = arguments.tornado_paths;
    tornado.seed = arguments.seed;
    tornado.backend = "cpu";
    tornado.threads = arguments.threads;
    tornado.precision = request.precision;
    write_file_atomically(out->staging() + "/tornado.json", tornado_json_text(compute_tornado(scenario, tornado)));
  }
  out->commit();
  if (!arguments.quiet) {
    std::fputs(sobol_table_text(analysis).c_str(), stdout);
    std::printf("\n%llu paths in %.2f s (%.0f paths/s, %d ranks × %d threads)\nwrote %s/sobol.json, sobol.csv, "
                "scenario.json%s\n",
                static_cast<unsigned long long>(analysis.paths_simulated), analysis.seconds,
                static_cast<double>(analysis.paths_simulated) / analysis.seconds, ranks, analysis.threads,
                out->target().c_str(), arguments.tornado ? ", tornado.json" : "");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int ranks = 1, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);

  Arguments arguments;
  CLI::App app{"chokepoint-mpi: chokepoint run and sensitivity spread over MPI ranks"};
  app.require_subcommand(1);
  CLI::App* run = app.add_subcommand("run", "simulate a scenario on every rank; rank 0 writes DIR/summary.json");
  run->add_option("scenario", arguments.file, "scenario JSON file")->required();
  run->add_option("--paths", arguments.options.paths, "number of Monte Carlo paths (default 100000)")
      ->check(CLI::PositiveNumber);
  run->add_option("--seed", arguments.options.seed, "random seed, 64-bit (default 1)");
  run->add_option("--threads", arguments.options.threads, "CPU threads per rank (default 0: all cores)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--out", arguments.out, "output directory, written by rank 0 (default out)");
  run->add_flag("--quiet", arguments.quiet, "print nothing on success");
  run->add_option("--target-se", arguments.target_se,
                  "run doubling batches over the ranks until the Monte Carlo SE of --for is at most X; --paths is the cap");
  run->add_option("--for", arguments.target_for, "with --target-se: VARIABLE:YEAR[:mean|pNN] or STAGE.binding_share:YEAR");
  SensitivityArguments sobol;
  CLI::App* sensitivity = app.add_subcommand(
      "sensitivity", "Sobol indices of input groups (chokepoint sensitivity) over the ranks; rank 0 writes DIR/sobol.json");
  sensitivity->add_option("scenario", sobol.file, "scenario JSON file")->required();
  sensitivity->add_option("--paths", sobol.base_samples, "base samples N (default 1000); (groups + 2) × N paths")
      ->check(CLI::Range(std::uint64_t{2}, std::uint64_t{1'000'000'000}));
  sensitivity->add_option("--for", sobol.outputs, "VARIABLE:YEAR or STAGE.binding_share:YEAR, repeatable");
  sensitivity->add_option("--group", sobol.groups, "NAME=INPUT,INPUT,… : one group of these inputs, repeatable");
  sensitivity->add_option("--seed", sobol.seed, "random seed, 64-bit (default 1)");
  sensitivity->add_option("--backend", sobol.backend, "auto or cpu: the ranks simulate on the CPU")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  sensitivity->add_option("--threads", sobol.threads, "CPU threads per rank (default 0: all cores)")
      ->check(CLI::Range(0, 1024));
  sensitivity->add_option("--precision", sobol.precision, "mixed (default) or reference")
      ->check(CLI::IsMember({"reference", "mixed"}));
  sensitivity->add_option("--bootstrap", sobol.bootstrap, "bootstrap replicates of the 95% intervals (default 1000)")
      ->check(CLI::Range(2, 100000));
  CLI::Option* tornado = sensitivity->add_flag("--tornado", sobol.tornado, "also write DIR/tornado.json (on rank 0)");
  sensitivity->add_option("--tornado-paths", sobol.tornado_paths, "paths per tornado run (default 4000)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}))
      ->needs(tornado);
  sensitivity->add_option("--out", sobol.out, "directory to create, by rank 0 (default out/sensitivity-<scenario name>)");
  sensitivity->add_flag("--force", sobol.force, "replace the directory if it exists");
  sensitivity->add_flag("--quiet", sobol.quiet, "print nothing on success");
  int code = 0;
  try {
    app.parse(argc, argv);
    code = sensitivity->parsed() ? sensitivity_ranks(sobol, ranks, rank) : run_ranks(arguments, ranks, rank);
  } catch (const CLI::ParseError& error) {
    code = rank == 0 ? app.exit(error) : 0;
    code = code == 0 ? 0 : kExitBadInput;
  } catch (const InputError& error) {
    if (rank == 0) std::fprintf(stderr, "%s\n", error.what());
    code = kExitBadInput;
  } catch (const ResourceError& error) {
    std::fprintf(stderr, "rank %d: error: %s\n", rank, error.what());
    code = kExitResource;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rank %d: internal error: %s\n", rank, error.what());
    code = 1;
  }
  // Every rank knows a missed target (they take the same steps) and finishes normally.
  if (code != 0 && code != kExitTargetMissed && ranks > 1) MPI_Abort(MPI_COMM_WORLD, code);  // the others may wait in a collective
  MPI_Finalize();
  return code;
}
