// The report in a real browser: headless Chromium (Debian's `chromium`, installed by
// `scripts/install-deps.sh --browser`) loads the baseline's report.html, and the DOM it builds
// must hold one fan chart per variable and the stage × year bottleneck map, with no script error.
// Without Chromium the tests skip and say how to install it; they never pass without rendering.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "chokepoint/summary_io.hpp"
#include "test_support.hpp"

namespace chokepoint::testing {
namespace {

namespace fs = std::filesystem;

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t found = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++found;
  return found;
}

// $CHOKEPOINT_CHROMIUM, else `chromium` or `chromium-browser` on PATH; "" when none.
std::string find_chromium() {
  if (const char* chosen = std::getenv("CHOKEPOINT_CHROMIUM"); chosen && *chosen) return chosen;
  for (const char* name : {"chromium", "chromium-browser"}) {
    const std::string probe = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return name;
  }
  return "";
}

struct BrowserRun {
  int exit_code = -1;
  std::string dom;     // stdout: the DOM after load (--dump-dom)
  std::string log;     // stderr, with the page's console (--enable-logging=stderr)
};

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty())
      GTEST_SKIP() << "Chromium is not installed, so the report was not rendered in a browser. Install it with "
                      "scripts/install-deps.sh --browser (Debian package `chromium`), or point CHOKEPOINT_CHROMIUM at one.";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // The process id keeps two test runs at once (two build directories) out of each other's files.
    directory_ = fs::path(::testing::TempDir()) /
                 (std::string("chokepoint_browser_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override {
    if (!directory_.empty()) fs::remove_all(directory_);
  }

  // Headless, offline-minded flags: no network services, a fresh profile, console on stderr.
  BrowserRun browse(const fs::path& page, const std::string& extra_flags) {
    const fs::path profile = directory_ / ("profile-" + std::to_string(runs_++));
    fs::create_directories(profile);
    const fs::path out = directory_ / "browser-stdout", err = directory_ / "browser-stderr";
    const std::string command =
        "timeout 180 " + chromium_ +
        " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
        " --disable-component-update --disable-sync --enable-logging=stderr --v=0 --user-data-dir=" +
        quoted(profile.string()) + " " + extra_flags + " " + quoted("file://" + fs::absolute(page).string()) + " >" +
        quoted(out.string()) + " 2>" + quoted(err.string());
    const int status = std::system(command.c_str());
    BrowserRun run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.dom = read_text(out);
    run.log = read_text(err);
    return run;
  }

  std::string run_scenario(const std::string& scenario, const std::string& name, const std::string& arguments) {
    const fs::path out = directory_ / name;
    const CommandResult result = run_cli("run " + quoted(source_path(scenario)) + " " + arguments +
                                         " --quiet --backend cpu --out " + quoted(out.string()));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return out.string();
  }

  std::string chromium_;
  fs::path directory_;
  int runs_ = 0;
};

// A page's script error shows in the log as "Uncaught …"; any console line at all is suspect,
// since the report has no script.
void expect_no_script_errors(const BrowserRun& run) {
  EXPECT_EQ(run.log.find("Uncaught"), std::string::npos) << run.log;
  EXPECT_EQ(run.log.find(":CONSOLE"), std::string::npos) << run.log;
}

TEST_F(BrowserTest, ScriptErrorsAreSeenInTheLog) {
  // Guards the checks below against passing vacuously: a page with a broken script must show.
  const fs::path page = directory_ / "broken.html";
  std::ofstream(page) << "<!DOCTYPE html><html><body><p>x</p><script>notDefined();</script></body></html>";
  const BrowserRun run = browse(page, "--dump-dom");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_NE(run.dom.find("<p>x</p>"), std::string::npos) << run.dom;
  EXPECT_NE(run.log.find("Uncaught"), std::string::npos) << run.log;
}

