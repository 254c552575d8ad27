#pragma once

// What the keeper and workspace-container tests share (label `docker`, real daemon): a keeper
// link driven synchronously (link_probe), a session's output as a test sees it, and the
// fixture that creates workspace containers and removes them afterwards. Needs
// BERTH_WORKSPACE_IMAGE (the last line of scripts/build-image); fails, never skips, without it.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "docker/keeper_link.hpp"
#include "docker/workspace_container.hpp"

namespace berth::docker::testing {

using clock_type = std::chrono::steady_clock;
using deadline = clock_type::time_point;

/// Patience for anything a test waits for; generous for a loaded 2-core machine.
inline constexpr std::chrono::seconds patience{30};
/// Small enough that `seq` fills it many times over, so back-pressure must hold the shell.
inline constexpr std::size_t small_journal = 64 * 1024;

/// The time `span` from now.
deadline in(std::chrono::milliseconds span);

/// The exact bytes `seq 1 count` prints on a terminal (which turns \n into \r\n).
std::string seq_on_terminal(int count);

/// The keeper binary built with this test, loaded once.
const keeper_binary& loaded_keeper();

/// Names an exec the test created itself, to attach a probe to it.
struct existing_exec {
  std::string id;
};

/// A keeper link driven synchronously: its io_context runs on a thread, messages queue up.
class link_probe {
 public:
  link_probe(client& docker, const std::string& container, keeper_link_options options = {}) {
    auto opened = keeper_link::open(docker, io_, container, handlers(), std::move(options));
    if (!opened) {
      record_close(opened.error());
    } else {
      link_.emplace(std::move(*opened));
    }
    thread_ = std::thread{[this] { io_.run(); }};
  }

  /// Attaches to an exec the test created itself.
  link_probe(client& docker, existing_exec exec, keeper_link_options options = {}) {
    link_.emplace(keeper_link::start(io_, docker.host(), docker.version(), std::move(exec.id),
                                     handlers(), std::move(options)));
    thread_ = std::thread{[this] { io_.run(); }};
  }

  link_probe(const link_probe&) = delete;
  link_probe& operator=(const link_probe&) = delete;

  ~link_probe() {
    link_.reset();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  keeper_link& link() { return *link_; }
  void send(const keeper::message& message) {
    if (link_) link_->send(message);
  }

  /// The next message, or nothing once the link closed (and all was read) or at the deadline.
  std::optional<keeper::message> next(deadline until) {
    std::unique_lock lock{mutex_};
    changed_.wait_until(lock, until, [&] { return !messages_.empty() || closed_; });
    if (messages_.empty()) return std::nullopt;
    auto message = std::move(messages_.front());
    messages_.pop_front();
    return message;
  }

  /// Skips other messages until one of type T arrives.
  template <class T>
  std::optional<T> next_of(deadline until) {
    while (auto message = next(until)) {
      if (auto* wanted = std::get_if<T>(&*message)) return std::move(*wanted);
    }
    return std::nullopt;
  }

  /// Waits for the link to end; true when it did before the deadline.
  bool wait_closed(deadline until) {
    std::unique_lock lock{mutex_};
    return changed_.wait_until(lock, until, [&] { return closed_; });
  }

  std::optional<keeper_link_error> failure() {
    std::lock_guard lock{mutex_};
    return failure_;
  }

 private:
  keeper_link_handlers handlers() {
    return {
        .on_message =
            [this](const keeper::message& message) {
              std::lock_guard lock{mutex_};
              messages_.push_back(message);
              changed_.notify_all();
            },
        .on_closed = [this](std::optional<keeper_link_error> failure) { record_close(failure); },
        .on_diagnostic = {},
        .should_pause = {}};
  }

  void record_close(std::optional<keeper_link_error> failure) {
    std::lock_guard lock{mutex_};
    closed_ = true;
    failure_ = std::move(failure);
    changed_.notify_all();
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::optional<keeper_link> link_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<keeper::message> messages_;
  bool closed_ = false;
  std::optional<keeper_link_error> failure_;
};

/// What a test has seen of one session's output.
struct session_stream {
  std::string session;
  std::uint64_t start = 0;  ///< Offset of bytes[0].
  std::string bytes;
  std::optional<keeper::exited_event> exit;
  std::optional<keeper::error_reply> error;
  bool discontinuous = false;  ///< Output arrived at an offset other than the next expected.

  std::uint64_t next_offset() const { return start + bytes.size(); }
};

/// Reads into stream until done(stream) holds, acking each output frame when ack is set.
bool read_until(link_probe& probe, session_stream& stream,
                const std::function<bool(const session_stream&)>& done, bool ack,
                deadline until = in(patience));

/// Sends attach and waits for the attached reply.
session_stream attach(link_probe& probe, const std::string& session, std::uint64_t from);

/// Opens a session and waits for the opened reply.
void open_session(link_probe& probe, keeper::open_request request);

/// `GET /containers/{id}/json` as JSON, for fields container_info does not carry.
boost::json::object raw_inspect(const docker_host& host, const std::string& container);

class keeper_docker : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* image = std::getenv("BERTH_WORKSPACE_IMAGE");
    ASSERT_TRUE(image && *image)
        << "set BERTH_WORKSPACE_IMAGE to the workspace image, e.g. "
           "BERTH_WORKSPACE_IMAGE=$(scripts/build-image | tail -1) (test.sh does this)";
    image_ = image;
    auto connected = client::connect();
    ASSERT_TRUE(connected) << "the Docker daemon must be reachable for label `docker` tests: "
                           << describe(connected.error());
    docker_.emplace(std::move(*connected));
    auto exists = docker_->image_exists(image_);
    ASSERT_TRUE(exists) << describe(exists.error());
    ASSERT_TRUE(*exists) << "BERTH_WORKSPACE_IMAGE=" << image_ << " is not a local image";
  }

