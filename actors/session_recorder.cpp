#include "actors/session_recorder.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace berth::actors {
namespace {

constexpr std::int64_t offset_max = std::numeric_limits<std::int64_t>::max();

}  // namespace

session_recorder::session_recorder(std::size_t batch_bytes, session_origin origin,
                                   std::int64_t version, std::int64_t committed_end)
    // An event of no bytes at all would never finish cutting the output.
    : batch_bytes_(std::max<std::size_t>(batch_bytes, 1)),
      origin_(std::move(origin)),
      version_(version),
      committed_end_(committed_end),
      received_end_(committed_end),
      output_start_(committed_end) {}

bool session_recorder::record_output(std::int64_t offset, std::string_view bytes) {
  // Checked before any sum: `offset + size` of a hostile keeper's offset would overflow.
  if (offset < 0 || offset < received_end_) return false;
  if (bytes.size() > static_cast<std::uint64_t>(offset_max - offset)) return false;
  if (bytes.empty()) return true;
  // After a gap (bytes someone else acked are gone from the keeper's journal) the output
  // before it keeps its offsets and what follows starts a run of its own.
  if (offset != received_end_ && !output_.empty()) seal();
  if (output_.empty()) output_start_ = offset;
  output_.append(bytes);
  const auto size = static_cast<std::int64_t>(bytes.size());
  received_end_ = offset + size;
  pending_output_bytes_ += size;
  return true;
}

void session_recorder::record_input(std::string_view bytes) {
  if (bytes.empty()) return;
  pending_input_bytes_ += static_cast<std::int64_t>(bytes.size());
  // Keystrokes typed while no output came back belong together; output in between, or a
  // full event, starts a new InputRecorded so the log keeps what was typed before what.
  if (input_open_ && output_.empty() && input_.size() + bytes.size() <= batch_bytes_) {
    input_.append(bytes);
    return;
  }
  seal();
  input_.assign(bytes);
  input_open_ = true;
}

void session_recorder::record(const session_control_event& event, const session_origin& origin) {
  seal();
  auto as_any = std::visit([](const auto& typed) { return session_event_variant(typed); }, event);
  const bool closes = std::holds_alternative<session_event::closed>(event);
  pending_.push_back({new_session_event(as_any, origin), std::nullopt, closes});
}

void session_recorder::seal() {
  if (input_open_) {
    input_open_ = false;
    pending_.push_back({input_recorded_event(std::move(input_), origin_), std::nullopt, false});
    input_.clear();
  }
  for (std::size_t from = 0; from < output_.size(); from += batch_bytes_) {
    const auto size = std::min(output_.size() - from, batch_bytes_);
    // Within what record_output admitted, so below 2^63 - 1.
    const auto offset = output_start_ + static_cast<std::int64_t>(from);
    const auto end = offset + static_cast<std::int64_t>(size);
    pending_.push_back({output_recorded_event(offset, output_.substr(from, size), origin_),
                        output_chunk{offset, end, 0}, false});
  }
  output_start_ += static_cast<std::int64_t>(output_.size());
  output_.clear();
}

std::optional<session_batch> session_recorder::take_batch() {
  if (in_flight_) return std::nullopt;
  seal();
  if (pending_.empty()) return std::nullopt;
  session_batch batch;
  batch.expected_version = version_;
  std::int64_t output_bytes = 0;
  std::int64_t input_bytes = 0;
  std::int64_t body_bytes = 0;
  std::size_t taken = 0;
  for (; taken < pending_.size() && body_bytes < max_append_bytes; ++taken) {
    const auto i = taken;
    const auto& entry = pending_[i];
    batch.events.push_back(entry.event);
    if (entry.event.body) body_bytes += static_cast<std::int64_t>(entry.event.body->size());
    if (entry.output) {
      batch.chunks.push_back(
          {entry.output->offset, entry.output->end, version_ + 1 + static_cast<std::int64_t>(i)});
      output_bytes += entry.output->end - entry.output->offset;
    } else if (entry.event.body) {
      input_bytes += static_cast<std::int64_t>(entry.event.body->size());  // InputRecorded
    }
    batch.closes = batch.closes || entry.closes;
  }
  const auto split = pending_.begin() + static_cast<std::ptrdiff_t>(taken);
  in_flight_.emplace(std::make_move_iterator(pending_.begin()), std::make_move_iterator(split));
  pending_.erase(pending_.begin(), split);
  pending_output_bytes_ -= output_bytes;
  in_flight_output_bytes_ = output_bytes;
  pending_input_bytes_ -= input_bytes;
  in_flight_input_bytes_ = input_bytes;
  return batch;
}

session_commit session_recorder::committed(std::int64_t last_version) {
  session_commit commit;
  if (!in_flight_) {
    commit.committed_end = committed_end_;
    return commit;
  }
  // The store says where the batch's last event landed; the others precede it in order.
  const auto count = static_cast<std::int64_t>(in_flight_->size());
  for (std::int64_t i = 0; i < count; ++i) {
    const auto& entry = (*in_flight_)[static_cast<std::size_t>(i)];
    if (!entry.output) continue;
    commit.chunks.push_back(
        {entry.output->offset, entry.output->end, last_version - count + 1 + i});
    committed_end_ = std::max(committed_end_, entry.output->end);
  }
  version_ = last_version;
  in_flight_.reset();
  in_flight_output_bytes_ = 0;
  in_flight_input_bytes_ = 0;
  commit.committed_end = committed_end_;
  return commit;
}

void session_recorder::failed() {
  if (!in_flight_) return;
  auto requeued = std::move(*in_flight_);
  in_flight_.reset();
  requeued.insert(requeued.end(), std::make_move_iterator(pending_.begin()),
                  std::make_move_iterator(pending_.end()));
  pending_ = std::move(requeued);
  pending_output_bytes_ += in_flight_output_bytes_;
  in_flight_output_bytes_ = 0;
  pending_input_bytes_ += in_flight_input_bytes_;
  in_flight_input_bytes_ = 0;
}

std::int64_t session_recorder::received_version() const {
  // What seal() would cut from what is still open: the input, then the output run.
  const auto open_events =
      (input_open_ ? 1 : 0) + (output_.size() + batch_bytes_ - 1) / batch_bytes_;
  const auto waiting = pending_.size() + (in_flight_ ? in_flight_->size() : 0) + open_events;
  return version_ + static_cast<std::int64_t>(waiting);
}

bool session_recorder::wants_flush_now() const {
  return static_cast<std::uint64_t>(pending_output_bytes_) >= batch_bytes_;
}

bool session_recorder::idle() const {
  return !in_flight_ && pending_.empty() && !input_open_ && output_.empty();
}

}  // namespace berth::actors
