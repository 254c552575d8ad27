#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "telemetry/otlp_exporter.hpp"
#include "telemetry/otlp_json.hpp"
#include "telemetry/span.hpp"
#include "telemetry/trace_context.hpp"
#include "telemetry/tracer.hpp"
#include "testing/local_collector.hpp"

namespace berth::telemetry {
namespace {

namespace json = boost::json;

constexpr std::string_view example = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

bool is_lower_hex(std::string_view text, std::size_t length) {
  return text.size() == length &&
         text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

TEST(traceparent, parses_valid_headers_and_reemits_them) {
  const auto parsed = parse_traceparent(example);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->span_id_hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(parsed->sampled());
  EXPECT_EQ(format_traceparent(*parsed), example);
  const auto unsampled =
      parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  ASSERT_TRUE(unsampled);
  EXPECT_FALSE(unsampled->sampled());
}

TEST(traceparent, reads_a_higher_version_by_its_first_four_fields) {
  const auto parsed =
      parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(format_traceparent(*parsed), example);
  EXPECT_FALSE(
      parse_traceparent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what-the-future"));
}

TEST(traceparent, rejects_invalid_headers) {
  for (const std::string_view bad : {
           "",
           "garbage",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
           "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
           "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
       }) {
    EXPECT_FALSE(parse_traceparent(bad)) << bad;
  }
  EXPECT_EQ(format_traceparent(trace_context{}), "");
}

TEST(trace_ids, are_random_and_never_zero) {
  std::map<std::string, int> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto id = new_trace_id();
    EXPECT_NE(id, trace_id{});
    seen[to_hex(id.data(), id.size())] += 1;
  }
  EXPECT_EQ(seen.size(), 1000u);
}

class tracing : public ::testing::Test {
 protected:
  void SetUp() override {
    set_tracing_enabled(true);
    clear_recent_spans();
  }
  void TearDown() override { clear_recent_spans(); }
};

TEST_F(tracing, nested_spans_on_one_thread_form_one_trace) {
  trace_context outer_context;
  {
    span outer("berth.test", "outer", span_kind::server);
    outer_context = outer.context();
    EXPECT_EQ(current_context(), outer.context());
    {
      span inner("berth.test", "inner");
      inner.set("events", 3);
      EXPECT_EQ(inner.context().trace, outer.context().trace);
    }
    EXPECT_EQ(current_context(), outer.context());
  }
  EXPECT_FALSE(current_context().valid());
  const auto spans = spans_of_trace(outer_context.trace_id_hex());
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "outer");
  EXPECT_EQ(spans[0].parent, span_id{});
  EXPECT_EQ(spans[1].name, "inner");
  EXPECT_EQ(spans[1].parent, outer_context.span);
  EXPECT_LE(spans[0].start_unix_nano, spans[1].start_unix_nano);
  EXPECT_GE(spans[0].end_unix_nano, spans[1].end_unix_nano);
}

TEST_F(tracing, a_context_carried_to_another_thread_parents_its_spans) {
  span request("berth.test", "request");
  const auto carried = request.context();
  span_id child_parent{};
  std::string child_trace;
  std::thread([&] {
    EXPECT_FALSE(current_context().valid());
    span child("berth.test", "on another thread", span_kind::internal, carried);
    child_parent = carried.span;
    child_trace = child.context().trace_id_hex();
  }).join();
  EXPECT_EQ(child_trace, carried.trace_id_hex());
  request.end();
  const auto spans = spans_of_trace(carried.trace_id_hex());
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "request");
  EXPECT_EQ(spans[1].parent, child_parent);
}

TEST_F(tracing, an_unsampled_parent_propagates_but_records_nothing) {
  auto parent = *parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  {
    span child("berth.test", "unsampled", span_kind::server, parent);
    EXPECT_FALSE(child.recording());
    EXPECT_EQ(child.context().trace, parent.trace);
  }
  EXPECT_TRUE(spans_of_trace(parent.trace_id_hex()).empty());
}

TEST_F(tracing, disabled_tracing_keeps_ids_but_records_nothing) {
  set_tracing_enabled(false);
  std::string id;
  {
    span off("berth.test", "off");
    EXPECT_TRUE(off.context().valid());
    id = off.context().trace_id_hex();
  }
  set_tracing_enabled(true);
  EXPECT_TRUE(spans_of_trace(id).empty());
}

TEST_F(tracing, recent_traces_are_newest_first_with_their_root) {
  std::string first, second;
  {
    span root("berth.test", "GET /first", span_kind::server);
    first = root.context().trace_id_hex();
    span child("berth.test", "child");
    child.set_error("boom");
  }
  {
    span root("berth.test", "GET /second", span_kind::server);
    second = root.context().trace_id_hex();
  }
  const auto traces = recent_traces(10);
  ASSERT_EQ(traces.size(), 2u);
  EXPECT_EQ(traces[0].trace_id, second);
  EXPECT_EQ(traces[1].trace_id, first);
  EXPECT_EQ(traces[1].root_name, "GET /first");
  EXPECT_EQ(traces[1].span_count, 2u);
  EXPECT_TRUE(traces[1].error);
  EXPECT_FALSE(traces[0].error);
  EXPECT_EQ(recent_traces(1).size(), 1u);
}

TEST_F(tracing, the_ring_keeps_only_the_newest_spans) {
  set_recent_span_capacity(4);
  for (int i = 0; i < 10; ++i)
    span("berth.test", "span " + std::to_string(i));
  const auto traces = recent_traces(100);
  ASSERT_EQ(traces.size(), 4u);
  EXPECT_EQ(traces[0].root_name, "span 9");
  EXPECT_EQ(traces[3].root_name, "span 6");
  set_recent_span_capacity(8192);
}

span_record sample_record() {
  span_record record;
  record.context = *parse_traceparent(example);
  record.parent = {1, 2, 3, 4, 5, 6, 7, 8};
  record.scope = "berth.http";
  record.name = "POST /api/workspaces/{id}/start";
  record.kind = span_kind::server;
  record.start_unix_nano = 1767225600000000000;
  record.end_unix_nano = 1767225600012500000;
  record.error = true;
  record.status_message = "quote \" and newline \n";
  record.attributes = {{"http.route", std::string("/api/workspaces/{id}/start")},
                       {"http.response.status_code", std::int64_t{503}},
                       {"ratio", 0.5},
                       {"retried", true}};
  return record;
}

TEST(otlp_json, encodes_spans_as_the_protocol_asks) {
  resource_attributes resource{{{"service.name", "berth-test"}}};
  const auto body = encode_otlp_json(resource, {sample_record()});
  const auto document = json::parse(body);
  const auto& resource_spans = document.at("resourceSpans").as_array().at(0);
  EXPECT_EQ(resource_spans.at("resource").at("attributes").at(0).at("value").at("stringValue"),
            "berth-test");
  const auto& scope = resource_spans.at("scopeSpans").as_array().at(0);
  EXPECT_EQ(scope.at("scope").at("name"), "berth.http");
  const auto& encoded = scope.at("spans").as_array().at(0);
  EXPECT_TRUE(is_lower_hex(encoded.at("traceId").as_string(), 32));
  EXPECT_TRUE(is_lower_hex(encoded.at("spanId").as_string(), 16));
  EXPECT_EQ(encoded.at("parentSpanId"), "0102030405060708");
  EXPECT_EQ(encoded.at("kind"), 2);
  EXPECT_EQ(encoded.at("startTimeUnixNano"), "1767225600000000000");
  EXPECT_EQ(encoded.at("endTimeUnixNano"), "1767225600012500000");
  EXPECT_EQ(encoded.at("status").at("code"), 2);
  EXPECT_EQ(encoded.at("status").at("message"), "quote \" and newline \n");
  const auto& attributes = encoded.at("attributes").as_array();
  EXPECT_EQ(attributes.at(1).at("value").at("intValue"), "503");
  EXPECT_EQ(attributes.at(2).at("value").at("doubleValue"), 0.5);
  EXPECT_EQ(attributes.at(3).at("value").at("boolValue"), true);
}

TEST(otlp_json, a_root_span_has_no_parent_and_an_unset_status) {
  auto record = sample_record();
  record.parent = {};
  record.error = false;
  const auto document = json::parse(encode_otlp_json({}, {record}));
  const auto& encoded =
      document.at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans").at(0).as_object();
  EXPECT_FALSE(encoded.contains("parentSpanId"));
  EXPECT_TRUE(encoded.at("status").as_object().empty());
}

exporter_config config_of(std::map<std::string, std::string> variables) {
  return exporter_config_from([&](const char* name) -> const char* {
    const auto found = variables.find(name);
    return found == variables.end() ? nullptr : found->second.c_str();
  });
}

TEST(exporter_config, follows_the_otel_environment_variables) {
  EXPECT_EQ(config_of({}).endpoint, "");
  EXPECT_EQ(config_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"}}).endpoint,
            "http://collector:4318/v1/traces");
  EXPECT_EQ(config_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"},
                       {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://other:1234/custom"}})
                .endpoint,
            "http://other:1234/custom");
  EXPECT_EQ(config_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                       {"OTEL_TRACES_EXPORTER", "none"}})
                .endpoint,
            "");
  const auto disabled = config_of({{"OTEL_SDK_DISABLED", "TRUE"}});
  EXPECT_FALSE(disabled.tracing_enabled);
  const auto full =
      config_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"},
                 {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=s%20ecret, x-tenant = a"},
                 {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                 {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
                 {"OTEL_SERVICE_NAME", "berth-eu"},
                 {"OTEL_RESOURCE_ATTRIBUTES", "service.name=ignored,deployment.environment=prod"},
                 {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                 {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "512"}});
  ASSERT_EQ(full.headers.size(), 2u);
  EXPECT_EQ(full.headers[0], (std::pair<std::string, std::string>{"api-key", "s ecret"}));
  EXPECT_EQ(full.headers[1], (std::pair<std::string, std::string>{"x-tenant", "a"}));
  EXPECT_EQ(full.timeout, std::chrono::milliseconds(2500));
  EXPECT_TRUE(full.gzip);
  EXPECT_EQ(full.resource.attributes[0],
            (std::pair<std::string, std::string>{"service.name", "berth-eu"}));
  EXPECT_EQ(full.resource.attributes.back(),
            (std::pair<std::string, std::string>{"deployment.environment", "prod"}));
  EXPECT_EQ(full.max_queue, 100u);
  EXPECT_EQ(full.max_batch, 100u);  // never more than the queue holds
  EXPECT_TRUE(full.warnings.empty());
}

TEST(exporter_config, warns_about_what_it_cannot_honour_without_echoing_values) {
  const auto config = config_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", "grpc://c:4317"},
                                 {"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                                 {"OTEL_EXPORTER_OTLP_TIMEOUT", "soon"},
                                 {"OTEL_EXPORTER_OTLP_HEADERS", "no-equals-secret"}});
  EXPECT_EQ(config.endpoint, "");
  EXPECT_EQ(config.timeout, std::chrono::milliseconds(10000));
  ASSERT_GE(config.warnings.size(), 4u);
  for (const auto& warning : config.warnings)
    EXPECT_EQ(warning.find("secret"), std::string::npos) << warning;
}

exporter_config fast_config(const testing::local_collector& receiver) {
  auto config = config_of({{"OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint()},
                           {"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer abc"}});
  config.schedule_delay = std::chrono::milliseconds(50);
  config.first_backoff = std::chrono::milliseconds(20);
  return config;
}

TEST(otlp_exporter, posts_batches_of_json_to_v1_traces) {
  testing::local_collector receiver;
  const auto before = current_tracer_stats();
  {
    otlp_exporter exporter(fast_config(receiver));
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(exporter.enqueue(sample_record()));
    exporter.flush();
  }
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/traces");
  EXPECT_EQ(requests[0].header("content-type"), "application/json");
  EXPECT_EQ(requests[0].header("authorization"), "Bearer abc");
  const auto spans =
      json::parse(requests[0].body).at("resourceSpans").at(0).at("scopeSpans").at(0).at("spans");
  EXPECT_EQ(spans.as_array().size(), 3u);
  EXPECT_EQ(current_tracer_stats().spans_exported - before.spans_exported, 3u);
}

TEST(otlp_exporter, retries_429_and_503_then_succeeds) {
  testing::local_collector receiver;
  receiver.script({{429, "0"}, {503, ""}});
  {
    otlp_exporter exporter(fast_config(receiver));
    exporter.enqueue(sample_record());
    exporter.flush();
  }
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].body, requests[2].body);
}

