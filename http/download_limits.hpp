#pragma once

// Bounds on streamed downloads (a workspace's tar.gz export, a session's recording): how many
// one user may run at once, and how long and how large one may grow. The server produces
// streams on threads of their own (server::options::stream_threads); these bounds keep one
// user from holding all of them, and a sparse or endless source from streaming forever.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "http/user_gate.hpp"

namespace berth::http {

/// The limits of downloads (docs/api.md "Downloads").
struct download_limits {
  /// Downloads one user runs at once: a script's few parallel fetches, never the server's
  /// whole stream pool (8 threads by default).
  std::size_t per_user = 2;
  /// Longest a download may run: a slow link moves a large workspace in this time, while a
  /// sparse terabyte file (zeros compress to almost nothing) ends instead of running forever.
  std::chrono::seconds max_duration{2 * 3600};
  /// Most bytes one download sends (64 GiB): far above a real workspace's archive.
  std::uint64_t max_bytes = 64ULL << 30;
};

/// Counts running downloads per user. Thread-safe.
class download_gate {
 public:
  explicit download_gate(download_limits limits = {}) : limits_(limits), gate_(limits.per_user) {}

  /// A ticket while `user_id` runs fewer than `per_user` downloads (the download counts until
  /// the ticket is destroyed), or null when they run that many already.
  std::shared_ptr<void> enter(const std::string& user_id) { return gate_.enter(user_id); }
  /// Downloads running for `user_id` now.
  std::size_t running(const std::string& user_id) const { return gate_.held(user_id); }

  const download_limits& limits() const { return limits_; }

 private:
  const download_limits limits_;
  user_gate gate_;
};

/// `write` bounded by `limits`: once `max_bytes` would be passed or `max_duration` has
/// elapsed since the call (on `now`), it writes nothing more and returns false, which ends
/// the stream (the client sees a cut-off body). Refers to `write`: use it while `write` lives.
std::function<bool(std::string_view)> bounded_writer(
    const std::function<bool(std::string_view)>& write, const download_limits& limits,
    std::function<std::chrono::steady_clock::time_point()> now = [] {
      return std::chrono::steady_clock::now();
    });

}  // namespace berth::http
