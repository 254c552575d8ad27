#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "events/event.hpp"
#include "events/uuid.hpp"
#include "projections/row_change.hpp"

namespace berth::projections::testing {

/// A stored event as the feed would deliver it, for testing pure apply functions.
inline events::recorded_event recorded(std::string stream_id, std::int64_t stream_version,
                                       std::string type, std::string data = "{}",
                                       std::int64_t global_position = 1) {
  events::recorded_event event;
  event.stream_id = std::move(stream_id);
  event.stream_version = stream_version;
  event.global_position = global_position;
  event.transaction_id = 1000;
  event.event_id = "01930000-0000-7000-8000-000000000001";
  event.type = std::move(type);
  event.data = std::move(data);
  event.metadata = R"({"actor":"u-1","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})";
  event.recorded_at = std::chrono::system_clock::time_point(
      std::chrono::microseconds(1'795'000'000'123'456));  // 2026-11-18 11:06:40.123456 UTC
  return event;
}

/// The only row change of `result`; fails the calling test when there is not exactly one.
inline row_change single_change(const changes& result) {
  if (!result || result->size() != 1) {
    ADD_FAILURE() << "expected exactly one row change";
    return {};
  }
  return result->front();
}

/// A new event with a fresh id, as the actors append it.
inline events::new_event new_event(std::string type, std::string data,
                                   std::optional<std::string> body = std::nullopt) {
  return events::new_event{
      events::make_uuid_v7(), std::move(type), 1,
      std::move(data),        std::move(body), R"({"actor":"u-1","node":"test"})"};
}

/// An append of `events` to `stream` whatever its version.
inline events::append_request append(std::string stream, std::vector<events::new_event> events) {
  return {std::move(stream), "", events::expected_version::any, std::move(events)};
}

/// A history touching every event type of docs/events.md, plus one type no projection knows.
inline std::vector<events::append_request> sample_history() {
  std::vector<events::append_request> history;
  history.push_back(
      append("user-u1",
             {new_event("UserCreated",
                        R"({"user_id":"u1","username":"alice","role":"member","created_ms":1000})"),
              new_event("ApiTokenCreated",
                        R"({"token_id":"t1","name":"cli","created_ms":1100,"expires_ms":0})"),
              new_event("ApiTokenCreated",
                        R"({"token_id":"t2","name":"ci","created_ms":1200,"expires_ms":90000})"),
              new_event("ApiTokenRevoked", R"({"token_id":"t1"})"),
              new_event("SecretSet", R"({"name":"ANTHROPIC_API_KEY"})"),
              new_event("SecretSet", R"({"name":"GITHUB_TOKEN"})"),
              new_event("SecretDeleted", R"({"name":"GITHUB_TOKEN"})"),
              new_event("UserPasswordChanged", R"({"changed_ms":1300})"),
              new_event("UserRoleChanged", R"({"role":"admin"})"), new_event("UserDisabled", "{}"),
              new_event("UserEnabled", "{}")}));
  history.push_back(
      append("user-u2",
             {new_event("UserCreated",
                        R"({"user_id":"u2","username":"bob","role":"auditor","created_ms":2000})"),
              new_event("UserDisabled", "{}")}));
  history.push_back(append(
      "template-tp1",
      {new_event(
           "TemplateCreated",
           R"({"template_id":"tp1","name":"base","image":"berth/base:1","limits":{"memory_bytes":1024,"nano_cpus":1000000000,"pids":256},"env":{"EDITOR":"vim"},"idle_timeout_s":3600,"sudo_allowed":false})"),
       new_event(
           "TemplateUpdated",
           R"({"template_id":"tp1","name":"base","image":"berth/base:2","limits":{"memory_bytes":2048,"nano_cpus":2000000000,"pids":512},"env":{"EDITOR":"nano"},"idle_timeout_s":1800,"sudo_allowed":true})")}));
  history.push_back(append(
      "template-tp2",
      {new_event(
           "TemplateCreated",
           R"({"template_id":"tp2","name":"old","image":"berth/old:1","limits":{},"env":{},"idle_timeout_s":60,"sudo_allowed":false})"),
       new_event("TemplateDeleted", "{}")}));
  const auto workspace_created = [](const std::string& id, const std::string& name) {
    return new_event(
        "WorkspaceCreated",
        R"({"workspace_id":")" + id + R"(","owner_id":"u1","name":")" + name +
            R"(","template_id":"tp1","image":"berth/base:2","limits":{"memory_bytes":2048,"nano_cpus":2000000000,"pids":512},"idle_timeout_s":1800,"sudo_allowed":true,"env_names":["ANTHROPIC_API_KEY"],"created_ms":3000})");
  };
  history.push_back(append(
      "workspace-w1",
      {workspace_created("w1", "first"), new_event("WorkspaceRenamed", R"({"name":"zeta"})"),
       new_event("WorkspaceStarred", "{}"),
       new_event("ContainerProvisioned", R"({"container_id":"c1","volume":"berth-w1"})"),
       new_event("WorkspaceStarted", R"({"reason":"user","outcome":"started","started_ms":3100})"),
       new_event("WorkspaceActivity", R"({"at_ms":3500})"),
       new_event("WorkspaceStopped", R"({"reason":"idle","stopped_ms":3600})"),
       new_event("WorkspaceStarted", R"({"reason":"user","outcome":"started","started_ms":3700})"),
       new_event("WorkspaceSnapshotted", R"({"note":"a type from a newer Berth"})")}));
  history.push_back(append(
      "workspace-w2", {workspace_created("w2", "alpha"),
                       new_event("WorkspaceFailed", R"({"reason":"user","error":"image missing"})"),
                       new_event("WorkspaceDeleteRequested", R"({"reason":"user"})"),
                       new_event("WorkspaceDeleted", R"({"reason":"user"})")}));
  history.push_back(append(
      "workspace-w3",
      {workspace_created("w3", "beta"), new_event("WorkspaceStarred", "{}"),
       new_event("WorkspaceUnstarred", "{}"),
       new_event("WorkspaceStarted", R"({"reason":"user","outcome":"started","started_ms":4000})"),
       new_event("ContainerLost", R"({"container_id":"c3","how":"oom","exit_code":137})")}));
  history.push_back(append(
      "session-s1",
      {new_event(
           "SessionOpened",
           R"({"session_id":"s1","workspace_id":"w1","user_id":"u1","keeper_session":"k1","cols":80,"rows":24,"opened_ms":5000})"),
       new_event("ClientAttached",
                 R"({"client_id":"b1","user_id":"u1","remote_address":"10.0.0.1"})"),
       new_event("OutputRecorded", R"({"offset":0,"length":5})", std::string("hello")),
       new_event("InputRecorded", R"({"length":3})", std::string("ls\r")),
       new_event("OutputRecorded", R"({"offset":5,"length":6})", std::string(" world")),
       new_event("SessionResized", R"({"cols":120,"rows":40})"),
       new_event("ClientDetached",
                 R"({"client_id":"b1","user_id":"u1","remote_address":"10.0.0.1"})"),
       new_event("SessionClosed", R"({"reason":"exited","exit_status":0})"),
       new_event("SessionRenamed", R"({"name":"build ☃"})")}));
  history.push_back(append(
      "session-s2",
      {new_event(
           "SessionOpened",
           R"({"session_id":"s2","workspace_id":"w3","user_id":"u1","keeper_session":"k2","cols":100,"rows":30,"opened_ms":6000})"),
       new_event("OutputRecorded", R"({"offset":0,"length":2})", std::string("$ "))}));
  history.push_back(append(
      "system-limits",
      {new_event(
          "LimitsSet",
          R"({"global":{"max_workspaces":10,"max_running":5,"memory_bytes":0,"nano_cpus":0,"pids":0},"per_user":{}})")}));
  return history;
}

}  // namespace berth::projections::testing