TEST(otlp_exporter, gives_up_on_a_permanent_error_and_counts_it) {
  testing::local_collector receiver;
  receiver.script({{400, ""}});
  const auto before = current_tracer_stats();
  {
    otlp_exporter exporter(fast_config(receiver));
    exporter.enqueue(sample_record());
    exporter.flush();
  }
  EXPECT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(current_tracer_stats().export_failures - before.export_failures, 1u);
}

TEST(otlp_exporter, drops_spans_when_its_queue_is_full_instead_of_waiting) {
  testing::local_collector receiver;
  auto config = fast_config(receiver);
  config.max_queue = 2;
  config.max_batch = 2;
  config.schedule_delay = std::chrono::hours(1);
  otlp_exporter exporter(config);
  // The first two fill the queue (and wake the worker); at most two more fit while it sends.
  int accepted = 0;
  for (int i = 0; i < 100; ++i)
    accepted += exporter.enqueue(sample_record()) ? 1 : 0;
  EXPECT_LT(accepted, 100);
  EXPECT_GE(accepted, 2);
}

TEST(otlp_exporter, gzip_bodies_are_marked) {
  testing::local_collector receiver;
  auto config = fast_config(receiver);
  config.gzip = true;
  {
    otlp_exporter exporter(config);
    exporter.enqueue(sample_record());
    exporter.flush();
  }
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("content-encoding"), "gzip");
  ASSERT_GE(requests[0].body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(requests[0].body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(requests[0].body[1]), 0x8b);
}

}  // namespace
}  // namespace berth::telemetry
