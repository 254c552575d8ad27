#include "events/append_writer.hpp"

#include <algorithm>
#include <set>

#include "events/append_batch.hpp"
#include "events/canonical_json.hpp"
#include "events/pg_connection.hpp"
#include "events/uuid.hpp"

namespace berth::events {

result<std::vector<append_writer::prepared_event>> prepare_append(append_request& request) {
  if (request.stream_id.empty() || request.stream_id.size() > 200) {
    return fail(error_code::invalid_argument, "stream id must have 1 to 200 characters");
  }
  if (request.events.empty()) return fail(error_code::invalid_argument, "no events to append");
  if (request.expected_version < expected_version::any) {
    return fail(error_code::invalid_argument, "expected version must be >= -1");
  }
  if (request.stream_type.empty()) request.stream_type = stream_type_of(request.stream_id);
  std::vector<append_writer::prepared_event> prepared;
  prepared.reserve(request.events.size());
  for (auto& event : request.events) {
    if (event.event_id.empty()) event.event_id = make_uuid_v7();
    if (!is_uuid(event.event_id)) {
      return fail(error_code::invalid_argument, "event id is not a UUID: " + event.event_id);
    }
    if (event.type.empty()) return fail(error_code::invalid_argument, "event type is empty");
    auto data = canonical_json(event.data);
    auto metadata = canonical_json(event.metadata);
    if (!data || !metadata) {
      return fail(error_code::invalid_argument, "event data or metadata is not valid JSON");
    }
    prepared.push_back({std::move(*data), std::move(*metadata)});
  }
  return prepared;
}

append_writer::append_writer(options opts) : options_(std::move(opts)) {
  for (int i = 0; i < options_.writer_threads; ++i)
    threads_.emplace_back([this] { run_writer(); });
}

append_writer::~append_writer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_)
    thread.join();
}

void append_writer::submit(append_request request, completion done) {
  auto prepared = prepare_append(request);
  if (!prepared) {
    done(tl::unexpected(prepared.error()));
    return;
  }
  pending item{std::move(request), std::move(*prepared), std::move(done), 0};
  for (const auto& event : item.request.events) {
    item.bytes += event.data.size() + event.metadata.size() + (event.body ? event.body->size() : 0);
  }
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.max_queued_requests || stopping_) {
      item.done(fail(error_code::dependency_unavailable, "event store writer is overloaded"));
      return;
    }
    queue_.push_back(std::move(item));
  }
  wake_.notify_one();
}

std::vector<append_writer::pending> append_writer::take_batch(std::unique_lock<std::mutex>& lock) {
  // A stream being written by another writer thread is skipped, with all its later appends:
  // appends to one stream commit in the order they were submitted.
  const auto takeable = [this] {
    return std::any_of(queue_.begin(), queue_.end(), [this](const pending& p) {
      return !streams_in_flight_.count(p.request.stream_id);
    });
  };
  wake_.wait(lock, [&] { return (stopping_ && queue_.empty()) || takeable(); });
  std::vector<pending> batch;
  std::set<std::string> skipped;
  std::size_t bytes = 0;
  for (auto it = queue_.begin();
       it != queue_.end() && batch.size() < options_.max_batch_requests;) {
    const auto& stream = it->request.stream_id;
    if (streams_in_flight_.count(stream) || skipped.count(stream)) {
      skipped.insert(stream);
      ++it;
      continue;
    }
    if (!batch.empty() && bytes + it->bytes > options_.max_batch_bytes) break;
    bytes += it->bytes;
    batch.push_back(std::move(*it));
    it = queue_.erase(it);
  }
  for (const auto& item : batch)
    streams_in_flight_.insert(item.request.stream_id);
  return batch;
}

void append_writer::run_writer() {
  // Planned without the parameters' values: a custom plan would copy every array (a batch of
  // output bodies, up to 8 MiB) into the plan several times over while planning it.
  pg_connection connection(options_.database_url, "SET plan_cache_mode = force_generic_plan");
  for (;;) {
    std::vector<pending> batch;
    {
      std::unique_lock lock(mutex_);
      batch = take_batch(lock);
      if (batch.empty() && stopping_) return;
    }
    auto outcomes = write_batch(connection, batch);
    std::vector<pending> deferred;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (outcomes[i].deferred) {
        deferred.push_back(std::move(batch[i]));
      } else {
        if (outcomes[i].outcome) outcomes[i].outcome->batch_appends = batch.size();
        batch[i].done(std::move(outcomes[i].outcome));
      }
    }
    {
      std::lock_guard lock(mutex_);
      for (const auto& item : batch)
        streams_in_flight_.erase(item.request.stream_id);
      for (auto it = deferred.rbegin(); it != deferred.rend(); ++it) {
        queue_.push_front(std::move(*it));
      }
    }
    wake_.notify_all();
  }
}

}  // namespace berth::events
