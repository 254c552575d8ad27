#include "telemetry/metrics.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace berth::telemetry {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

/// The value of the sample line that starts with `series ` (name and labels), or -1.
double sample(const std::string& text, const std::string& series) {
  for (const auto& line : lines_of(text)) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

/// Re-enables recording after a test that switched it off.
struct metrics_switch_guard {
  ~metrics_switch_guard() { set_metrics_enabled(true); }
};

TEST(metrics, renders_help_type_and_samples_with_a_final_newline) {
  metric_registry registry;
  auto& requests = registry.counter("x_requests_total", "Requests.", {"method", "code"});
  requests.with({"GET", "200"}).add(3);
  requests.with({"POST", "201"}).add();
  registry.gauge("x_up", "Up.").with({}).set(1);
  EXPECT_EQ(registry.render(),
            "# HELP x_requests_total Requests.\n"
            "# TYPE x_requests_total counter\n"
            "x_requests_total{method=\"GET\",code=\"200\"} 3\n"
            "x_requests_total{method=\"POST\",code=\"201\"} 1\n"
            "# HELP x_up Up.\n"
            "# TYPE x_up gauge\n"
            "x_up 1\n");
}

TEST(metrics, escapes_label_values_and_help_text) {
  metric_registry registry;
  registry.gauge("x_odd", "Back\\slash and\nnewline.", {"v"}).with({"a\"b\\c\nd"}).set(2.5);
  const auto text = registry.render();
  EXPECT_NE(text.find("# HELP x_odd Back\\\\slash and\\nnewline.\n"), std::string::npos);
  EXPECT_NE(text.find("x_odd{v=\"a\\\"b\\\\c\\nd\"} 2.5\n"), std::string::npos);
}

TEST(metrics, formats_special_values) {
  EXPECT_EQ(format_metric_value(1.0 / 0.0), "+Inf");
  EXPECT_EQ(format_metric_value(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(format_metric_value(0.0 / 0.0), "NaN");
  EXPECT_EQ(format_metric_value(42), "42");
  EXPECT_EQ(format_metric_value(0.005), "0.005");
}

TEST(metrics, histogram_buckets_are_cumulative_and_inf_equals_count) {
  metric_registry registry;
  auto& latency = registry.histogram("x_seconds", "Latency.", {"op"}, {0.1, 1, 10});
  auto& series = latency.with({"a"});
  for (double value : {0.05, 0.1, 0.5, 2.0, 20.0})
    series.observe(value);
  const auto text = registry.render();
  // `le` is inclusive: 0.1 falls in the 0.1 bucket.
  EXPECT_EQ(sample(text, "x_seconds_bucket{op=\"a\",le=\"0.1\"}"), 2);
  EXPECT_EQ(sample(text, "x_seconds_bucket{op=\"a\",le=\"1\"}"), 3);
  EXPECT_EQ(sample(text, "x_seconds_bucket{op=\"a\",le=\"10\"}"), 4);
  EXPECT_EQ(sample(text, "x_seconds_bucket{op=\"a\",le=\"+Inf\"}"), 5);
  EXPECT_EQ(sample(text, "x_seconds_count{op=\"a\"}"), 5);
  EXPECT_DOUBLE_EQ(sample(text, "x_seconds_sum{op=\"a\"}"), 22.65);
  // Buckets come in increasing `le` order, then _sum, then _count.
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 2u + 4u + 2u);
  EXPECT_NE(lines[2].find("le=\"0.1\""), std::string::npos);
  EXPECT_NE(lines[5].find("le=\"+Inf\""), std::string::npos);
  EXPECT_EQ(lines[6].rfind("x_seconds_sum", 0), 0u);
  EXPECT_EQ(lines[7].rfind("x_seconds_count", 0), 0u);
}

TEST(metrics, each_family_and_series_appears_once) {
  metric_registry registry;
  // The same name twice is the same family; the same labels twice the same series.
  registry.counter("x_total", "X.", {"k"}).with({"a"}).add();
  registry.counter("x_total", "X.", {"k"}).with({"a"}).add();
  registry.gauge("x_gauge", "G.", {"k"}).with({"a"}).set(1);
  auto collected = registry.add_collector([](metric_sink& sink) {
    sink.gauge("x_gauge", "G.", {"k"}, {"a"}, 7);  // replaces the registered series
    sink.gauge("x_gauge", "G.", {"k"}, {"b"}, 8);
    sink.gauge("x_gauge", "G.", {"k"}, {"b"}, 9);  // the last value of a label set wins
  });
  const auto text = registry.render();
  std::set<std::string> seen;
  int help_lines = 0;
  for (const auto& line : lines_of(text)) {
    if (line.rfind("# HELP", 0) == 0) ++help_lines;
    if (line[0] == '#') continue;
    const auto series = line.substr(0, line.rfind(' '));
    EXPECT_TRUE(seen.insert(series).second) << series;
  }
  EXPECT_EQ(help_lines, 2);
  EXPECT_EQ(sample(text, "x_total{k=\"a\"}"), 2);
  EXPECT_EQ(sample(text, "x_gauge{k=\"a\"}"), 7);
  EXPECT_EQ(sample(text, "x_gauge{k=\"b\"}"), 9);
}

TEST(metrics, refuses_one_name_with_two_types) {
  metric_registry registry;
  registry.counter("x_total", "X.");
  EXPECT_THROW(registry.gauge("x_total", "X."), std::logic_error);
}

TEST(metrics, concurrent_increments_sum_up) {
  metric_registry registry;
  auto& family = registry.counter("x_total", "X.", {"thread"});
  auto& latency = registry.histogram("x_seconds", "X.", {}, latency_buckets());
  constexpr int threads = 8;
  constexpr int per_thread = 20000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        // Looking the series up every time exercises the creation race too.
        family.with({t % 2 == 0 ? "even" : "odd"}).add();
        latency.with({}).observe(0.001);
      }
    });
  }
  for (auto& worker : workers)
    worker.join();
  const auto text = registry.render();
  EXPECT_EQ(sample(text, "x_total{thread=\"even\"}"), threads / 2 * per_thread);
  EXPECT_EQ(sample(text, "x_total{thread=\"odd\"}"), threads / 2 * per_thread);
  EXPECT_EQ(sample(text, "x_seconds_count"), threads * per_thread);
}

