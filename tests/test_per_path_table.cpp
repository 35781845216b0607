// The per-path CSV reader and the outcome expressions behind `chokepoint discover`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "analyse/outcome_expression.hpp"
#include "analyse/per_path_table.hpp"
#include "chokepoint/errors.hpp"

namespace chokepoint {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string file = ::testing::TempDir() + "per_path_" + info->name() + "_" + name;
  std::ofstream(file) << text;
  return file;
}

// The first problem's message of an InputError thrown by `action`, or "" when none is thrown.
template <class Action>
std::string input_error(Action action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.problems().front().message();
  }
  return "";
}

TEST(PerPathTable, KeepsNumericColumnsAsNumbersAndTheRestAsText) {
  const std::string file =
      write_file("t.csv", "path,\"price\",binding, note\r\n0,1.5,power,+2\r\n\r\n1, -3e2 ,demand,x\n2,0,power,7\n");
  const PerPathTable table = read_per_path_table(file);
  ASSERT_EQ(table.rows, 3u);
  ASSERT_EQ(table.columns.size(), 4u);
  EXPECT_EQ(table.column_index("price"), 1);  // quotes stripped
  EXPECT_EQ(table.column_index(" note"), 3);   // spaces in names kept as written
  EXPECT_EQ(table.column_index("missing"), -1);
  EXPECT_TRUE(table.columns[1].numeric);
  EXPECT_EQ(table.columns[1].numbers, (std::vector<double>{1.5, -300.0, 0.0}));
  EXPECT_FALSE(table.columns[2].numeric);
  EXPECT_EQ(table.columns[2].text, (std::vector<std::string>{"power", "demand", "power"}));
  EXPECT_FALSE(table.columns[3].numeric);
  EXPECT_EQ(table.columns[3].first_non_number, 1u);
  EXPECT_EQ(table.columns[3].first_non_number_text, "x");
}

TEST(PerPathTable, BadFilesNameTheFileAndLine) {
  EXPECT_NE(input_error([&] { read_per_path_table(write_file("ragged.csv", "a,b\n1,2\n3\n")); }).find("line 3"),
            std::string::npos);
  EXPECT_NE(input_error([&] { read_per_path_table(write_file("twice.csv", "a,a\n1,2\n")); }).find("\"a\" twice"),
            std::string::npos);
  EXPECT_NE(input_error([&] { read_per_path_table(write_file("header.csv", "a,b\n")); }).find("at least one row"),
            std::string::npos);
  EXPECT_NE(input_error([&] { read_per_path_table(write_file("empty.csv", "")); }).find("header"), std::string::npos);
  EXPECT_NE(input_error([&] { read_per_path_table("/nonexistent/x.csv"); }).find("/nonexistent/x.csv"), std::string::npos);
  double value = 0.0;
  EXPECT_FALSE(parse_finite_number("nan", value));
  EXPECT_FALSE(parse_finite_number("inf", value));
  EXPECT_FALSE(parse_finite_number("1.5x", value));
  EXPECT_FALSE(parse_finite_number("", value));
  EXPECT_TRUE(parse_finite_number(" +2.5e-3 ", value));
  EXPECT_EQ(value, 2.5e-3);
}

TEST(OutcomeExpression, ComparesNumbersAndWords) {
  const PerPathTable table =
      read_per_path_table(write_file("t.csv", "share,binding\n0.2,power\n0.5,demand\n0.9,power\n0,power\n"));
  const auto outcome = [&](const std::string& text) { return evaluate_outcome(parse_outcome_expression(text, "--outcome"), table); };
  using Flags = std::vector<std::uint8_t>;
  EXPECT_EQ(outcome("share>=0.5"), (Flags{0, 1, 1, 0}));
  EXPECT_EQ(outcome("share > 0.5"), (Flags{0, 0, 1, 0}));
  EXPECT_EQ(outcome("share<=0.5"), (Flags{1, 1, 0, 1}));
  EXPECT_EQ(outcome("share<0.5"), (Flags{1, 0, 0, 1}));
  EXPECT_EQ(outcome("share==0.9"), (Flags{0, 0, 1, 0}));
  EXPECT_EQ(outcome("share!=0.9"), (Flags{1, 1, 0, 1}));
  EXPECT_EQ(outcome("share"), (Flags{1, 1, 1, 0}));
  EXPECT_EQ(outcome("binding==power"), (Flags{1, 0, 1, 1}));
  EXPECT_EQ(outcome("binding!=power"), (Flags{0, 1, 0, 0}));
  EXPECT_EQ(outcome("share==power"), (Flags{0, 0, 0, 0}));  // a word never equals a number
  EXPECT_NE(input_error([&] { outcome("binding>0.5"); }).find("row 1, column binding"), std::string::npos);
  EXPECT_NE(input_error([&] { outcome("nothing>1"); }).find("share, binding"), std::string::npos);
  EXPECT_NE(input_error([&] { parse_outcome_expression("share>", "--outcome"); }).find("--outcome"), std::string::npos);
  EXPECT_NE(input_error([&] { parse_outcome_expression(">1", "--outcome"); }).find("--outcome"), std::string::npos);
  EXPECT_NE(input_error([&] { parse_outcome_expression("binding<power", "--outcome"); }).find("not a number"),
            std::string::npos);
}

}  // namespace
}  // namespace chokepoint
