#include <gtest/gtest.h>

#include "docker/json_read.hpp"
#include "docker/json_write.hpp"

namespace berth::docker {
namespace {

TEST(json_read, parses_a_die_event_with_labels_and_nanosecond_time) {
  auto parsed = parse_event(
      R"({"status":"die","id":"abc","from":"img","Type":"container","Action":"die",)"
      R"("Actor":{"ID":"abc","Attributes":{"exitCode":"137","name":"ws-1","berth.test":"1"}},)"
      R"("scope":"local","time":1700000000,"timeNano":1700000000123456789})");
  ASSERT_TRUE(parsed) << describe(parsed.error());
  EXPECT_EQ(parsed->type, "container");
  EXPECT_EQ(parsed->action, "die");
  EXPECT_EQ(parsed->actor_id, "abc");
  EXPECT_EQ(parsed->attributes.at("exitCode"), "137");
  EXPECT_EQ(parsed->attributes.at("berth.test"), "1");
  EXPECT_EQ(parsed->time_nano, 1700000000123456789);
}

TEST(json_read, reports_unparseable_replies_as_protocol_errors) {
  EXPECT_EQ(parse_event("{not json").error().code, error_code::protocol);
  EXPECT_EQ(parse_container_info("[]").error().code, error_code::protocol);
  EXPECT_EQ(parse_created_id(R"({"Warnings":[]})").error().code, error_code::protocol);
}

TEST(json_read, treats_null_and_missing_sections_as_empty) {
  auto info = parse_container_info(
      R"({"Id":"c1","Name":"/n","State":{"Status":"exited","ExitCode":143},)"
      R"("HostConfig":{"Memory":0,"PidsLimit":null,"SecurityOpt":null},"Config":{"Labels":null},)"
      R"("ExecIDs":null,"Mounts":[]})");
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_EQ(info->name, "n");
  EXPECT_EQ(info->state.status, "exited");
  EXPECT_EQ(info->state.exit_code, 143);
  EXPECT_FALSE(info->limits.memory_bytes);
  EXPECT_FALSE(info->limits.pids_limit);
  EXPECT_TRUE(info->labels.empty());
  EXPECT_TRUE(info->exec_ids.empty());
}

TEST(json_read, finds_an_error_reported_inside_an_import_progress_stream) {
  auto failed = parse_import_progress(
      "{\"status\":\"Downloading\"}\r\n{\"errorDetail\":{\"message\":\"bad tar\"},"
      "\"error\":\"bad tar\"}\r\n");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "bad tar");
  auto imported = parse_import_progress("{\"status\":\"sha256:0123abcd\"}\r\n");
  ASSERT_TRUE(imported);
  EXPECT_EQ(*imported, "sha256:0123abcd");
}

TEST(json_write, writes_limits_security_and_mounts_into_host_config) {
  container_spec spec;
  spec.image = "berth-base:1";
  spec.cmd = {"sleep", "1"};
  spec.limits = {.memory_bytes = 64 << 20, .nano_cpus = 500'000'000, .pids_limit = 32};
  spec.cap_drop = {"ALL"};
  spec.mounts = {{"volume", "vol-1", "/workspace", false}};
  spec.labels = {{"berth.workspace", "w1"}};
  auto body = container_create_body(spec);
  for (auto expected :
       {R"("Memory":67108864)", R"("MemorySwap":67108864)", R"("NanoCpus":500000000)",
        R"("PidsLimit":32)", R"("SecurityOpt":["no-new-privileges"])", R"("CapDrop":["ALL"])",
        R"("Init":true)", R"("Target":"/workspace")", R"("Labels":{"berth.workspace":"w1"})"}) {
    EXPECT_NE(body.find(expected), std::string::npos) << expected << " missing in " << body;
  }
}

TEST(json_write, omits_empty_filter_lists) {
  event_filter filter;
  filter.types = {"container"};
  filter.labels = {"berth.test=1"};
  EXPECT_EQ(event_filters_json(filter), R"({"label":["berth.test=1"],"type":["container"]})");
}

}  // namespace
}  // namespace berth::docker
