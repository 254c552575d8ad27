#include "events/append_batch.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "events/hash_chain.hpp"
#include "telemetry/berth_metrics.hpp"

namespace berth::events {
namespace {

/// Where a stored event id landed (found by the idempotency look-up).
struct stored_position {
  std::string stream_id;
  std::int64_t stream_version;
  std::int64_t global_position;
};

/// A stream's state while the batch is being decided.
struct stream_state {
  bool exists = false;
  bool created_in_batch = false;
  std::int64_t version = 0;
  std::string last_hash;
};

/// An event row to insert.
struct planned_event {
  std::size_t request;
  std::int64_t stream_version;
  std::string prev_hash;
  std::string hash;
};

/// Signals that the transaction must be rolled back and the batch decided again.
struct retry_batch {};

bool is_retryable(const std::string& sqlstate) {
  // unique_violation (a concurrent writer stored the same id or stream), serialization
  // failure and deadlock: deciding the batch again resolves each.
  return sqlstate == "23505" || sqlstate == "40001" || sqlstate == "40P01";
}

std::string event_ids_literal(const std::vector<append_writer::pending>& batch) {
  array_literal ids;
  for (const auto& item : batch) {
    for (const auto& event : item.request.events)
      ids.add(event.event_id);
  }
  return std::move(ids).finish();
}

std::unordered_map<std::string, stored_position> find_stored_ids(
    pqxx::work& tx, const std::vector<append_writer::pending>& batch) {
  std::unordered_map<std::string, stored_position> stored;
  const auto rows = tx.exec_params(
      "SELECT event_id::text, stream_id, stream_version, global_pos FROM es_events "
      "WHERE event_id = ANY($1::uuid[])",
      event_ids_literal(batch));
  for (const auto& row : rows) {
    stored.emplace(row[0].c_str(), stored_position{row[1].c_str(), row[2].as<std::int64_t>(),
                                                   row[3].as<std::int64_t>()});
  }
  return stored;
}

/// Answers an append whose event ids are all stored already; an error if only some are.
result<append_result> answer_repeated_append(
    const append_request& request, const std::unordered_map<std::string, stored_position>& stored) {
  append_result answer;
  answer.already_appended = true;
  for (const auto& event : request.events) {
    const auto found = stored.find(event.event_id);
    if (found == stored.end() || found->second.stream_id != request.stream_id) {
      return fail(error_code::invalid_argument,
                  "event id " + event.event_id + " is already stored in another append");
    }
    if (answer.global_positions.empty()) answer.first_version = found->second.stream_version;
    answer.last_version = found->second.stream_version;
    answer.global_positions.push_back(found->second.global_position);
  }
  return answer;
}

std::map<std::string, stream_state> lock_streams(pqxx::work& tx,
                                                 const std::set<std::string>& stream_ids) {
  array_literal ids;
  for (const auto& id : stream_ids)
    ids.add(id);
  std::map<std::string, stream_state> streams;
  for (const auto& id : stream_ids)
    streams.emplace(id, stream_state{});
  // Locking in id order keeps two writers from deadlocking on each other's streams.
  const auto rows = tx.exec_params(
      "SELECT stream_id, version, last_hash FROM es_streams WHERE stream_id = ANY($1::text[]) "
      "ORDER BY stream_id FOR UPDATE",
      std::move(ids).finish());
  for (const auto& row : rows) {
    auto& state = streams[row[0].c_str()];
    state.exists = true;
    state.version = row[1].as<std::int64_t>();
    state.last_hash = pqxx::binarystring(row[2]).str();
  }
  return streams;
}

/// Checks the expected version against the stream and plans the event rows.
result<std::vector<planned_event>> plan_append(std::size_t index,
                                               const append_writer::pending& item,
                                               stream_state& stream) {
  const auto expected = item.request.expected_version;
  if (expected != expected_version::any && expected != stream.version) {
    return fail(error_code::concurrency_conflict,
                "stream " + item.request.stream_id + " is at version " +
                    std::to_string(stream.version) + ", expected " + std::to_string(expected),
                stream.version);
  }
  std::vector<planned_event> planned;
  planned.reserve(item.request.events.size());
  for (std::size_t i = 0; i < item.request.events.size(); ++i) {
    const auto& event = item.request.events[i];
    const auto& prepared = item.prepared[i];
    planned_event row{index, stream.version + 1, stream.last_hash, {}};
    row.hash = event_hash(row.prev_hash, event.type, prepared.canonical_data,
                          prepared.canonical_metadata, event.body);
    stream.version = row.stream_version;
    stream.last_hash = row.hash;
    planned.push_back(std::move(row));
  }
  if (!stream.exists) stream.created_in_batch = true;
  stream.exists = true;
  return planned;
}

void write_streams(pqxx::work& tx, const std::vector<append_writer::pending>& batch,
                   const std::map<std::string, stream_state>& streams,
                   const std::set<std::string>& preexisting) {
  std::map<std::string, std::string> types;
  for (const auto& item : batch)
    types.emplace(item.request.stream_id, item.request.stream_type);
  array_literal new_ids, new_types, new_versions;
  array_literal old_ids, old_versions;
  bytea_array new_hashes, old_hashes;
  std::size_t created = 0;
  std::size_t updated = 0;
  for (const auto& [id, state] : streams) {
    if (!state.exists) continue;
    if (preexisting.count(id)) {
      old_ids.add(id);
      old_versions.add(std::to_string(state.version));
      old_hashes.add(state.last_hash);
      ++updated;
    } else {
      new_ids.add(id);
      new_types.add(types[id]);
      new_versions.add(std::to_string(state.version));
      new_hashes.add(state.last_hash);
      ++created;
    }
  }
  if (created > 0) {
    const auto rows = tx.exec_params(
        "INSERT INTO es_streams (stream_id, stream_type, version, last_hash) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[]) "
        "ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id",
        std::move(new_ids).finish(), std::move(new_types).finish(),
        std::move(new_versions).finish(), std::move(new_hashes).finish());
    // Another writer created one of these streams after our look-up: decide again.
    if (rows.size() != created) throw retry_batch{};
  }
  if (updated > 0) {
    tx.exec_params(
        "UPDATE es_streams s SET version = u.version, last_hash = u.last_hash "
        "FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS u(stream_id, version, last_hash) "
        "WHERE s.stream_id = u.stream_id",
        std::move(old_ids).finish(), std::move(old_versions).finish(),
        std::move(old_hashes).finish());
  }
}

std::unordered_map<std::string, std::int64_t> write_events(
    pqxx::work& tx, const std::vector<append_writer::pending>& batch,
    const std::vector<planned_event>& planned) {
  array_literal stream_ids, versions, event_ids, types, schema_versions, data, metadata;
  // Bodies (a session's output) and hashes go as binary: no hex text for either side to build.
  bytea_array bodies, prev_hashes, hashes;
  std::vector<std::size_t> next_event(batch.size(), 0);
  for (const auto& row : planned) {
    const auto& item = batch[row.request];
    const auto position = next_event[row.request]++;
    const auto& event = item.request.events[position];
    stream_ids.add(item.request.stream_id);
    versions.add(std::to_string(row.stream_version));
    event_ids.add(event.event_id);
    types.add(event.type);
    schema_versions.add(std::to_string(event.schema_version));
    data.add(item.prepared[position].canonical_data);
    if (event.body) {
      bodies.add(*event.body);
    } else {
      bodies.add_null();
    }
    metadata.add(item.prepared[position].canonical_metadata);
    if (row.prev_hash.empty()) {
      prev_hashes.add_null();
    } else {
      prev_hashes.add(row.prev_hash);
    }
    hashes.add(row.hash);
  }
  const auto rows = tx.exec_params(
      "INSERT INTO es_events (stream_id, stream_version, event_id, event_type, schema_version, "
      "data, body, metadata, prev_hash, hash) "
      "SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::int[], "
      "$6::jsonb[], $7::bytea[], $8::jsonb[], $9::bytea[], $10::bytea[]) "
      "RETURNING event_id::text, global_pos",
      std::move(stream_ids).finish(), std::move(versions).finish(), std::move(event_ids).finish(),
      std::move(types).finish(), std::move(schema_versions).finish(), std::move(data).finish(),
      std::move(bodies).finish(), std::move(metadata).finish(), std::move(prev_hashes).finish(),
      std::move(hashes).finish());
  std::unordered_map<std::string, std::int64_t> positions;
  for (const auto& row : rows)
    positions.emplace(row[0].c_str(), row[1].as<std::int64_t>());
  return positions;
}

/// Counts what a committed batch wrote and how long its transaction took.
void record_committed(const std::vector<append_writer::pending>& batch,
                      const std::vector<planned_event>& planned,
                      const std::vector<batch_outcome>& outcomes,
                      std::chrono::steady_clock::time_point started) {
  if (!telemetry::metrics_enabled()) return;
  auto& families = telemetry::berth_metrics();
  for (const auto& row : planned)
    families.events_appended.with({batch[row.request].request.stream_type}).add();
  for (const auto& outcome : outcomes) {
    if (!outcome.deferred && !outcome.outcome &&
        outcome.outcome.error().code == error_code::concurrency_conflict) {
      families.append_conflicts.add();
    }
  }
  if (planned.empty()) return;
  families.append_duration.observe_since(started);
  families.append_batch_events.observe(static_cast<double>(planned.size()));
}

/// One attempt at the whole batch in one transaction. Throws retry_batch or pqxx errors.
std::vector<batch_outcome> attempt_batch(pqxx::connection& connection,
                                         std::vector<append_writer::pending>& batch) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<batch_outcome> outcomes(batch.size());
  pqxx::work tx(connection);
  const auto stored = find_stored_ids(tx, batch);

