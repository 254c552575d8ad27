// GET /api/audit over the real API: who sees which rows, the filters, pagination and the
// refusal of malformed parameters. Workspaces here are never started: no Docker needed.

#include <gtest/gtest.h>

#include "tests/api/audit_fixture.hpp"

namespace berth::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

TEST_F(audit_test, shows_members_their_own_rows_and_auditors_and_admins_everything) {
  const auto mine = text_of(create_workspace(*alice_, "mine", false), "id");
  const auto theirs = text_of(create_workspace(*bob_, "theirs", false), "id");
  ASSERT_EQ(ada_->call("PATCH", "/api/workspaces/" + mine, R"({"name":"named by ada"})").status,
            200);
  ASSERT_EQ(
      alice_->call("PUT", "/api/me/secrets/ALICE_KEY", R"({"value":"alice-secret-4711"})").status,
      204);
  ASSERT_EQ(bob_->call("PUT", "/api/me/secrets/BOB_KEY", R"({"value":"bob-secret-0815"})").status,
            204);
  ASSERT_TRUE(wait_for_entry(*audrey_, "SecretSet", user_id_of(*bob_)));
  ASSERT_TRUE(wait_for_entry(*audrey_, "WorkspaceRenamed", mine));
  const auto alice_id = user_id_of(*alice_), bob_id = user_id_of(*bob_);

  const auto seen_by_alice = entries(*alice_, "?limit=500");
  EXPECT_TRUE(contains(seen_by_alice, "WorkspaceCreated", mine));
  EXPECT_TRUE(contains(seen_by_alice, "SecretSet", alice_id));
  for (const auto& entry : seen_by_alice) {
    EXPECT_TRUE(text_of(entry, "actor") == alice_id || text_of(entry, "workspace_id") == mine)
        << entry;
  }
  // A row about her workspace, though an admin acted: hers, with the admin's name.
  const auto renamed = find_entry(seen_by_alice, "WorkspaceRenamed", mine);
  ASSERT_TRUE(renamed.is_object());
  EXPECT_EQ(text_of(renamed, "actor_name"), "ada");
  EXPECT_EQ(text_of(renamed, "resource_type"), "workspace");
  EXPECT_EQ(text_of(renamed, "address"), "127.0.0.1");
  EXPECT_EQ(renamed.at("details").at("name").as_string(), "named by ada");
  for (const char* key : {"position", "at_ms", "actor", "actor_name", "action", "resource_type",
                          "resource_id", "workspace_id", "address", "trace_id", "details"}) {
    EXPECT_TRUE(renamed.as_object().contains(key)) << key;
  }

  const auto seen_by_bob = entries(*bob_, "?limit=500");
  EXPECT_TRUE(contains(seen_by_bob, "WorkspaceCreated", theirs));
  EXPECT_FALSE(contains(seen_by_bob, "WorkspaceCreated", mine));
  for (const auto& entry : seen_by_bob)
    EXPECT_NE(text_of(entry, "actor"), alice_id) << entry;

  for (auto* everything : {audrey_.get(), ada_.get()}) {
    const auto all = entries(*everything, "?limit=500");
    EXPECT_TRUE(contains(all, "WorkspaceCreated", mine));
    EXPECT_TRUE(contains(all, "WorkspaceCreated", theirs));
    EXPECT_TRUE(contains(all, "SecretSet", bob_id));
    EXPECT_TRUE(contains(all, "UserCreated", alice_id));
  }
  EXPECT_EQ(anonymous_->call("GET", "/api/audit").status, 401);

  // Secret values never leave the server; their events name them only.
  const auto raw = audrey_->call("GET", "/api/audit?limit=500&action=SecretSet");
  EXPECT_EQ(raw.body.find("alice-secret-4711"), std::string::npos);
  EXPECT_EQ(raw.body.find("bob-secret-0815"), std::string::npos);
  const auto secret = find_entry(entries(*audrey_, "?action=SecretSet"), "SecretSet", alice_id);
  ASSERT_TRUE(secret.is_object());
  EXPECT_EQ(json::serialize(secret.at("details")), R"({"name":"ALICE_KEY"})");
}

