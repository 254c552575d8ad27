// Traces of a real `berth serve` exported to a fake OTLP collector: well-formed OTLP JSON,
// and one trace from the HTTP request through the workspace actor to the event store and
// Docker; the admin API's recent traces; trace ids in the events' metadata and the logs.

#include <map>
#include <set>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "testing/local_collector.hpp"
#include "tests/api/api_fixture.hpp"

namespace berth::testing {
namespace {

namespace json = boost::json;

constexpr std::string_view caller_trace = "5bf92f3577b34da6a3ce929d0e0e4736";
constexpr std::string_view caller_span = "10f067aa0ba902b7";

bool is_lower_hex(const json::value& value, std::size_t length) {
  if (!value.is_string()) return false;
  const std::string_view text = value.as_string();
  return text.size() == length &&
         text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool is_nanosecond_string(const json::value& value) {
  if (!value.is_string()) return false;
  const std::string_view text = value.as_string();
  // Nanoseconds since 1970 in this century are 19 digits.
  return text.size() == 19 && text.find_first_not_of("0123456789") == std::string_view::npos;
}

/// Every span the collector received, each checked against the OTLP JSON rules.
std::vector<json::object> received_spans(const local_collector& receiver) {
  std::vector<json::object> spans;
  for (const auto& request : receiver.requests()) {
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.path, "/v1/traces");
    EXPECT_EQ(request.header("content-type"), "application/json");
    const auto document = json::parse(request.body);
    for (const auto& resource : document.at("resourceSpans").as_array()) {
      bool named = false;
      for (const auto& attribute : resource.at("resource").at("attributes").as_array()) {
        if (attribute.at("key") == "service.name") {
          EXPECT_EQ(attribute.at("value").at("stringValue"), "berth-under-test");
          named = true;
        }
      }
      EXPECT_TRUE(named);
      for (const auto& scope : resource.at("scopeSpans").as_array()) {
        for (const auto& span : scope.at("spans").as_array()) {
          const auto& object = span.as_object();
          EXPECT_TRUE(is_lower_hex(object.at("traceId"), 32)) << span;
          EXPECT_TRUE(is_lower_hex(object.at("spanId"), 16)) << span;
          if (object.contains("parentSpanId")) {
            EXPECT_TRUE(is_lower_hex(object.at("parentSpanId"), 16)) << span;
          }
          EXPECT_TRUE(is_nanosecond_string(object.at("startTimeUnixNano"))) << span;
          EXPECT_TRUE(is_nanosecond_string(object.at("endTimeUnixNano"))) << span;
          EXPECT_LE(std::stoll(std::string(object.at("startTimeUnixNano").as_string())),
                    std::stoll(std::string(object.at("endTimeUnixNano").as_string())));
          EXPECT_TRUE(object.at("kind").is_int64()) << span;
          spans.push_back(object);
        }
      }
    }
  }
  return spans;
}

std::string text(const json::object& span, std::string_view key) {
  const auto* value = span.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

class tracing_api_test : public api_test {
 protected:
  std::map<std::string, std::string> server_environment() const override {
    auto environment = api_test::server_environment();
    environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver_.endpoint();
    environment["OTEL_SERVICE_NAME"] = "berth-under-test";
    environment["OTEL_BSP_SCHEDULE_DELAY"] = "100";
    environment["BERTH_LOG_LEVEL"] = "debug";  // the access log line of each request
    // The test's client plays the proxy whose callers' traces are continued.
    environment["BERTH_TRUSTED_PROXY"] = "127.0.0.1";
    return environment;
  }

  /// Waits until the collector got spans named `names` in `trace_id`; all spans of that
  /// trace so far.
  std::vector<json::object> trace_with(const std::string& trace_id,
                                       const std::set<std::string>& names) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::vector<json::object> trace;
    while (std::chrono::steady_clock::now() < deadline) {
      trace.clear();
      std::set<std::string> found;
      for (auto& span : received_spans(receiver_)) {
        if (text(span, "traceId") != trace_id) continue;
        if (names.count(text(span, "name"))) found.insert(text(span, "name"));
        trace.push_back(std::move(span));
      }
      if (found == names) return trace;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "not every span of " << *names.begin() << "... in trace " << trace_id
                  << " after 20 s";
    return trace;
  }

  local_collector receiver_;
};

TEST_F(tracing_api_test, one_trace_runs_from_the_request_to_the_event_store_and_docker) {
  const std::string traceparent =
      "00-" + std::string(caller_trace) + "-" + std::string(caller_span) + "-01";
  const auto reply = alice_->call(
      "POST", "/api/workspaces", json::serialize(json::object{{"name", "traced"}, {"start", true}}),
      "traceparent: " + traceparent + "\r\n");
  ASSERT_EQ(reply.status, 201) << reply.body;
  // The answer names the server's span in the caller's trace.
  const auto answered = reply.header("traceparent");
  ASSERT_EQ(answered.size(), 55u) << answered;
  EXPECT_EQ(answered.substr(3, 32), caller_trace);
  EXPECT_NE(answered.substr(36, 16), caller_span);

  const auto spans =
      trace_with(std::string(caller_trace),
                 {"POST /api/workspaces", "workspace create", "projection workspaces"});
  std::map<std::string, json::object> by_id;
  for (const auto& span : spans)
    by_id[text(span, "spanId")] = span;
  const auto parent_of = [&](const json::object& span) -> const json::object* {
    const auto found = by_id.find(text(span, "parentSpanId"));
    return found == by_id.end() ? nullptr : &found->second;
  };
  const auto find = [&](const std::string& name) -> const json::object* {
    for (const auto& [id, span] : by_id) {
      if (text(span, "name") == name) return &span;
    }
    return nullptr;
  };

  const auto* http = find("POST /api/workspaces");
  ASSERT_NE(http, nullptr);
  EXPECT_EQ(text(*http, "parentSpanId"), caller_span);  // the caller's span is the parent
  EXPECT_EQ(http->at("kind"), 2);
  EXPECT_EQ(text(*http, "spanId"), answered.substr(36, 16));

  const auto* command = find("workspace create");
  ASSERT_NE(command, nullptr);
  EXPECT_EQ(parent_of(*command), http);

  // The command's event-store appends and every Docker call hang under it (the request
  // itself may append too, e.g. account changes, directly under the HTTP span).
  int appends = 0, docker_calls = 0;
  std::set<std::string> docker_operations;
  for (const auto& [id, span] : by_id) {
    const auto name = text(span, "name");
    if (name == "eventstore append") {
      EXPECT_EQ(span.at("kind"), 3);
      EXPECT_TRUE(parent_of(span) == command || parent_of(span) == http) << span;
      if (parent_of(span) == command) ++appends;
    } else if (name.rfind("docker ", 0) == 0) {
      ++docker_calls;
      docker_operations.insert(name);
      EXPECT_EQ(parent_of(span), command) << span;
      EXPECT_EQ(span.at("kind"), 3);
    }
  }
  EXPECT_GE(appends, 2);  // created, then started
  EXPECT_TRUE(docker_operations.count("docker POST /containers/create")) << docker_calls;
  EXPECT_TRUE(docker_operations.count("docker POST /containers/{id}/start")) << docker_calls;

  // The read model's batch joins the trace of the change it applies.
  const auto* projection = find("projection workspaces");
  ASSERT_NE(projection, nullptr);
  EXPECT_EQ(projection->at("kind"), 5);
  EXPECT_NE(parent_of(*projection), nullptr);

  // An auditor goes from the event to the trace: the audit log shows the caller's trace id.
  const auto workspace_id = text_of(reply.json, "id");
  const auto audit = audrey_->call("GET", "/api/audit?workspace=" + workspace_id);
  ASSERT_EQ(audit.status, 200) << audit.body;
  bool linked = false;
  for (const auto& entry : audit.json.at("entries").as_array()) {
    linked = linked || text_of(entry, "trace_id") == caller_trace;
  }
  EXPECT_TRUE(linked) << audit.body;
}

TEST_F(tracing_api_test, an_invalid_traceparent_starts_a_new_trace) {
  const auto reply = alice_->call("GET", "/api/workspaces", "",
                                  "traceparent: 00-" + std::string(caller_trace) + "-" +
                                      std::string(caller_span) + "-01-extra\r\n");
  ASSERT_EQ(reply.status, 200);
  const auto answered = reply.header("traceparent");
  ASSERT_EQ(answered.size(), 55u);
  EXPECT_NE(answered.substr(3, 32), caller_trace);
  const auto spans = trace_with(answered.substr(3, 32), {"GET /api/workspaces"});
  for (const auto& span : spans) {
    if (text(span, "name") == "GET /api/workspaces") {
      EXPECT_FALSE(span.contains("parentSpanId")) << span;
    } else {
      EXPECT_TRUE(span.contains("parentSpanId")) << span;  // its children
    }
  }
}

TEST_F(tracing_api_test, admins_see_recent_traces_without_a_collector) {
  const auto reply = alice_->call("GET", "/api/workspaces");
  const auto trace_id = reply.header("traceparent").substr(3, 32);
  ASSERT_EQ(trace_id.size(), 32u);

  const auto list = ada_->call("GET", "/api/admin/traces?limit=500");
  ASSERT_EQ(list.status, 200) << list.body;
  bool listed = false;
  for (const auto& trace : list.json.at("traces").as_array()) {
    if (text_of(trace, "trace_id") != trace_id) continue;
    listed = true;
    EXPECT_EQ(text_of(trace, "name"), "GET /api/workspaces");
  }
  EXPECT_TRUE(listed) << list.body;

  const auto one = ada_->call("GET", "/api/admin/traces/" + trace_id);
  ASSERT_EQ(one.status, 200) << one.body;
  const auto& spans = one.json.at("spans").as_array();
  ASSERT_FALSE(spans.empty());
  EXPECT_EQ(text_of(spans.at(0), "name"), "GET /api/workspaces");
  EXPECT_EQ(text_of(spans.at(0), "kind"), "server");
  EXPECT_TRUE(spans.at(0).at("parent_span_id").is_null());

  EXPECT_EQ(alice_->call("GET", "/api/admin/traces").status, 403);
  EXPECT_EQ(audrey_->call("GET", "/api/admin/traces").status, 403);
  EXPECT_EQ(anonymous_->call("GET", "/api/admin/traces").status, 401);
  EXPECT_EQ(ada_->call("GET", "/api/admin/traces/NOT-HEX").status, 422);
  EXPECT_EQ(ada_->call("GET", "/api/admin/traces/" + std::string(32, 'a')).status, 404);
  EXPECT_EQ(ada_->call("GET", "/api/admin/traces?limit=0").status, 422);
  EXPECT_EQ(ada_->call("GET", "/api/admin/traces?limit=1&x=1").status, 422);
}

TEST_F(tracing_api_test, log_lines_of_a_request_carry_its_trace) {
  // The access log line is written inside the request's span.
  const auto reply = anonymous_->call(
      "POST", "/api/auth/login", R"({"username":"alice","password":"wrong-password"})",
      "traceparent: 00-" + std::string(caller_trace) + "-" + std::string(caller_span) + "-01\r\n");
  ASSERT_EQ(reply.status, 401);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool found = false;
  while (!found && std::chrono::steady_clock::now() < deadline) {
    const auto output = server_->output();
    std::size_t start = 0;
    for (auto end = output.find('\n'); end != std::string::npos && !found;
         start = end + 1, end = output.find('\n', start)) {
      const auto line = output.substr(start, end - start);
      if (line.find(caller_trace) == std::string::npos) continue;
      const auto parsed = json::parse(line);
      found = text_of(parsed, "trace_id") == caller_trace &&
              text_of(parsed, "span_id").size() == 16 && text_of(parsed, "trace_flags") == "01";
      EXPECT_EQ(line.find("wrong-password"), std::string::npos) << line;
    }
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(found) << server_->output();
}

}  // namespace
}  // namespace berth::testing
