#include "tests/docker/daemon_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "tests/docker/tar_archive.hpp"

namespace berth::docker::testing {
namespace {

// The applets the tests use, linked to the static busybox like `busybox --install` would.
const std::vector<std::string> applets = {"sh",   "cat",   "echo", "sleep", "ls",    "dd", "head",
                                          "true", "false", "seq",  "wc",    "env",   "id", "printf",
                                          "kill", "sync",  "rm",   "tr",    "mkdir", "ps", "pwd",
                                          "test", "yes",   "stat", "touch", "grep",  "sed"};

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return std::string{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

std::string busybox_rootfs() {
  auto busybox = read_file("/bin/busybox");
  std::vector<tar_entry> entries;
  entries.push_back({"bin/", tar_entry::kind::directory, 0755, {}, {}, 0});
  entries.push_back({"tmp/", tar_entry::kind::directory, 01777, {}, {}, 0});
  entries.push_back({"workspace/", tar_entry::kind::directory, 0777, {}, {}, 0});
  entries.push_back({"bin/busybox", tar_entry::kind::file, 0755, busybox, {}, busybox.size()});
  for (const auto& applet : applets) {
    entries.push_back({"bin/" + applet, tar_entry::kind::symlink, 0777, {}, "busybox", 0});
  }
  return write_tar(entries);
}

}  // namespace

body_source string_source(std::string data, std::size_t piece) {
  return [data = std::move(data), piece,
          offset = std::size_t{0}](std::span<char> buffer) mutable -> std::optional<std::size_t> {
    auto count = std::min({buffer.size(), piece, data.size() - offset});
    std::copy_n(data.data() + offset, count, buffer.data());
    offset += count;
    return count;
  };
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = std::chrono::milliseconds{5};
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // The daemon offers no push notification for these states; back off while polling.
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds{100});
  }
  return true;
}

std::size_t peak_resident_bytes() {
  std::ifstream status{"/proc/self/status"};
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) {
      std::istringstream fields{line.substr(6)};
      std::size_t kilobytes = 0;
      fields >> kilobytes;
      return kilobytes * 1024;
    }
  }
  return 0;
}

void daemon_test::SetUp() {
  auto connected = client::connect();
  ASSERT_TRUE(connected) << "the Docker daemon must be reachable for label `docker` tests: "
                         << describe(connected.error());
  docker_.emplace(std::move(*connected));
  auto exists = docker_->image_exists(test_image);
  ASSERT_TRUE(exists) << describe(exists.error());
  if (*exists) return;
  ASSERT_EQ(access("/bin/busybox", R_OK), 0)
      << "the test image needs /bin/busybox from Debian package busybox-static";
  auto imported = docker_->import_image({"berth-test-busybox", "1", "berth test image"},
                                        string_source(busybox_rootfs()));
  ASSERT_TRUE(imported) << describe(imported.error());
}

void daemon_test::TearDown() {
  if (!docker_) return;
  for (const auto& id : containers_) {
    auto removed = docker_->remove_container(id, {.force = true, .volumes = true});
    if (!removed && removed.error().code != error_code::not_found) {
      ADD_FAILURE() << "cleanup of container " << id << ": " << describe(removed.error());
    }
  }
  for (const auto& name : volumes_) {
    auto removed = docker_->remove_volume(name, true);
    if (!removed && removed.error().code != error_code::not_found) {
      ADD_FAILURE() << "cleanup of volume " << name << ": " << describe(removed.error());
    }
  }
}

std::string daemon_test::unique_name(std::string_view suffix) {
  static std::atomic<int> counter{0};
  return "berth-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" +
         std::string{suffix};
}

container_spec daemon_test::test_spec(std::vector<std::string> cmd) {
  container_spec spec;
  spec.image = std::string{test_image};
  spec.cmd = std::move(cmd);
  spec.labels["berth.test"] = "1";
  return spec;
}

std::string daemon_test::create(const container_spec& spec) {
  auto id = docker_->create_container(spec);
  EXPECT_TRUE(id) << describe(id.error());
  if (!id) return {};
  containers_.push_back(*id);
  return *id;
}

std::string daemon_test::start_sleeper(container_spec spec) {
  spec.cmd = {"sleep", "3600"};
  auto id = create(spec);
  auto started = docker_->start_container(id);
  EXPECT_TRUE(started) << describe(started.error());
  return id;
}

exec_outcome daemon_test::run_exec(const std::string& container_id, std::vector<std::string> cmd,
                                   std::string input, std::chrono::seconds limit) {
  exec_spec spec;
  spec.cmd = std::move(cmd);
  return run_exec(container_id, spec, std::move(input), limit);
}

exec_outcome daemon_test::run_exec(const std::string& container_id, const exec_spec& spec,
                                   std::string input, std::chrono::seconds limit) {
  exec_outcome outcome;
  auto exec_id = docker_->create_exec(container_id, spec);
  if (!exec_id) {
    outcome.failure = exec_id.error();
    return outcome;
  }
  boost::asio::io_context io;
  auto stream = exec_stream::open(
      io, docker_->host(), docker_->version(), *exec_id, {},
      {.on_output =
           [&](stream_kind kind, std::string_view bytes) {
             (kind == stream_kind::std_err ? outcome.std_err : outcome.std_out).append(bytes);
           },
       .on_closed =
           [&](std::optional<error> failure) {
             outcome.failure = std::move(failure);
             outcome.closed = true;
             io.stop();
           }});
  if (!input.empty()) stream.write(std::move(input));
  stream.shutdown_send();
  io.run_for(limit);
  if (!outcome.closed) return outcome;
  eventually(
      [&] {
        auto info = docker_->inspect_exec(*exec_id);
        if (!info || info->running) return false;
        outcome.exit_code = info->exit_code;
        return true;
      },
      std::chrono::seconds{10});
  return outcome;
}

}  // namespace berth::docker::testing