TEST_F(audit_test, filters_by_workspace_action_user_and_time) {
  const auto first = text_of(create_workspace(*alice_, "first", false), "id");
  const auto second = text_of(create_workspace(*alice_, "second", false), "id");
  ASSERT_EQ(alice_->call("PUT", "/api/workspaces/" + first + "/star").status, 200);
  ASSERT_TRUE(wait_for_entry(*audrey_, "WorkspaceStarred", first));
  const auto alice_id = user_id_of(*alice_);

  const auto of_first = entries(*audrey_, "?workspace=" + first);
  EXPECT_TRUE(contains(of_first, "WorkspaceCreated", first));
  EXPECT_TRUE(contains(of_first, "WorkspaceStarred", first));
  for (const auto& entry : of_first)
    EXPECT_EQ(text_of(entry, "workspace_id"), first) << entry;

  const auto created = entries(*audrey_, "?action=WorkspaceCreated");
  EXPECT_TRUE(contains(created, "WorkspaceCreated", first));
  EXPECT_TRUE(contains(created, "WorkspaceCreated", second));
  for (const auto& entry : created)
    EXPECT_EQ(text_of(entry, "action"), "WorkspaceCreated") << entry;

  const auto by_alice = entries(*audrey_, "?user=alice");
  EXPECT_TRUE(contains(by_alice, "WorkspaceCreated", second));
  for (const auto& entry : by_alice)
    EXPECT_EQ(text_of(entry, "actor"), alice_id) << entry;
  EXPECT_TRUE(entries(*audrey_, "?user=nobody").empty());

  const auto starred = find_entry(of_first, "WorkspaceStarred", first);
  const auto at = std::to_string(starred.at("at_ms").as_int64());
  const auto at_that_time = entries(*audrey_, "?since=" + at + "&until=" + at);
  EXPECT_TRUE(contains(at_that_time, "WorkspaceStarred", first));
  for (const auto& entry : at_that_time)
    EXPECT_EQ(std::to_string(entry.at("at_ms").as_int64()), at);
  EXPECT_TRUE(entries(*audrey_, "?until=0").empty());
  EXPECT_TRUE(entries(*audrey_, "?since=" + std::to_string(std::stoll(at) + 3'600'000)).empty());
  // Filters combine, and an empty value is no filter.
  const auto combined =
      entries(*audrey_, "?workspace=" + second + "&action=WorkspaceCreated&user=");
  ASSERT_EQ(combined.size(), 1u);
  EXPECT_EQ(text_of(combined[0], "resource_id"), second);
}

TEST_F(audit_test, pages_newest_first_without_gaps_or_repeats) {
  for (const char* name : {"one", "two", "three"})
    create_workspace(*alice_, name, false);
  const auto last = text_of(create_workspace(*alice_, "four", false), "id");
  ASSERT_TRUE(wait_for_entry(*audrey_, "WorkspaceCreated", last));
  const auto everything = entries(*audrey_, "?limit=500");
  ASSERT_GT(everything.size(), 6u);
  std::vector<std::int64_t> expected, paged;
  for (const auto& entry : everything)
    expected.push_back(entry.at("position").as_int64());
  EXPECT_TRUE(std::is_sorted(expected.rbegin(), expected.rend()));
  auto before = std::to_string(expected.front() + 1);
  for (int page = 0; page < 100; ++page) {
    const auto reply = audrey_->call("GET", "/api/audit?limit=2&before=" + before);
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto& rows = reply.json.at("entries").as_array();
    EXPECT_LE(rows.size(), 2u);
    for (const auto& row : rows)
      paged.push_back(row.at("position").as_int64());
    if (reply.json.at("next_before").is_null()) break;
    EXPECT_EQ(reply.json.at("next_before").as_int64(), paged.back());
    before = std::to_string(paged.back());
  }
  EXPECT_EQ(paged, expected);
  const auto one = audrey_->call("GET", "/api/audit?limit=1");
  EXPECT_EQ(one.json.at("entries").as_array().size(), 1u);
  EXPECT_FALSE(one.json.at("next_before").is_null());
}

TEST_F(audit_test, refuses_malformed_parameters_with_422) {
  for (const char* query :
       {"?limit=0", "?limit=501", "?limit=abc", "?limit=1.5", "?limit=-1", "?since=x", "?since=-5",
        "?until=yesterday", "?before=0", "?before=12abc", "?colour=red", "?workspace=garbage",
        "?user=Bad%20Name", "?action=Drop;Table", "?limit=1&limit=2", "?limit=%zz", "?=1"}) {
    const auto reply = audrey_->call("GET", std::string("/api/audit") + query);
    EXPECT_EQ(reply.status, 422) << query << " " << reply.body;
    EXPECT_EQ(reply.error_code(), "invalid") << query;
  }
  EXPECT_NE(audrey_->call("GET", "/api/audit?colour=red").body.find("colour"), std::string::npos);
  EXPECT_EQ(audrey_->call("GET", "/api/audit?limit=500&user=&action=").status, 200);
  for (const char* query : {"?limit=0", "?before=x", "?workspace=1", "?action=SessionOpened"}) {
    const auto reply = audrey_->call("GET", std::string("/api/audit/sessions") + query);
    EXPECT_EQ(reply.status, 422) << query << " " << reply.body;
  }
  EXPECT_EQ(anonymous_->call("GET", "/api/audit/sessions").status, 401);
}

}  // namespace
}  // namespace berth::testing
