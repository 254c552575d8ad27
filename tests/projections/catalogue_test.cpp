#include "projections/catalogue.hpp"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "projections/event_fields.hpp"
#include "tests/projections/event_factory.hpp"

namespace berth::projections {
namespace {

/// The sample history as the feed would deliver it.
std::vector<events::recorded_event> recorded_history() {
  std::vector<events::recorded_event> history;
  std::map<std::string, std::int64_t> versions;
  std::int64_t position = 0;
  for (const auto& append : testing::sample_history()) {
    for (const auto& event : append.events) {
      auto stored = testing::recorded(append.stream_id, ++versions[append.stream_id], event.type,
                                      event.data, ++position);
      stored.body = event.body;
      history.push_back(std::move(stored));
    }
  }
  return history;
}

TEST(projection_catalogue, names_every_read_model) {
  EXPECT_EQ(projection_names(),
            (std::vector<std::string>{"workspaces", "audit", "users", "templates", "sessions"}));
  ASSERT_NE(find_projection("users"), nullptr);
  EXPECT_EQ(find_projection("users")->tables,
            (std::vector<std::string>{"rm_users", "rm_api_tokens", "rm_user_secrets"}));
  EXPECT_EQ(find_projection("nonsense"), nullptr);
}

TEST(projection_catalogue, every_change_is_an_upsert_or_guarded_by_the_rows_version) {
  // This is what makes replays and rebuilds harmless; the pg tests show the SQL holds it.
  for (const auto& read_model : all_projections()) {
    for (const auto& event : recorded_history()) {
      const auto result = read_model.apply(event);
      if (!result) continue;
      for (const auto& change : *result) {
        const bool guarded = change.statement.find("ON CONFLICT") != std::string::npos ||
                             change.statement.find("version < $2") != std::string::npos;
        EXPECT_TRUE(guarded) << read_model.name << " " << event.type << ": " << change.statement;
      }
    }
  }
}

TEST(projection_catalogue, each_projection_skips_only_types_it_does_not_know) {
  std::map<std::string, std::set<std::string>> skipped;
  for (const auto& read_model : all_projections()) {
    for (const auto& event : recorded_history()) {
      if (!read_model.apply(event)) skipped[read_model.name].insert(event.type);
    }
  }
  // Only the made-up type; events of other streams are "not mine", not "unknown".
  EXPECT_EQ(skipped["workspaces"], std::set<std::string>{"WorkspaceSnapshotted"});
  EXPECT_TRUE(skipped["audit"].empty());
  EXPECT_TRUE(skipped["users"].empty());
  EXPECT_TRUE(skipped["templates"].empty());
  EXPECT_TRUE(skipped["sessions"].empty());
}

TEST(json_fields, reads_anything_but_an_object_as_empty) {
  for (const auto* text : {"", "not json", "[1,2]", "42", "null"}) {
    const json_fields fields(text);
    EXPECT_EQ(fields.text("name"), "") << text;
    EXPECT_EQ(fields.integer("n"), 0) << text;
    EXPECT_FALSE(fields.boolean("b")) << text;
    EXPECT_EQ(fields.json("limits", "{}"), "{}") << text;
  }
}

TEST(json_fields, reads_mistyped_fields_as_defaults) {
  const json_fields fields(R"({"name":7,"n":"7","b":"true","limits":null})");
  EXPECT_EQ(fields.optional_text("name"), std::nullopt);
  EXPECT_EQ(fields.optional_integer("n"), std::nullopt);
  EXPECT_FALSE(fields.boolean("b"));
  EXPECT_EQ(fields.json("limits", "{}"), "{}");
}

TEST(json_fields, reads_integers_written_large_negative_or_floating_point) {
  const json_fields fields(R"({"unsigned":9223372036854775807,"float":12.9,"negative":-3})");
  EXPECT_EQ(fields.integer("unsigned"), 9223372036854775807);
  EXPECT_EQ(fields.integer("float"), 12);
  EXPECT_EQ(fields.integer("negative"), -3);
}

}  // namespace
}  // namespace berth::projections
