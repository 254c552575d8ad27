// The Docker half of terminal sessions against the real daemon (label `docker`): workspace
// containers as create_workspace_container makes them, and keeper sessions driven through
// keeper_link. Needs BERTH_WORKSPACE_IMAGE (the last line of scripts/build-image); fails, never
// skips, without it.

#include <curl/curl.h>
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "docker/keeper_link.hpp"
#include "docker/tar_writer.hpp"
#include "docker/workspace_container.hpp"
#include "tests/docker/tar_archive.hpp"

namespace berth::docker::testing {
namespace {

using clock_type = std::chrono::steady_clock;
using deadline = clock_type::time_point;

/// Patience for anything a test waits for; generous for a loaded 2-core machine.
constexpr std::chrono::seconds patience{30};
/// Small enough that `seq` fills it many times over, so back-pressure must hold the shell.
constexpr std::size_t small_journal = 64 * 1024;

deadline in(std::chrono::milliseconds span) {
  return clock_type::now() + span;
}

/// The exact bytes `seq 1 count` prints on a terminal (which turns \n into \r\n).
std::string seq_on_terminal(int count) {
  std::string out;
  for (int i = 1; i <= count; ++i)
    out += std::to_string(i) + "\r\n";
  return out;
}

const keeper_binary& loaded_keeper() {
  static const auto keeper = load_keeper_binary(BERTH_KEEPER_BINARY);
  if (!keeper) throw std::runtime_error(keeper.error());
  return *keeper;
}

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
                deadline until = in(patience)) {
  while (!done(stream)) {
    auto message = probe.next(until);
    if (!message) return false;
    if (auto* output = std::get_if<keeper::output_event>(&*message);
        output && output->session == stream.session) {
      if (output->offset != stream.next_offset()) stream.discontinuous = true;
      stream.bytes += output->data;
      if (ack) probe.send(keeper::ack_request{stream.session, stream.next_offset()});
    } else if (auto* exited = std::get_if<keeper::exited_event>(&*message)) {
      if (exited->session == stream.session) stream.exit = *exited;
    } else if (auto* error = std::get_if<keeper::error_reply>(&*message)) {
      stream.error = *error;
      ADD_FAILURE() << "keeper error " << keeper::to_string(error->code) << ": " << error->message;
    }
  }
  return true;
}

/// Sends attach and waits for the attached reply.
session_stream attach(link_probe& probe, const std::string& session, std::uint64_t from) {
  probe.send(keeper::attach_request{session, from});
  session_stream stream{session, from, {}, {}, {}, false};
  auto attached = probe.next_of<keeper::attached_reply>(in(patience));
  EXPECT_TRUE(attached) << "no attached reply for " << session;
  if (attached) {
    EXPECT_EQ(attached->offset, from);
  }
  return stream;
}

/// Opens a session and waits for the opened reply.
void open_session(link_probe& probe, keeper::open_request request) {
  const auto session = request.session;
  probe.send(std::move(request));
  auto opened = probe.next_of<keeper::opened_reply>(in(patience));
  ASSERT_TRUE(opened) << "no opened reply for " << session;
}

/// `GET /containers/{id}/json` as JSON, for fields container_info does not carry.
boost::json::object raw_inspect(const docker_host& host, const std::string& container) {
  CURL* curl = curl_easy_init();
  std::string body;
  const auto url = base_url(host) + "/containers/" + container + "/json";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (host.transport == docker_host::kind::unix_socket) {
    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, host.socket_path.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, std::size_t size, std::size_t count, void* out) {
        static_cast<std::string*>(out)->append(data, size * count);
        return size * count;
      });
  const auto result = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  if (result != CURLE_OK) return {};
  return boost::json::parse(body).as_object();
}

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