TEST(metrics, collectors_are_merged_and_removed_with_their_registration) {
  metric_registry registry;
  registry.gauge("x_up", "Up.").with({}).set(1);
  {
    auto collected = registry.add_collector([](metric_sink& sink) {
      sink.gauge("x_workspaces", "Workspaces by state.", {"state"}, {"running"}, 2);
      sink.gauge("x_workspaces", "Workspaces by state.", {"state"}, {"stopped"}, 1);
    });
    const auto text = registry.render();
    EXPECT_EQ(sample(text, "x_workspaces{state=\"running\"}"), 2);
    EXPECT_EQ(sample(text, "x_workspaces{state=\"stopped\"}"), 1);
    EXPECT_EQ(sample(text, "x_up"), 1);
    // Families in name order: x_up before x_workspaces.
    EXPECT_LT(text.find("x_up"), text.find("x_workspaces"));
  }
  EXPECT_EQ(registry.render().find("x_workspaces"), std::string::npos);
}

TEST(metrics, records_nothing_while_disabled) {
  metrics_switch_guard restore;
  metric_registry registry;
  auto& count = registry.counter("x_total", "X.").with({});
  auto& level = registry.gauge("x_level", "X.").with({});
  auto& latency = registry.histogram("x_seconds", "X.", {}, latency_buckets()).with({});
  set_metrics_enabled(false);
  count.add(5);
  level.set(3);
  latency.observe(0.2);
  const auto text = registry.render();
  EXPECT_EQ(sample(text, "x_total"), 0);
  EXPECT_EQ(sample(text, "x_level"), 0);
  EXPECT_EQ(sample(text, "x_seconds_count"), 0);
  set_metrics_enabled(true);
  count.add(5);
  EXPECT_EQ(sample(registry.render(), "x_total"), 5);
}

TEST(metrics, presence_counts_once_and_stays_balanced_across_the_switch) {
  metrics_switch_guard restore;
  metric_registry registry;
  auto& attached = registry.gauge("x_attached", "X.").with({});
  {
    gauge_presence first(attached);
    gauge_presence second(attached);
    first.set(true);
    first.set(true);
    second.set(true);
    EXPECT_EQ(attached.value(), 2);
    set_metrics_enabled(false);
    second.set(false);
  }
  EXPECT_EQ(attached.value(), 0);
}

}  // namespace
}  // namespace berth::telemetry
