// `chokepoint discover` over a per-path CSV: finds a planted box, and bad input exits 2 naming
// the file, the row or column, or the option.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sensitivity_models.hpp"
#include "test_support.hpp"

namespace chokepoint {
namespace {

using testing::input_uniform;
using testing::run_cli;

// path, price, capacity, noise, shortfall, binding: shortfall ≥ 1 happens with probability 0.9
// when price ∈ [0.5, 0.9] and capacity ≤ 0.4, else 0.05; binding is text.
std::string write_table(const std::string& directory) {
  std::filesystem::create_directories(directory);
  const std::string file = directory + "/paths.csv";
  std::ofstream out(file);
  out << "path,price,capacity,noise,shortfall,binding\n";
  for (int p = 0; p < 6000; ++p) {
    const double price = input_uniform(41, 0, p), capacity = input_uniform(41, 1, p), noise = input_uniform(41, 2, p);
    const bool inside = price >= 0.5 && price <= 0.9 && capacity <= 0.4;
    const bool bad = input_uniform(41, 3, p) < (inside ? 0.9 : 0.05);
    out << p << "," << price << "," << capacity << "," << noise << "," << (bad ? 1.5 : 0.25) << ","
        << (bad ? "power" : "demand") << "\n";
  }
  return file;
}

TEST(DiscoverCommand, FindsThePlantedBoxAndWritesItsJson) {
  const std::string directory = testing::unique_test_directory("discover");
  const std::string table = write_table(directory);
  const std::string json_file = directory + "/boxes.json";
  const testing::CommandResult result =
      run_cli("discover " + table + " --outcome 'shortfall>=1' --threshold 0.85 --out " + json_file);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("price in ["), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("capacity ≤ "), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("not used as inputs (not numeric): binding"), std::string::npos) << result.output;
  std::ifstream in(json_file);
  const nlohmann::json json = nlohmann::json::parse(in);
  EXPECT_EQ(json["paths"], 6000);
  EXPECT_EQ(json["inputs"], (std::vector<std::string>{"price", "capacity", "noise"}));
  const nlohmann::json& box = json["boxes"][0];
  // Truth: mass 0.16, density 0.9, coverage 0.144 / (0.144 + 0.84·0.05) = 0.774.
  EXPECT_NEAR(box["density"].get<double>(), 0.9, 0.05);
  EXPECT_NEAR(box["coverage"].get<double>(), 0.144 / 0.186, 0.05);
  EXPECT_NEAR(box["limits"]["price"]["lower"].get<double>(), 0.5, 0.05);
  EXPECT_NEAR(box["limits"]["price"]["upper"].get<double>(), 0.9, 0.05);
  EXPECT_NEAR(box["limits"]["capacity"]["upper"].get<double>(), 0.4, 0.05);
  EXPECT_GT(box["trajectory"].size(), 10u);
  std::filesystem::remove_all(directory);
}

TEST(DiscoverCommand, TextOutcomesAndChosenInputsWork) {
  const std::string directory = testing::unique_test_directory("discover");
  const std::string table = write_table(directory);
  const testing::CommandResult result =
      run_cli("discover " + table + " --outcome 'binding==power' --inputs price,capacity --threshold 0.85");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("with binding==power"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("noise in"), std::string::npos) << result.output;
  std::filesystem::remove_all(directory);
}

TEST(DiscoverCommand, BadInputExitsTwoAndSaysWhere) {
  const std::string directory = testing::unique_test_directory("discover");
  const std::string table = write_table(directory);
  const auto expect_bad = [&](const std::string& arguments, const std::string& says) {
    const testing::CommandResult result = run_cli("discover " + arguments);
    EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(says), std::string::npos) << arguments << "\n" << result.output;
  };
  expect_bad(table + " --outcome 'missing>1'", "a column \"missing\" for --outcome");
  expect_bad(table + " --outcome 'shortfall>>1'", "--outcome");
  expect_bad(table + " --outcome 'binding>power'", "not a number");
  expect_bad(table + " --outcome 'shortfall>1' --inputs price,binding", "row 1, column binding");
  expect_bad(table + " --outcome 'shortfall>1' --alpha 1.5", "--alpha");
  expect_bad(directory + "/none.csv --outcome 'shortfall>1'", "none.csv");
  {
    std::ofstream ragged(directory + "/ragged.csv");
    ragged << "a,b\n1,2\n3\n";
  }
  expect_bad(directory + "/ragged.csv --outcome 'a>1'", "line 3");
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace chokepoint
