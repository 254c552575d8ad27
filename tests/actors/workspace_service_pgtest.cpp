// The workspace actors against a real event store, with Docker left out (`start` false and
// commands that need no container): serialisation, conflicts, recovery and passivation.

#include <thread>

#include <gtest/gtest.h>

#include "actors/workspace_events.hpp"
#include "actors/workspace_service.hpp"
#include "events/event_store.hpp"
#include "events/uuid.hpp"
#include "tests/support/pg_fixture.hpp"

namespace berth::testing {
namespace {

using namespace actors;

class workspace_service_pgtest : public pg_test {
 protected:
  void SetUp() override {
    pg_test::SetUp();
    if (HasFatalFailure()) return;
    store_ = std::make_unique<events::event_store>(events::event_store::options{url()});
    service_ = make_service();
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    pg_test::TearDown();
  }

  std::unique_ptr<workspace_service> make_service(bool use_snapshots = true,
                                                  std::int64_t snapshot_every = 50) {
    workspace_runtime_options options;
    options.database_url = url();
    options.use_snapshots = use_snapshots;
    options.snapshot_every = snapshot_every;
    return std::make_unique<workspace_service>(*store_, options);
  }

  std::string create(const std::string& name) {
    workspace_command::create command;
    command.workspace_id = events::make_uuid_v7();
    command.owner_id = "owner-1";
    command.name = name;
    command.template_id = "default";
    command.image = "berth-workspace:test";
    auto created = service_->create(command, /*start=*/false, {"owner-1", "127.0.0.1", ""});
    EXPECT_TRUE(created) << (created ? "" : created.error().message);
    return command.workspace_id;
  }

  std::unique_ptr<events::event_store> store_;
  std::unique_ptr<workspace_service> service_;
};

TEST_F(workspace_service_pgtest, creates_a_workspace_without_docker_as_stopped) {
  const auto id = create("alpha");
  auto current = service_->get(id);
  ASSERT_TRUE(current);
  EXPECT_EQ(current->state.status, workspace_status::stopped);
  EXPECT_EQ(current->state.name, "alpha");
  EXPECT_EQ(current->state.version, 2);  // WorkspaceCreated, WorkspaceStopped
}

TEST_F(workspace_service_pgtest, serialises_concurrent_commands_to_one_workspace) {
  const auto id = create("busy");
  constexpr int threads = 8, renames_each = 10;
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < renames_each; ++i) {
        if (!service_->rename(id, "name " + std::to_string(t) + "-" + std::to_string(i), {})) {
          ++failures;
        }
      }
    });
  }
  for (auto& worker : workers)
    worker.join();
  EXPECT_EQ(failures, 0);
  // Every rename was decided on the state the previous one left: no conflict, no loss.
  auto version = store_->stream_version("workspace-" + id);
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, 2 + threads * renames_each);
}

TEST_F(workspace_service_pgtest, reloads_and_retries_once_after_a_write_behind_its_back) {
  const auto id = create("shared");
  ASSERT_TRUE(service_->get(id));  // the actor now holds version 2
  // Another node renames the workspace: the actor's version is stale.
  const auto renamed = encode(workspace_event_variant{workspace_event::renamed{"from elsewhere"}});
  ASSERT_TRUE(
      store_->append({"workspace-" + id,
                      "workspace",
                      2,
                      {{events::make_uuid_v7(), renamed.type, 1, renamed.data, {}, "{}"}}}));
  auto starred = service_->set_star(id, true, {});
  ASSERT_TRUE(starred) << starred.error().message;
  EXPECT_TRUE(starred->state.starred);
  EXPECT_EQ(starred->state.name, "from elsewhere") << "the retry decided on the reloaded state";
  EXPECT_EQ(starred->state.version, 4);
}

