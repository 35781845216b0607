// `extends` (docs/scenario-format.md): a scenario is an RFC 7396 merge patch over its parent, so a
// stress states only what differs. Overrides replace, new keys add, null deletes, chains apply
// in order, and a cycle or a missing parent is an error naming the file and `extends`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

class Extends : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fresh_test_directory("chokepoint_extends");
    // The parent: a valid scenario with an optional key (stages.cowos.yield) to delete.
    write("parent.json", minimal_scenario(R"({"growth": 0.5, "sigma": 0.0})", 4, 3, R"(,
  "report": {"quantiles": [0.05, 0.5, 0.95]})"));
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& text) { return write_file_in(directory_, name, text); }

  // The scenario as compiled, extends applied.
  nlohmann::json resolved(const std::string& name) {
    return nlohmann::json::parse(load_scenario((directory_ / name).string()).resolved_json);
  }

  InputProblem first_problem(const std::string& name) {
    try {
      load_scenario((directory_ / name).string());
    } catch (const InputError& error) {
      return error.problems().front();
    }
    ADD_FAILURE() << name << " was accepted";
    return {};
  }

  fs::path directory_;
};

TEST_F(Extends, ChildOverridesOnlyWhatItStates) {
  write("child.json", R"({"extends": "parent.json", "name": "child",
                          "stages": {"cowos": {"capacity_per_year": 5e11}}})");
  const nlohmann::json merged = resolved("child.json");
  EXPECT_EQ(merged["name"], "child");
  EXPECT_EQ(merged["stages"]["cowos"]["capacity_per_year"], 5e11);
  EXPECT_EQ(merged["stages"]["cowos"]["type"], "flow");   // siblings of the override stay
  EXPECT_EQ(merged["stages"]["cowos"]["per_unit"], 1.0);
  EXPECT_EQ(merged["time"]["years"], 3);                  // untouched sections stay
  EXPECT_FALSE(merged.contains("extends"));
}

TEST_F(Extends, ChildAddsNewKeys) {
  write("child.json", R"({"extends": "parent.json", "name": "child",
      "events": {"quake": {"rate_per_year": 0.1, "severity": 0.2, "half_life_years": 0.1,
                           "targets": {"cowos": 1.0}}}})");
  const Scenario scenario = load_scenario((directory_ / "child.json").string());
  ASSERT_EQ(scenario.event_names.size(), 1u);
  EXPECT_EQ(scenario.event_names[0], "quake");
}

TEST_F(Extends, NullDeletesAKey) {
  write("child.json", R"({"extends": "parent.json", "name": "child", "report": null,
                          "initial": {"inventory_units": 5, "installed_base_units": 2e6}})");
  write("grandchild.json", R"({"extends": "child.json", "name": "grandchild",
                               "initial": {"inventory_units": null}})");
  const nlohmann::json merged = resolved("grandchild.json");
  EXPECT_FALSE(merged.contains("report"));
  EXPECT_FALSE(merged["initial"].contains("inventory_units"));
  EXPECT_EQ(merged["initial"]["installed_base_units"], 2e6);
  // Without the report section the default quantiles apply again.
  EXPECT_EQ(load_scenario((directory_ / "grandchild.json").string()).quantile_levels.size(), 9u);
}

TEST_F(Extends, ChainOfTwoAppliesParentThenChildThenGrandchild) {
  write("child.json", R"({"extends": "parent.json", "name": "child", "useful_life_years": 4,
                          "price": {"usd_per_million_tokens": 2.0}})");
  write("grandchild.json", R"({"extends": "child.json", "name": "grandchild", "useful_life_years": 3})");
  const nlohmann::json merged = resolved("grandchild.json");
  EXPECT_EQ(merged["name"], "grandchild");
  EXPECT_EQ(merged["useful_life_years"], 3);                    // the grandchild wins
  EXPECT_EQ(merged["price"]["usd_per_million_tokens"], 2.0);    // the child's change survives
  EXPECT_EQ(merged["demand"]["tokens_per_year"], 1e15);         // the parent's base stays
}

TEST_F(Extends, ParentPathIsRelativeToTheChild) {
  write("stresses/base.json", minimal_scenario());
  write("stresses/child.json", R"({"extends": "base.json", "name": "child"})");
  EXPECT_EQ(resolved("stresses/child.json")["name"], "child");
}

TEST_F(Extends, ScheduleEntriesMergeByYearSoAStressNullsTheOnesItReplaces) {
  write("base.json", minimal_scenario(R"({"growth": {"2025": 0.5, "2026": 0.4, "2027": 0.3}, "sigma": 0.0})"));
  write("child.json", R"({"extends": "base.json", "name": "child",
                          "factors": {"token_demand": {"growth": {"2026": null, "2027": 0.1}}}})");
  const nlohmann::json growth = resolved("child.json")["factors"]["token_demand"]["growth"];
  EXPECT_EQ(growth, nlohmann::json::parse(R"({"2025": 0.5, "2027": 0.1})"));
}

TEST_F(Extends, YearAddedByAPatchIsPutInCalendarOrder) {
  write("base.json", minimal_scenario(R"({"growth": {"2025": 0.5, "2027": 0.3}, "sigma": 0.0})"));
  write("child.json", R"({"extends": "base.json", "name": "child",
                          "factors": {"token_demand": {"growth": {"2026": 0.1}}}})");
  const nlohmann::ordered_json merged =
      nlohmann::ordered_json::parse(load_scenario((directory_ / "child.json").string()).resolved_json);
  std::string years;
  for (const auto& entry : merged["factors"]["token_demand"]["growth"].items()) years += entry.key() + " ";
  EXPECT_EQ(years, "2025 2026 2027 ");
}

TEST_F(Extends, CycleOfThreeIsAnErrorNamingExtends) {
  write("a.json", R"({"extends": "b.json", "name": "a"})");
  write("b.json", R"({"extends": "c.json", "name": "b"})");
  write("c.json", R"({"extends": "a.json", "name": "c"})");
  const InputProblem problem = first_problem("a.json");
  EXPECT_EQ(problem.path, "extends");
  EXPECT_NE(problem.found.find("already in the chain"), std::string::npos) << problem.found;
  EXPECT_NE(problem.file.find("c.json"), std::string::npos) << problem.file;  // the file that closes the cycle
}

TEST_F(Extends, MissingParentIsAnErrorWithItsPath) {
  write("child.json", R"({"extends": "nowhere/parent.json", "name": "child"})");
  const InputProblem problem = first_problem("child.json");
  EXPECT_EQ(problem.path, "extends");
  EXPECT_NE(problem.file.find("child.json"), std::string::npos);
  EXPECT_NE(problem.found.find((directory_ / "nowhere/parent.json").string()), std::string::npos) << problem.found;
}

TEST_F(Extends, MissingParentInTheMiddleOfAChainNamesTheFileThatExtendsIt) {
  write("child.json", R"({"extends": "gone.json", "name": "child"})");
  write("grandchild.json", R"({"extends": "child.json", "name": "grandchild"})");
  const InputProblem problem = first_problem("grandchild.json");
  EXPECT_NE(problem.file.find("child.json"), std::string::npos);
  EXPECT_EQ(problem.file.find("grandchild.json"), std::string::npos);
  EXPECT_NE(problem.found.find("gone.json"), std::string::npos);
}

}  // namespace
}  // namespace chokepoint::testing