  std::set<std::string> ids_in_batch;
  std::vector<bool> to_write(batch.size(), false);
  std::set<std::string> stream_ids;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& request = batch[i].request;
    const bool seen_before = std::any_of(request.events.begin(), request.events.end(),
                                         [&](const auto& e) { return stored.count(e.event_id); });
    if (seen_before) {
      outcomes[i].outcome = answer_repeated_append(request, stored);
      continue;
    }
    bool reused = false;
    for (const auto& event : request.events)
      reused |= !ids_in_batch.insert(event.event_id).second;
    if (reused) {
      outcomes[i].deferred = true;
      continue;
    }
    to_write[i] = true;
    stream_ids.insert(request.stream_id);
  }

  auto streams = lock_streams(tx, stream_ids);
  std::set<std::string> preexisting;
  for (const auto& [id, state] : streams) {
    if (state.exists) preexisting.insert(id);
  }
  std::vector<planned_event> planned;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!to_write[i]) continue;
    auto rows = plan_append(i, batch[i], streams[batch[i].request.stream_id]);
    if (!rows) {
      outcomes[i].outcome = tl::unexpected(rows.error());
      to_write[i] = false;
      continue;
    }
    for (auto& row : *rows)
      planned.push_back(std::move(row));
  }
  if (!planned.empty()) {
    write_streams(tx, batch, streams, preexisting);
    const auto positions = write_events(tx, batch, planned);
    tx.exec("SELECT pg_notify('es_appended', '')");
    tx.commit();
    for (const auto& row : planned) {
      auto& outcome = outcomes[row.request].outcome;
      const auto& request = batch[row.request].request;
      const auto index = outcome->global_positions.size();
      if (index == 0) outcome->first_version = row.stream_version;
      outcome->last_version = row.stream_version;
      outcome->global_positions.push_back(positions.at(request.events[index].event_id));
    }
  } else {
    tx.commit();
  }
  record_committed(batch, planned, outcomes, started);
  return outcomes;
}

}  // namespace

std::vector<batch_outcome> write_batch(pg_connection& connection,
                                       std::vector<append_writer::pending>& batch) {
  constexpr int max_attempts = 5;
  for (int attempt = 1;; ++attempt) {
    bool retry = false;
    auto written = connection.run([&](pqxx::connection& c) -> std::vector<batch_outcome> {
      try {
        return attempt_batch(c, batch);
      } catch (const retry_batch&) {
        retry = true;
      } catch (const pqxx::sql_error& e) {
        if (!is_retryable(e.sqlstate()) || attempt == max_attempts) throw;
        retry = true;
      }
      return {};
    });
    if (written && !retry) return std::move(*written);
    if (written && retry && attempt < max_attempts) continue;
    const auto problem =
        written ? error{error_code::internal, "batch could not be decided", -1} : written.error();
    std::vector<batch_outcome> failed(batch.size());
    for (auto& outcome : failed)
      outcome.outcome = tl::unexpected(problem);
    return failed;
  }
}

}  // namespace berth::events