TEST_F(workspace_containers, are_labelled_limited_stripped_of_privileges_and_hold_the_keeper) {
  auto workspace = spec();
  const auto container = create(workspace);
  ASSERT_FALSE(container.empty());
  auto info = docker_->inspect_container(container);
  ASSERT_TRUE(info) << describe(info.error());
  const auto name = workspace_resource_name(workspace.workspace_id);
  EXPECT_EQ(info->name, name);
  EXPECT_EQ(info->labels.at("berth.workspace"), workspace.workspace_id);
  EXPECT_EQ(info->labels.at("berth.owner"), "user-7");
  EXPECT_EQ(info->labels.at("berth.test"), "1");
  EXPECT_EQ(info->limits, workspace.limits);
  EXPECT_EQ(info->security_options, std::vector<std::string>{"no-new-privileges"});
  EXPECT_EQ(info->cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_TRUE(info->init);
  ASSERT_EQ(info->mounts.size(), 1u);
  EXPECT_EQ(info->mounts[0].type, "volume");
  EXPECT_EQ(info->mounts[0].source, name);
  EXPECT_EQ(info->mounts[0].target, "/workspace");

  auto raw = raw_inspect(docker_->host(), container);
  ASSERT_FALSE(raw.empty());
  const auto& config = raw.at("Config").as_object();
  EXPECT_EQ(config.at("User").as_string(), "1000:1000");
  EXPECT_EQ(config.at("WorkingDir").as_string(), "/workspace");
  EXPECT_EQ(config.at("Cmd"), boost::json::value(boost::json::array{"/opt/berth/keeper", "serve"}));
  const auto& host_config = raw.at("HostConfig").as_object();
  EXPECT_EQ(host_config.at("MemorySwap").as_int64(), 512 << 20);
  EXPECT_EQ(host_config.at("RestartPolicy").at("Name").as_string(), "no");
  EXPECT_EQ(host_config.at("LogConfig").at("Config").at("max-size").as_string(), "10m");

  auto volume = docker_->inspect_volume(name);
  ASSERT_TRUE(volume) << describe(volume.error());
  EXPECT_EQ(volume->labels.at("berth.workspace"), workspace.workspace_id);

  // The keeper was uploaded before any start: root-owned, executable, byte for byte.
  std::string archive;
  auto downloaded =
      docker_->download_archive(container, "/opt/berth/keeper", [&](std::string_view chunk) {
        archive.append(chunk);
        return true;
      });
  ASSERT_TRUE(downloaded) << describe(downloaded.error());
  auto entries = read_tar(archive);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].mode & 07777, 0755u);
  EXPECT_TRUE((*entries)[0].content == loaded_keeper().content);
  ASSERT_GE(archive.size(), tar_block_size);
  EXPECT_EQ(std::stoul(archive.substr(108, 7), nullptr, 8), 0u) << "uid";
  EXPECT_EQ(std::stoul(archive.substr(116, 7), nullptr, 8), 0u) << "gid";
}

TEST_F(workspace_containers, that_allow_sudo_keep_capabilities_and_setuid) {
  auto workspace = spec();
  workspace.sudo_allowed = true;
  const auto container = create(workspace);
  auto info = docker_->inspect_container(container);
  ASSERT_TRUE(info) << describe(info.error());
  EXPECT_TRUE(info->security_options.empty());
  EXPECT_TRUE(info->cap_drop.empty());
}

TEST_F(workspace_containers, keep_their_volume_when_the_container_is_removed_and_recreated) {
  auto workspace = spec();
  auto container = create(workspace);
  const std::string note = "still here\n";
  auto framed = frame_single_file("note.txt", 0644, note.size(), 1000, 1000);
  ASSERT_TRUE(framed) << framed.error();
  std::string tar = framed->head + note + framed->tail;
  auto uploaded = docker_->upload_archive(
      container, "/workspace",
      [&, offset = std::size_t{0}](std::span<char> buffer) mutable -> std::optional<std::size_t> {
        const auto count = std::min(buffer.size(), tar.size() - offset);
        std::copy_n(tar.data() + offset, count, buffer.data());
        offset += count;
        return count;
      });
  ASSERT_TRUE(uploaded) << describe(uploaded.error());

  auto removed = docker_->remove_container(container, {.force = true, .volumes = true});
  ASSERT_TRUE(removed) << describe(removed.error());
  auto volume = docker_->inspect_volume(workspace_resource_name(workspace.workspace_id));
  ASSERT_TRUE(volume) << "the volume went with the container: " << describe(volume.error());

  container = create(workspace);
  std::string archive;
  auto downloaded =
      docker_->download_archive(container, "/workspace/note.txt", [&](std::string_view chunk) {
        archive.append(chunk);
        return true;
      });
  ASSERT_TRUE(downloaded) << describe(downloaded.error());
  auto entries = read_tar(archive);
  ASSERT_TRUE(entries && entries->size() == 1u);
  EXPECT_EQ((*entries)[0].content, note);
}

TEST_F(keeper_links, run_echo_hello_in_a_shell_session_and_read_it_back) {
  const auto container = start_workspace();
  link_probe probe{*docker_, container};
  ASSERT_NO_FATAL_FAILURE(open_session(probe, {"hello", 80, 24, "", {}, {}}));
  auto stream = attach(probe, "hello", 0);
  probe.send(keeper::input_request{"hello", "echo hello\r"});
  // The terminal echoes the command line; the command's own output follows it (after bash's
  // bracketed-paste escapes, so only the order is certain).
  EXPECT_TRUE(read_until(
      probe, stream,
      [](const session_stream& s) {
        const std::string_view command_line = "echo hello\r\n";
        const auto echoed = s.bytes.find(command_line);
        return echoed != std::string::npos &&
               s.bytes.find("hello\r\n", echoed + command_line.size()) != std::string::npos;
      },
      true))
      << "output so far: " << stream.bytes;
  EXPECT_FALSE(stream.discontinuous);
  probe.send(keeper::close_request{"hello"});
  EXPECT_TRUE(probe.next_of<keeper::closed_reply>(in(patience)));
}

