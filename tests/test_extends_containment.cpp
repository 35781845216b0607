// `extends` stays inside the directory of the file that extends it, reads only regular files of
// bounded size without blocking, and files a problem in a parent under the parent's name with the
// chain that led there (docs/errors.md, "extends").
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenario/input_limits.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

class ExtendsContainment : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = unique_test_directory("chokepoint_extends_containment");
    fs::remove_all(root_);
    directory_ = root_ / "scenarios";
    fs::create_directories(directory_);
    write("parent.json", minimal_scenario());
    // Outside the scenarios' directory: valid, so only containment can refuse it.
    std::ofstream(root_ / "outside.json") << minimal_scenario();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::string write(const std::string& name, const std::string& text) { return write_file_in(directory_, name, text); }

  std::string child(const std::string& parent, const std::string& name = "child.json") {
    return write(name, "{\"extends\": " + nlohmann::json(parent).dump() + ", \"name\": \"child\"}");
  }

  InputProblem first_problem(const std::string& file) {
    try {
      load_scenario(file);
    } catch (const InputError& error) {
      return error.problems().front();
    }
    ADD_FAILURE() << file << " was accepted";
    return {};
  }

  // The CLI under `timeout`: a read that blocks fails the test instead of hanging it.
  CommandResult validate_within_seconds(const std::string& file) {
    return run_cli_prefixed("timeout 20 ", "validate '" + file + "'");
  }

  fs::path root_, directory_;
};

TEST_F(ExtendsContainment, ParentInASubdirectoryIsAllowed) {
  write("base/parent.json", minimal_scenario());
  EXPECT_EQ(load_scenario(child("base/parent.json")).name, "child");
}

TEST_F(ExtendsContainment, DotDotIsRefusedEvenWhenItComesBackInside) {
  for (const char* parent : {"../outside.json", "../scenarios/parent.json", "base/../parent.json"}) {
    const InputProblem problem = first_problem(child(parent));
    EXPECT_EQ(problem.path, "extends");
    EXPECT_NE(problem.expected.find("no \"..\""), std::string::npos) << parent << ": " << problem.expected;
  }
}

TEST_F(ExtendsContainment, AbsolutePathsAreRefused) {
  for (const std::string& parent :
       std::vector<std::string>{"/etc/passwd", "/dev/zero", "/dev/stdin", (directory_ / "parent.json").string()}) {
    const InputProblem problem = first_problem(child(parent));
    EXPECT_EQ(problem.path, "extends");
    EXPECT_NE(problem.found.find("an absolute path"), std::string::npos) << parent << ": " << problem.found;
  }
}

TEST_F(ExtendsContainment, SymbolicLinkLeadingOutsideIsRefused) {
  fs::create_symlink(root_ / "outside.json", directory_ / "link.json");
  fs::create_directory_symlink(root_, directory_ / "up");
  for (const char* parent : {"link.json", "up/outside.json"}) {
    const InputProblem problem = first_problem(child(parent));
    EXPECT_EQ(problem.path, "extends");
    EXPECT_NE(problem.found.find("leads outside"), std::string::npos) << parent << ": " << problem.found;
  }
}

TEST_F(ExtendsContainment, SymbolicLinkInsideIsFollowed) {
  fs::create_symlink(directory_ / "parent.json", directory_ / "alias.json");
  EXPECT_EQ(load_scenario(child("alias.json")).name, "child");
}

TEST_F(ExtendsContainment, FifoParentIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo((directory_ / "pipe.json").c_str(), 0600), 0);
  const CommandResult result = validate_within_seconds(child("pipe.json"));
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("pipe.json: expected a readable scenario file, found a FIFO"), std::string::npos)
      << result.output;
}

TEST_F(ExtendsContainment, SpecialFilesAsTheScenarioAreRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo((directory_ / "pipe.json").c_str(), 0600), 0);
  for (const std::string& file : std::vector<std::string>{(directory_ / "pipe.json").string(), "/dev/zero", "/dev/null"}) {
    const CommandResult result = validate_within_seconds(file);
    EXPECT_EQ(result.exit_code, 2) << file << "\n" << result.output;
    EXPECT_NE(result.output.find("not a regular file"), std::string::npos) << file << "\n" << result.output;
  }
}

