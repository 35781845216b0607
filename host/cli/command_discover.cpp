// chokepoint discover PATHS.csv --outcome EXPR [--inputs A,B,…] [--alpha A] [--paste-alpha A]
//                    [--min-mass M] [--threshold D] [--boxes K] [--out FILE.json]
// Scenario discovery (PRIM) over a per-path table: under which input ranges does the outcome
// concentrate? Prints each box's limits, coverage, density and mass, and the peeling trajectory.
#include <cstdio>
#include <memory>

#include "analyse/scenario_discovery.hpp"
#include "chokepoint/summary_io.hpp"
#include "commands.hpp"

namespace chokepoint::cli {

Command add_discover_command(CLI::App& app) {
  auto request = std::make_shared<DiscoveryRequest>();
  auto out = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "discover", "scenario discovery (PRIM): input ranges where an outcome concentrates, from a per-path CSV");
  command->add_option("table", request->file, "CSV with a header row and one row per path")->required();
  command->add_option("--outcome", request->outcome,
                      "COLUMN OP VALUE (OP: >= > <= < == !=) or a bare COLUMN (true when not 0)")
      ->required();
  command->add_option("--inputs", request->inputs, "input columns (default: every numeric column but the outcome's and path)")
      ->delimiter(',');
  command->add_option("--alpha", request->options.peel_alpha, "share of the box peeled per step")->capture_default_str();
  command->add_option("--paste-alpha", request->options.paste_alpha, "share of the box pasted per step")->capture_default_str();
  command->add_option("--min-mass", request->options.min_mass, "peeling stops before a box holds less than this share")
      ->capture_default_str();
  command->add_option("--threshold", request->options.threshold,
                      "choose the widest box on the trajectory whose density reaches this")
      ->capture_default_str();
  command->add_option("--boxes", request->options.max_boxes, "boxes to find, each among the paths the others leave")
      ->capture_default_str();
  command->add_option("--out", *out, "also write the boxes and trajectories to this JSON file");
  return Command{command, [request, out] {
                   const Discovery discovery = discover(*request);
                   std::fputs(discovery_text(discovery).c_str(), stdout);
                   if (!out->empty()) write_file_atomically(*out, discovery_json_text(discovery));
                   return kExitSuccess;
                 }};
}

}  // namespace chokepoint::cli