  void TearDown() override {
    if (!docker_) return;
    for (const auto& name : names_) {
      auto removed = docker_->remove_container(name, {.force = true, .volumes = true});
      if (!removed && removed.error().code != error_code::not_found) {
        ADD_FAILURE() << "cleanup of container " << name << ": " << describe(removed.error());
      }
      auto volume_removed = docker_->remove_volume(name, true);
      if (!volume_removed && volume_removed.error().code != error_code::not_found) {
        ADD_FAILURE() << "cleanup of volume " << name << ": " << describe(volume_removed.error());
      }
    }
  }

  /// A workspace spec with a fresh id, labelled `berth.test=1`; its container and volume are
  /// removed after the test.
  workspace_container_spec spec(std::vector<std::string> keeper_flags = {}) {
    static std::atomic<int> counter{0};
    workspace_container_spec result;
    result.workspace_id = "test-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
    result.owner_id = "user-7";
    result.image = image_;
    result.limits = {.memory_bytes = 512 << 20, .nano_cpus = 500'000'000, .pids_limit = 256};
    result.extra_labels["berth.test"] = "1";
    result.keeper_flags = std::move(keeper_flags);
    names_.push_back(workspace_resource_name(result.workspace_id));
    return result;
  }

  std::string create(const workspace_container_spec& workspace) {
    auto id = create_workspace_container(*docker_, workspace, loaded_keeper());
    EXPECT_TRUE(id) << describe(id.error());
    return id ? *id : std::string{};
  }

  /// Creates and starts a workspace; returns once its keeper answers through a link.
  std::string start_workspace(std::vector<std::string> keeper_flags = {}) {
    auto container = create(spec(std::move(keeper_flags)));
    auto started = docker_->start_container(container);
    EXPECT_TRUE(started) << describe(started.error());
    // The keeper creates its socket right after the container starts; until then the bridge
    // cannot connect. Each try is a real exec, so this polls at the daemon's pace.
    const auto until = in(patience);
    while (clock_type::now() < until) {
      link_probe probe{*docker_, container};
      if (probe.next_of<keeper::hello>(in(patience))) return container;
      auto failure = probe.failure();
      if (!failure || failure->failure != keeper_link_failure::keeper_unreachable) {
        ADD_FAILURE() << "keeper did not answer: " << (failure ? describe(*failure) : "no hello");
        return container;
      }
    }
    ADD_FAILURE() << "keeper socket did not appear";
    return container;
  }

  /// Waits until session's journal holds `end` unacknowledged bytes while its process runs.
  bool journal_full(link_probe& probe, const std::string& session, std::uint64_t end) {
    const auto until = in(patience);
    while (clock_type::now() < until) {
      probe.send(keeper::list_request{});
      auto list = probe.next_of<keeper::session_list_reply>(until);
      if (!list) return false;
      for (const auto& row : list->sessions) {
        if (row.session == session && row.end == end && row.oldest == 0 &&
            row.state == keeper::session_state::running) {
          return true;
        }
      }
    }
    return false;
  }

  std::string image_;
  std::optional<client> docker_;
  std::vector<std::string> names_;
};

using workspace_containers = keeper_docker;
using keeper_links = keeper_docker;

}  // namespace berth::docker::testing