TEST_F(BrowserTest, BaselineReportBuildsOneFanChartPerVariableAndTheBottleneckMap) {
  const std::string dir = run_scenario("scenarios/baseline.json", "baseline", "--paths 20000 --report");
  const Summary summary = read_summary(dir);
  const BrowserRun run = browse(fs::path(dir) / "report.html", "--dump-dom");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  ASSERT_NE(run.dom.find("<h1>" + summary.scenario + "</h1>"), std::string::npos) << "the browser rendered no report";

  EXPECT_EQ(count(run.dom, "<section class=\"fan-chart\" data-variable=\""), summary.variables.size());
  for (const VariableSummary& variable : summary.variables)
    EXPECT_EQ(count(run.dom, "<section class=\"fan-chart\" data-variable=\"" + variable.name + "\""), 1u)
        << variable.name;  // one fan chart each (the headline cards above repeat a few, by design)
  EXPECT_GE(count(run.dom, "<svg "), summary.variables.size());
  EXPECT_EQ(count(run.dom, "<td class=\"binding-cell"), summary.stages.size() * summary.years.size());
  for (const StageSummary& stage : summary.stages)
    for (int year : summary.years)
      EXPECT_EQ(count(run.dom, "data-stage=\"" + stage.name + "\" data-year=\"" + std::to_string(year) + "\" data-binding-share="), 1u)
          << stage.name << " " << year;
  expect_no_script_errors(run);
}

TEST_F(BrowserTest, ComparisonReportRenders) {
  const std::string base = run_scenario("tests/scenarios/small.json", "base", "--paths 2000");
  const std::string stress = run_scenario("tests/scenarios/small_power_crunch.json", "stress", "--paths 2000");
  const CommandResult result = run_cli("report " + quoted(stress) + " --compare " + quoted(base));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const BrowserRun run = browse(fs::path(stress) / "report.html", "--dump-dom");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  EXPECT_EQ(count(run.dom, "<section id=\"compare\""), 1u);
  EXPECT_EQ(count(run.dom, "<section class=\"compare-chart\""), read_summary(stress).variables.size());
  expect_no_script_errors(run);
}

// What a reader sees, then what they see after picking: a probe script (in a copy of the page;
// the report itself has none) reads which figures are displayed, clicks the pickers' labels as a
// reader would and reads again, and leaves its findings in the DOM that --dump-dom prints.
const char* kProbe = R"js(<script>
function shown(selector) {
  return Array.from(document.querySelectorAll(selector)).filter(e => e.offsetParent !== null)
      .map(e => (e.dataset.variable || '') + '@' + (e.dataset.year || '') + '#' + e.querySelectorAll('svg').length);
}
function label(id) { return document.querySelector('label[for="' + id + '"]').textContent; }
function look(when) {
  return [when + ' tornado=' + shown('#tornado-year figure.tornado').join(','),
          when + ' distribution=' + shown('#distribution figure.distribution').join(','),
          when + ' difference=' + shown('#difference figure.difference').join(',')];
}
const lines = look('before');
['tornado-year-0-1', 'distribution-0-0', 'distribution-1-0', 'difference-0-1'].forEach(
    id => document.querySelector('label[for="' + id + '"]').click());
lines.push(...look('after'));
lines.push('picked variable=' + label('distribution-0-0') + ' year=' + label('distribution-1-0') +
           ' difference=' + label('difference-0-1'));
const probe = document.createElement('pre');
probe.id = 'probe';
probe.textContent = lines.join('\n');
document.body.appendChild(probe);
</script>)js";

// A finding of the probe, from its <pre> (the script's own text names the same keys).
std::string probe_line(const std::string& dom, const std::string& key) {
  const std::size_t at = dom.find(key + "=", dom.find("<pre id=\"probe\">"));
  if (at == std::string::npos) return "(no " + key + ")";
  const std::size_t from = at + key.size() + 1;
  return dom.substr(from, dom.find_first_of("\n<", from) - from);
}

