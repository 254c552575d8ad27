#include "projections/audit.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/projections/event_factory.hpp"

namespace berth::projections {
namespace {

using ::testing::HasSubstr;
using testing::recorded;
using testing::single_change;

TEST(audit_projection, records_who_did_what_to_which_resource) {
  auto event = recorded("workspace-w1", 3, "WorkspaceRenamed", R"({"name":"zeta"})", 99);
  event.metadata =
      R"({"actor":"u7","trace_id":"0af7651916cd43dd8448eb211c80319c","remote_address":"10.1.2.3"})";
  const auto change = single_change(apply_audit_event(event));
  EXPECT_THAT(change.statement, HasSubstr("INSERT INTO rm_audit_log"));
  const std::vector<std::optional<std::string>> expected{"99",
                                                         "01930000-0000-7000-8000-000000000001",
                                                         "2026-11-18 11:06:40.123456+00",
                                                         "u7",
                                                         "WorkspaceRenamed",
                                                         "workspace",
                                                         "w1",
                                                         "3",
                                                         "10.1.2.3",
                                                         "0af7651916cd43dd8448eb211c80319c",
                                                         R"({"name":"zeta"})"};
  EXPECT_EQ(change.params, expected);
}

TEST(audit_projection, leaves_missing_metadata_null) {
  auto event = recorded("system-limits", 1, "LimitsSet", R"({"global":{}})");
  event.metadata = "{}";
  const auto change = single_change(apply_audit_event(event));
  EXPECT_EQ(change.params.at(3), std::nullopt);  // actor
  EXPECT_EQ(change.params.at(5), "system");
  EXPECT_EQ(change.params.at(6), "limits");
  EXPECT_EQ(change.params.at(8), std::nullopt);  // remote_address
  EXPECT_EQ(change.params.at(9), std::nullopt);  // trace_id
}

TEST(audit_projection, leaves_terminal_data_out) {
  for (const auto* type : {"OutputRecorded", "InputRecorded"}) {
    const auto result = apply_audit_event(recorded("session-s1", 2, type, R"({"length":1})"));
    ASSERT_TRUE(result) << type;
    EXPECT_TRUE(result->empty()) << type;
  }
}

TEST(audit_projection, records_event_types_no_other_projection_knows) {
  EXPECT_EQ(apply_audit_event(recorded("widget-1", 1, "WidgetInvented"))->size(), 1u);
}

TEST(audit_projection, inserts_each_position_once_however_often_it_is_replayed) {
  const auto event = recorded("user-u1", 2, "UserDisabled", "{}", 5);
  const auto change = single_change(apply_audit_event(event));
  EXPECT_THAT(change.statement, HasSubstr("ON CONFLICT (global_pos) DO NOTHING"));
  EXPECT_EQ(apply_audit_event(event), apply_audit_event(event));
}

TEST(audit_projection, writes_timestamps_in_utc_with_microseconds) {
  using std::chrono::microseconds;
  using std::chrono::system_clock;
  EXPECT_EQ(timestamp_literal(system_clock::time_point(microseconds(0))),
            "1970-01-01 00:00:00.000000+00");
  EXPECT_EQ(timestamp_literal(system_clock::time_point(microseconds(1'795'000'000'000'007))),
            "2026-11-18 11:06:40.000007+00");
  EXPECT_EQ(timestamp_literal(system_clock::time_point(microseconds(-1))),
            "1969-12-31 23:59:59.999999+00");
}

}  // namespace
}  // namespace berth::projections