TEST_F(keeper_links, resume_byte_exact_through_a_new_exec_after_the_bridge_is_killed) {
  const auto container = start_workspace({"--journal-bytes", "64K"});
  constexpr int count = 100000;
  const auto expected = seq_on_terminal(count);
  session_stream stream;
  {
    link_probe first{*docker_, container};
    ASSERT_NO_FATAL_FAILURE(
        open_session(first, {"seq", 80, 24, "", {}, {"seq", "1", std::to_string(count)}}));
    stream = attach(first, "seq", 0);
    // The journal holds 64 KiB and only acked bytes leave it, so seq is still printing when
    // this much has arrived.
    ASSERT_TRUE(read_until(
        first, stream, [](const session_stream& s) { return s.bytes.size() >= 3 * small_journal; },
        true));
    auto exec = docker_->inspect_exec(first.link().exec_id());
    ASSERT_TRUE(exec) << describe(exec.error());
    ASSERT_TRUE(exec->running);
    ASSERT_GT(exec->pid, 0);
    std::ifstream command_line{"/proc/" + std::to_string(exec->pid) + "/cmdline"};
    std::string argv0;
    std::getline(command_line, argv0, '\0');
    ASSERT_EQ(argv0, "/opt/berth/keeper") << "the daemon's pid namespace must be this host's";
    ASSERT_EQ(::kill(exec->pid, SIGKILL), 0);
    ASSERT_TRUE(first.wait_closed(in(patience)));
    // Whatever arrived before the end still counts; read_until stops at the end of the queue.
    read_until(
        first, stream, [](const session_stream&) { return false; }, true, in({}));
    EXPECT_FALSE(stream.exit) << "seq ended before the bridge was killed";
  }
  link_probe second{*docker_, container};
  ASSERT_NE(second.link().exec_id(), "");
  const auto resumed_from = stream.next_offset();
  auto rest = attach(second, "seq", resumed_from);
  // Acks sent on the dead link may never have arrived; with a full journal the keeper would
  // wait for them forever, so a resuming client repeats its ack first.
  second.send(keeper::ack_request{"seq", resumed_from});
  ASSERT_TRUE(read_until(
      second, rest, [](const session_stream& s) { return s.exit.has_value(); }, true))
      << "resumed from " << resumed_from << ", received " << rest.bytes.size()
      << " more bytes; link " << (second.failure() ? describe(*second.failure()) : "open");
  EXPECT_FALSE(stream.discontinuous);
  EXPECT_FALSE(rest.discontinuous);
  const auto whole = stream.bytes + rest.bytes;
  EXPECT_EQ(whole.size(), expected.size());
  EXPECT_TRUE(whole == expected) << "resumed from " << resumed_from;
  EXPECT_EQ(rest.exit->end, expected.size());
  EXPECT_EQ(rest.exit->status, (keeper::exit_status{false, 0}));
}

TEST_F(keeper_links, deliver_output_made_while_nobody_was_attached_once_reattached_and_acked) {
  const auto container = start_workspace({"--journal-bytes", "64K"});
  constexpr int count = 200000;
  const auto expected = seq_on_terminal(count);
  {
    link_probe opener{*docker_, container};
    ASSERT_NO_FATAL_FAILURE(
        open_session(opener, {"quiet", 80, 24, "", {}, {"seq", "1", std::to_string(count)}}));
  }
  link_probe reader{*docker_, container};
  // Back-pressure: with nothing acked the keeper stops reading once the journal is full, and
  // seq waits (its output is over a megabyte) instead of losing bytes.
  ASSERT_TRUE(journal_full(reader, "quiet", small_journal));
  auto stream = attach(reader, "quiet", 0);
  ASSERT_TRUE(read_until(
      reader, stream, [](const session_stream& s) { return s.exit.has_value(); }, true));
  EXPECT_FALSE(stream.discontinuous);
  EXPECT_EQ(stream.bytes.size(), expected.size());
  EXPECT_TRUE(stream.bytes == expected);
  EXPECT_EQ(stream.exit->status, (keeper::exit_status{false, 0}));
}

TEST_F(keeper_links, carry_a_resize_to_the_shell) {
  const auto container = start_workspace();
  link_probe probe{*docker_, container};
  ASSERT_NO_FATAL_FAILURE(open_session(probe, {"sized", 80, 24, "", {}, {}}));
  auto stream = attach(probe, "sized", 0);
  probe.send(keeper::resize_request{"sized", 132, 43});
  probe.send(keeper::input_request{"sized", "stty size\r"});
  EXPECT_TRUE(read_until(
      probe, stream,
      [](const session_stream& s) { return s.bytes.find("43 132\r\n") != std::string::npos; },
      true))
      << "output so far: " << stream.bytes;
}