TEST_F(BrowserTest, TornadoHistogramAndDifferenceChartsFollowThePicks) {
  const std::string base = run_scenario("tests/scenarios/small.json", "base", "--paths 2000");
  const std::string stress = run_scenario("tests/scenarios/small_power_crunch.json", "stress", "--paths 2000");
  std::ofstream(fs::path(stress) / "tornado.json") << R"({"paths": 500, "seed": 1, "charts": [
    {"variable": "produced_units", "unit": "units", "year": 2027, "baseline_median": 5e6, "bars": [
      {"input": "cowos.trend", "low": {"percentile": 10, "value": -0.1, "median": 4.5e6},
       "high": {"percentile": 90, "value": 0.1, "median": 5.5e6}, "swing": 1e6}]},
    {"variable": "produced_units", "unit": "units", "year": 2028, "baseline_median": 6e6, "bars": [
      {"input": "cowos.trend", "low": {"percentile": 10, "value": -0.1, "median": 5.5e6},
       "high": {"percentile": 90, "value": 0.1, "median": 6.5e6}, "swing": 1e6}]}]})";
  const CommandResult result = run_cli("report " + quoted(stress) + " --compare " + quoted(base));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const fs::path page = directory_ / "probe.html";
  std::string text = read_text(fs::path(stress) / "report.html");
  ASSERT_EQ(text.find("<script"), std::string::npos) << "the report itself has no script";
  text.insert(text.rfind("</body>"), kProbe);
  std::ofstream(page) << text;
  const BrowserRun run = browse(page, "--dump-dom");
  ASSERT_EQ(run.exit_code, 0) << run.log;
  ASSERT_NE(run.dom.find("<pre id=\"probe\">"), std::string::npos) << run.log;

  // At first: the 2027 tornado, produced units in 2027 (histogram and CDF), its difference chart.
  EXPECT_EQ(probe_line(run.dom, "before tornado"), "produced_units@2027#1");
  EXPECT_EQ(probe_line(run.dom, "before distribution"), "produced_units@2027#2");
  EXPECT_EQ(probe_line(run.dom, "before difference"), "produced_units@#1");
  // After picking 2028 for the tornado, the first variable and year, and another difference.
  const std::string picked = probe_line(run.dom, "picked variable");
  const std::string variable = picked.substr(0, picked.find(' '));
  const std::size_t year_at = picked.find("year=") + 5;
  const std::string year = picked.substr(year_at, picked.find(' ', year_at) - year_at);
  const std::string difference = picked.substr(picked.find("difference=") + 11);
  EXPECT_EQ(probe_line(run.dom, "after tornado"), "produced_units@2028#1");
  EXPECT_EQ(probe_line(run.dom, "after distribution"), variable + "@" + year + "#2");
  EXPECT_EQ(probe_line(run.dom, "after difference"), difference + "@#1");
  EXPECT_NE(variable + "@" + year, "produced_units@2027") << "the pick must change the figure";
  EXPECT_NE(difference, "produced_units");
  EXPECT_EQ(run.log.find("Uncaught"), std::string::npos) << run.log;
}

TEST_F(BrowserTest, ScreenshotOfTheBaselineReport) {
  // scripts/screenshot-report.sh makes docs/img/report.png the same way; here it goes to a
  // temporary file, so running the tests never changes the source tree.
  const std::string dir = run_scenario("scenarios/baseline.json", "baseline", "--paths 5000 --report");
  const fs::path png = directory_ / "report.png";
  const BrowserRun run =
      browse(fs::path(dir) / "report.html", "--hide-scrollbars --window-size=1400,2000 --screenshot=" + quoted(png.string()));
  ASSERT_EQ(run.exit_code, 0) << run.log;
  ASSERT_TRUE(fs::exists(png)) << run.log;
  const std::string bytes = read_text(png);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(bytes.size(), 100000u) << "a blank page compresses to a few kB; the report is far larger";
}

}  // namespace
}  // namespace chokepoint::testing
