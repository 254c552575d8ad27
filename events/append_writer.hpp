#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/error.hpp"
#include "events/event.hpp"

namespace berth::events {

/// Group commit: writer threads take every append waiting in the queue (from any number of
/// streams) and write them in one transaction, so throughput is not one fsync per append.
/// A conflict in one stream fails only that stream's append.
class append_writer {
 public:
  using completion = std::function<void(result<append_result>)>;

  struct options {
    std::string database_url;
    int writer_threads = 2;  ///< two overlap one batch's commit with the next batch's work
    std::size_t max_batch_requests = 1000;          ///< appends per transaction
    std::size_t max_batch_bytes = 8 * 1024 * 1024;  ///< payload bytes per transaction
    std::size_t max_queued_requests = 100'000;      ///< beyond this, appends fail fast
  };

  explicit append_writer(options opts);
  /// Writes what is queued, then stops the writer threads.
  ~append_writer();
  append_writer(const append_writer&) = delete;
  append_writer& operator=(const append_writer&) = delete;

  /// Queues an append; `done` runs on a writer thread once the outcome is known.
  void submit(append_request request, completion done);

  /// An event prepared for writing: JSON validated and canonicalised in the caller's thread.
  struct prepared_event {
    std::string canonical_data;
    std::string canonical_metadata;
  };
  /// A queued append and its completion.
  struct pending {
    append_request request;
    std::vector<prepared_event> prepared;
    completion done;
    std::size_t bytes = 0;
  };

 private:
  void run_writer();
  std::vector<pending> take_batch(std::unique_lock<std::mutex>& lock);

  options options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<pending> queue_;
  std::set<std::string> streams_in_flight_;  ///< streams in a batch some writer is writing
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

/// Validates and canonicalises a request; returns the prepared events or why it is invalid.
result<std::vector<append_writer::prepared_event>> prepare_append(append_request& request);

}  // namespace berth::events