TEST_F(workspace_service_pgtest, rebuilds_the_same_state_with_and_without_snapshots) {
  const auto id = create("history");
  for (int i = 0; i < 60; ++i)
    ASSERT_TRUE(service_->set_star(id, i % 2 == 0, {}));
  const auto expected = service_->get(id);
  ASSERT_TRUE(expected);
  service_.reset();
  auto folding = make_service(/*use_snapshots=*/true, /*snapshot_every=*/10);
  auto from_events = folding->get(id);  // folds all 62 events, then saves a snapshot
  ASSERT_TRUE(from_events);
  folding.reset();
  auto snapshot = store_->load_snapshot("workspace-" + id, 1);
  ASSERT_TRUE(snapshot && *snapshot) << "no snapshot was saved";
  service_ = make_service();
  auto from_snapshot = service_->get(id);
  ASSERT_TRUE(from_snapshot);
  for (const auto* state : {&from_events->state, &from_snapshot->state}) {
    EXPECT_EQ(state->version, expected->state.version);
    EXPECT_EQ(state->starred, expected->state.starred);
    EXPECT_EQ(state->name, expected->state.name);
    EXPECT_EQ(state->status, expected->state.status);
  }
}

TEST_F(workspace_service_pgtest, recovers_many_workspaces_asked_for_at_once) {
  // 200 workspaces, each with its own name and star; a fresh runtime is asked for all of them
  // from 16 threads at once, so the loader reads them in batches.
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    ids.push_back(create("ws " + std::to_string(i)));
    if (i % 3 == 0) {
      ASSERT_TRUE(service_->set_star(ids.back(), true, {}));
    }
  }
  ids.push_back(events::make_uuid_v7());  // never created: not found, the others unaffected
  service_ = make_service();
  std::atomic<std::size_t> next{0};
  std::vector<command_result<workspace_reply>> replies(ids.size(), tl::unexpected(command_error{}));
  std::vector<std::thread> callers;
  for (int t = 0; t < 16; ++t) {
    callers.emplace_back([&] {
      for (auto i = next++; i < ids.size(); i = next++)
        replies[i] = service_->get(ids[i]);
    });
  }
  for (auto& caller : callers)
    caller.join();
  for (std::size_t i = 0; i + 1 < ids.size(); ++i) {
    ASSERT_TRUE(replies[i]) << i << ": " << replies[i].error().message;
    EXPECT_EQ(replies[i]->state.id, ids[i]);
    EXPECT_EQ(replies[i]->state.name, "ws " + std::to_string(i));
    EXPECT_EQ(replies[i]->state.starred, i % 3 == 0);
    EXPECT_EQ(replies[i]->state.version, i % 3 == 0 ? 3 : 2);
  }
  ASSERT_FALSE(replies.back());
  EXPECT_EQ(replies.back().error().code, command_error::kind::not_found);
}

TEST_F(workspace_service_pgtest, recovers_a_stream_longer_than_one_batch_read) {
  // 600 events: more than a batch reads per stream, so the rest is folded page by page.
  const auto id = create("long");
  for (int i = 0; i < 598; ++i)
    ASSERT_TRUE(service_->rename(id, "name " + std::to_string(i), {}));
  service_ = make_service(/*use_snapshots=*/false);
  auto recovered = service_->get(id);
  ASSERT_TRUE(recovered) << recovered.error().message;
  EXPECT_EQ(recovered->state.version, 600);
  EXPECT_EQ(recovered->state.name, "name 597");
}

TEST_F(workspace_service_pgtest, folds_from_the_first_event_when_the_snapshot_is_unreadable) {
  const auto id = create("snap");
  ASSERT_TRUE(service_->rename(id, "renamed", {}));
  ASSERT_TRUE(store_->save_snapshot({"workspace-" + id, 2, 1, "not a snapshot"}));
  service_ = make_service();
  auto recovered = service_->get(id);
  ASSERT_TRUE(recovered) << recovered.error().message;
  EXPECT_EQ(recovered->state.version, 3);
  EXPECT_EQ(recovered->state.name, "renamed");
}

TEST_F(workspace_service_pgtest, refuses_unknown_workspaces_and_invalid_names) {
  EXPECT_EQ(service_->get(events::make_uuid_v7()).error().code, command_error::kind::not_found);
  const auto id = create("valid");
  EXPECT_EQ(service_->rename(id, "bad/name", {}).error().code, command_error::kind::invalid);
  EXPECT_EQ(service_->rename(id, std::string(65, 'x'), {}).error().code,
            command_error::kind::invalid);
  workspace_command::create again;
  again.workspace_id = id;
  again.owner_id = "owner-1";
  again.name = "dup";
  again.image = "x";
  EXPECT_EQ(service_->create(again, false, {}).error().code, command_error::kind::conflict);
}

}  // namespace
}  // namespace berth::testing
