#include "projections/templates.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/projections/event_factory.hpp"

namespace berth::projections {
namespace {

using ::testing::HasSubstr;
using testing::recorded;
using testing::single_change;

constexpr const char* template_data =
    R"({"template_id":"tp1","name":"base","image":"berth/base:2","limits":{"pids":512},)"
    R"("env":{"EDITOR":"vim"},"idle_timeout_s":1800,"sudo_allowed":true})";

TEST(template_projection, creates_and_updates_with_one_upsert_that_only_a_newer_version_wins) {
  for (const auto* type : {"TemplateCreated", "TemplateUpdated"}) {
    const auto change =
        single_change(apply_template_event(recorded("template-tp1", 2, type, template_data)));
    EXPECT_THAT(change.statement, HasSubstr("INSERT INTO rm_templates")) << type;
    EXPECT_THAT(change.statement, HasSubstr("WHERE rm_templates.version < EXCLUDED.version"))
        << type;
    const std::vector<std::optional<std::string>> expected{
        "tp1",  "base", "berth/base:2", R"({"pids":512})", R"({"EDITOR":"vim"})", "1800",
        "true", "2"};
    EXPECT_EQ(change.params, expected) << type;
  }
}

TEST(template_projection, marks_a_deleted_template) {
  const auto change =
      single_change(apply_template_event(recorded("template-tp1", 3, "TemplateDeleted")));
  EXPECT_THAT(change.statement, HasSubstr("deleted = true"));
  EXPECT_THAT(change.statement, HasSubstr("version < $2"));
  const std::vector<std::optional<std::string>> expected{"tp1", "3"};
  EXPECT_EQ(change.params, expected);
}

TEST(template_projection, skips_unknown_template_event_types) {
  EXPECT_FALSE(apply_template_event(recorded("template-tp1", 2, "TemplateCloned")));
}

TEST(template_projection, has_nothing_to_do_with_other_streams) {
  const auto result = apply_template_event(recorded("session-s1", 1, "SessionOpened"));
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->empty());
}

}  // namespace
}  // namespace berth::projections