TEST_F(keeper_links, report_the_exit_status_of_the_shell) {
  const auto container = start_workspace();
  link_probe probe{*docker_, container};
  ASSERT_NO_FATAL_FAILURE(open_session(probe, {"leaving", 80, 24, "", {}, {}}));
  auto stream = attach(probe, "leaving", 0);
  probe.send(keeper::input_request{"leaving", "exit 7\r"});
  ASSERT_TRUE(read_until(
      probe, stream, [](const session_stream& s) { return s.exit.has_value(); }, true));
  EXPECT_EQ(stream.exit->status, (keeper::exit_status{false, 7}));
  EXPECT_EQ(stream.exit->end, stream.next_offset());
}

TEST_F(keeper_links, report_docker_text_for_a_second_start_of_an_exec_as_a_typed_error) {
  const auto container = start_workspace();
  exec_spec bridge;
  bridge.cmd = {"/opt/berth/keeper", "attach"};
  auto exec_id = docker_->create_exec(container, bridge);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  link_probe first{*docker_, existing_exec{*exec_id}};
  ASSERT_TRUE(first.next_of<keeper::hello>(in(patience)));

  link_probe second{*docker_, existing_exec{*exec_id}};
  ASSERT_TRUE(second.wait_closed(in(patience)));
  EXPECT_FALSE(second.next(in({}))) << "Docker's text must not surface as a message";
  auto failure = second.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::exec_already_used) << describe(*failure);
  EXPECT_NE(failure->message.find("already running"), std::string::npos) << failure->message;

  // The first stream is unaffected.
  first.send(keeper::list_request{});
  EXPECT_TRUE(first.next_of<keeper::session_list_reply>(in(patience)));
}

TEST_F(keeper_links, refuse_a_hello_of_another_protocol_version) {
  const auto container = start_workspace();
  exec_spec fake;
  // A hello frame announcing version 2, then whatever the link sends is echoed back.
  fake.cmd = {"bash", "-c",
              R"(printf '\x00\x00\x00\x0e\x01BERTHKPR\x00\x02\x00\x10\x00\x00'; exec cat)"};
  auto exec_id = docker_->create_exec(container, fake);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  link_probe probe{*docker_, existing_exec{*exec_id}};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  EXPECT_FALSE(probe.next(in({})));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::incompatible_version) << describe(*failure);
}

TEST_F(keeper_links, refuse_a_stream_of_text_without_a_hello) {
  const auto container = start_workspace();
  exec_spec chatter;
  chatter.cmd = {"bash", "-c", "yes 'not a keeper' | head -c 10000; exec cat"};
  auto exec_id = docker_->create_exec(container, chatter);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  link_probe probe{*docker_, existing_exec{*exec_id}};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  EXPECT_FALSE(probe.next(in({})));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::not_a_keeper) << describe(*failure);
  EXPECT_NE(failure->message.find("not a keeper"), std::string::npos) << failure->message;
}

TEST_F(keeper_links, give_up_on_a_silent_stream_at_the_hello_timeout) {
  const auto container = start_workspace();
  exec_spec silent;
  silent.cmd = {"sleep", "60"};
  auto exec_id = docker_->create_exec(container, silent);
  ASSERT_TRUE(exec_id) << describe(exec_id.error());
  keeper_link_options options;
  options.hello_timeout = std::chrono::milliseconds{300};
  link_probe probe{*docker_, existing_exec{*exec_id}, options};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::hello_timeout) << describe(*failure);
}

TEST_F(keeper_links, report_a_bridge_that_cannot_reach_the_keeper_with_its_stderr) {
  const auto container = start_workspace();
  keeper_link_options options;
  options.attach_flags = {"--socket", "/tmp/nowhere.sock"};
  link_probe probe{*docker_, container, options};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::keeper_unreachable) << describe(*failure);
  EXPECT_NE(failure->message.find("/tmp/nowhere.sock"), std::string::npos) << failure->message;
}

TEST_F(keeper_links, report_a_container_that_is_not_running_as_a_docker_conflict) {
  auto container = create(spec());
  link_probe probe{*docker_, container};
  ASSERT_TRUE(probe.wait_closed(in(patience)));
  auto failure = probe.failure();
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->failure, keeper_link_failure::docker) << describe(*failure);
  ASSERT_TRUE(failure->docker);
  EXPECT_EQ(failure->docker->code, error_code::conflict) << describe(*failure->docker);
}

}  // namespace
}  // namespace berth::docker::testing