TEST_F(ExtendsContainment, DirectoryAsParentIsRefused) {
  fs::create_directories(directory_ / "folder.json");
  const InputProblem problem = first_problem(child("folder.json"));
  EXPECT_NE(problem.found.find("a directory"), std::string::npos) << problem.found;
  EXPECT_NE(problem.file.find("folder.json"), std::string::npos) << problem.file;
}

TEST_F(ExtendsContainment, ParentAboveTheSizeLimitIsRefusedUnread) {
  write("huge.json", "{\"description\": \"" + std::string(kMaxScenarioBytes, 'x') + "\"}");
  const InputProblem problem = first_problem(child("huge.json"));
  EXPECT_NE(problem.file.find("huge.json"), std::string::npos) << problem.file;
  EXPECT_NE(problem.found.find("(the limit is 1048576)"), std::string::npos) << problem.found;
}

TEST_F(ExtendsContainment, ChainLongerThanTheLimitIsRefused) {
  for (int i = 0; i < kMaxExtendsDepth + 1; ++i)
    write("level" + std::to_string(i) + ".json",
          "{\"extends\": \"level" + std::to_string(i + 1) + ".json\", \"name\": \"level" + std::to_string(i) + "\"}");
  write("level" + std::to_string(kMaxExtendsDepth + 1) + ".json", minimal_scenario());
  const InputProblem problem = first_problem((directory_ / "level0.json").string());
  EXPECT_EQ(problem.path, "extends");
  EXPECT_EQ(problem.expected, "a chain of at most 8 parents");
  // A chain of exactly the limit loads.
  EXPECT_EQ(load_scenario((directory_ / "level1.json").string()).name, "level1");
}

TEST_F(ExtendsContainment, ProblemInAGrandparentNamesItAndTheChain) {
  std::string bad = minimal_scenario();
  bad.replace(bad.find("\"capacity_per_year\": 1e12"), 25, "\"capacity_per_year\": -5");
  const std::string grandparent = write("grand.json", bad);
  write("middle.json", R"({"extends": "grand.json", "name": "middle"})");
  const std::string file = write("child.json", R"({"extends": "middle.json", "name": "child"})");
  const InputProblem problem = first_problem(file);
  EXPECT_EQ(problem.file, grandparent);
  EXPECT_EQ(problem.path, "stages.cowos.capacity_per_year");
  EXPECT_NE(problem.found.find("child.json → " + (directory_ / "middle.json").string() + " → " + grandparent),
            std::string::npos)
      << problem.found;
}

TEST_F(ExtendsContainment, ProblemTheChildWroteStaysWithTheChild) {
  const std::string file = write("child.json", R"({"extends": "parent.json", "name": "child",
      "stages": {"cowos": {"capacity_per_year": -5}}})");
  const InputProblem problem = first_problem(file);
  EXPECT_EQ(problem.file, file);
  EXPECT_EQ(problem.found.find("through"), std::string::npos) << problem.found;
}

TEST_F(ExtendsContainment, MissingKeyGoesToTheFileThatWroteItsSection) {
  std::string no_steps = minimal_scenario();
  no_steps.replace(no_steps.find(", \"steps_per_year\": 4"), 21, "");
  const std::string parent = write("no_steps.json", no_steps);
  const InputProblem problem = first_problem(child("no_steps.json"));
  EXPECT_EQ(problem.path, "time.steps_per_year");
  EXPECT_EQ(problem.file, parent);
}

TEST_F(ExtendsContainment, ParentThatFailsToParseIsNeverQuoted) {
  write("secret.json", "root:SECRET_HASH_VALUE:0:0:root:/root:/bin/bash\n");
  const InputProblem problem = first_problem(child("secret.json"));
  EXPECT_NE(problem.file.find("secret.json"), std::string::npos) << problem.file;
  EXPECT_EQ(problem.path, "(line 1, column 1)");
  EXPECT_EQ(problem.message().find("SECRET"), std::string::npos) << problem.message();
}

}  // namespace
}  // namespace chokepoint::testing
