#include "events/event_store.hpp"

#include <future>

#include "events/append_writer.hpp"
#include "events/canonical_json.hpp"
#include "events/connection_pool.hpp"
#include "events/hash_chain.hpp"
#include "telemetry/span.hpp"

namespace berth::events {
namespace {

constexpr const char* event_columns =
    "stream_id, stream_version, global_pos, tx_id::text, event_id::text, event_type, "
    "schema_version, data::text, body, metadata::text, "
    "(date_part('epoch', recorded_at) * 1000000)::bigint";

/// The same columns without the body: what the feed returns. Read models never need terminal
/// bytes, and five runners each fetching every output body (as hex text, twice its size)
/// cost hundreds of MB and a core during an output flood.
constexpr const char* feed_columns =
    "stream_id, stream_version, global_pos, tx_id::text, event_id::text, event_type, "
    "schema_version, data::text, NULL::bytea, metadata::text, "
    "(date_part('epoch', recorded_at) * 1000000)::bigint";

/// The event in `event_columns`, which start at column `first` of `row`.
recorded_event to_event(const pqxx::row& row, pqxx::row::size_type first = 0) {
  recorded_event event;
  event.stream_id = row[first].c_str();
  event.stream_version = row[first + 1].as<std::int64_t>();
  event.global_position = row[first + 2].as<std::int64_t>();
  event.transaction_id = row[first + 3].as<std::uint64_t>();
  event.event_id = row[first + 4].c_str();
  event.type = row[first + 5].c_str();
  event.schema_version = row[first + 6].as<int>();
  event.data = row[first + 7].c_str();
  if (!row[first + 8].is_null()) event.body = pqxx::binarystring(row[first + 8]).str();
  event.metadata = row[first + 9].c_str();
  event.recorded_at = std::chrono::system_clock::time_point(
      std::chrono::microseconds(row[first + 10].as<std::int64_t>()));
  return event;
}

std::string column_bytes(const pqxx::field& field) {
  return field.is_null() ? std::string() : pqxx::binarystring(field).str();
}

}  // namespace

event_store::event_store(options opts)
    : readers_(std::make_unique<connection_pool>(opts.database_url, opts.read_connections)),
      writer_(std::make_unique<append_writer>(
          append_writer::options{opts.database_url, opts.writer_threads})) {}

event_store::~event_store() = default;

void event_store::append_async(append_request request,
                               std::function<void(result<append_result>)> done) {
  writer_->submit(std::move(request), std::move(done));
}

result<append_result> event_store::append(append_request request) {
  telemetry::span appending("berth.events", "eventstore append", telemetry::span_kind::client);
  appending.set("db.system", "postgresql");
  appending.set("stream.id", request.stream_id);
  appending.set("events", request.events.size());
  std::promise<result<append_result>> promise;
  auto outcome = promise.get_future();
  writer_->submit(std::move(request),
                  [&promise](result<append_result> r) { promise.set_value(std::move(r)); });
  auto appended = outcome.get();
  if (appended) {
    appending.set("batch.appends", appended->batch_appends);
    appending.set("stream.version", appended->last_version);
  } else {
    appending.set_error(to_string(appended.error().code));
  }
  return appended;
}

result<std::vector<recorded_event>> event_store::read_stream(const std::string& stream_id,
                                                             std::int64_t from_version,
                                                             std::size_t limit,
                                                             bodies read_bodies) {
  telemetry::span reading("berth.events", "eventstore read", telemetry::span_kind::client);
  reading.set("db.system", "postgresql");
  reading.set("stream.id", stream_id);
  reading.set("stream.from_version", from_version);
  auto read = readers_->run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    static const std::string where =
        " FROM es_events WHERE stream_id = $1 AND stream_version >= $2 "
        "ORDER BY stream_version LIMIT $3";
    static const std::string with_bodies = std::string("SELECT ") + event_columns + where;
    static const std::string without_bodies = std::string("SELECT ") + feed_columns + where;
    const bool included = read_bodies == bodies::included;
    const auto rows = exec_prepared(tx, included ? "read_stream" : "read_stream_without_bodies",
                                    included ? with_bodies : without_bodies, stream_id,
                                    from_version, static_cast<std::int64_t>(limit));
    std::vector<recorded_event> events;
    events.reserve(rows.size());
    for (const auto& row : rows)
      events.push_back(to_event(row));
    return events;
  });
  if (read) {
    reading.set("events", read->size());
  } else {
    reading.set_error(to_string(read.error().code));
  }
  return read;
}

result<std::int64_t> event_store::fold_stream(
    const std::string& stream_id, std::int64_t from_version,
    const std::function<void(const recorded_event&)>& visit, bodies read_bodies) {
  constexpr std::size_t page = 20'000;
  // Later pages are read on another thread: their spans keep this thread's parent.
  const auto fetch = [this, &stream_id, read_bodies,
                      parent = telemetry::current_context()](std::int64_t version) {
    telemetry::scoped_context in_caller(parent);
    return read_stream(stream_id, version, page, read_bodies);
  };
  // The first page is read here (most streams fit in it); while the caller folds a full page,
  // the next is already being read on another connection.
  std::future<result<std::vector<recorded_event>>> next_page;
  std::int64_t visited = 0;
  for (bool first = true;; first = false) {
    auto events = first ? fetch(from_version) : next_page.get();
    if (!events) return tl::unexpected(events.error());
    const bool last = events->size() < page;
    if (!last) next_page = std::async(std::launch::async, fetch, events->back().stream_version + 1);
    for (const auto& event : *events)
      visit(event);
    visited += static_cast<std::int64_t>(events->size());
    if (last) return visited;
  }
}

result<std::vector<stream_tail>> event_store::read_stream_tails(
    const std::vector<std::string>& stream_ids, std::optional<int> state_version,
    std::size_t events_per_stream) {
  telemetry::span reading("berth.events", "eventstore read tails", telemetry::span_kind::client);
  reading.set("db.system", "postgresql");
  reading.set("streams", stream_ids.size());
  array_literal ids;
  for (const auto& id : stream_ids)
    ids.add(id);
  const auto ids_text = std::move(ids).finish();
  auto read = readers_->run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    // Row per (stream, event); a stream without events after its snapshot still has one row
    // (event columns NULL), so every stream asked for comes back. `state_version` NULL
    // matches no snapshot.
    static const std::string query =
        std::string(
            "SELECT s.position, snap.stream_version, snap.state, e.* "
            "FROM unnest($1::text[]) WITH ORDINALITY AS s(stream_id, position) "
            "LEFT JOIN LATERAL (SELECT stream_version, state FROM es_snapshots "
            "  WHERE stream_id = s.stream_id AND state_version = $2) snap ON true "
            "LEFT JOIN LATERAL (SELECT ") +
        event_columns +
        " FROM es_events WHERE stream_id = s.stream_id AND "
        "  stream_version > coalesce(snap.stream_version, 0) ORDER BY stream_version LIMIT $3) e "
        "ON true ORDER BY s.position, e.stream_version";
    // Prepared: planning the lateral joins costs more than running them for a small batch.
    const auto rows = exec_prepared(tx, "read_stream_tails", query, ids_text, state_version,
                                    static_cast<std::int64_t>(events_per_stream));
    std::vector<stream_tail> tails(stream_ids.size());
    for (std::size_t i = 0; i < stream_ids.size(); ++i)
      tails[i].stream_id = stream_ids[i];
    for (const auto& row : rows) {
      auto& tail = tails.at(row[0].as<std::size_t>() - 1);
      if (!tail.snapshot && !row[1].is_null()) {
        tail.snapshot = snapshot{tail.stream_id, row[1].as<std::int64_t>(),
                                 state_version.value_or(0), pqxx::binarystring(row[2]).str()};
      }
      if (!row[3].is_null()) tail.events.push_back(to_event(row, 3));
    }
    return tails;
  });
  if (!read) reading.set_error(to_string(read.error().code));
  return read;
}

result<std::int64_t> event_store::stream_version(const std::string& stream_id) {
  return readers_->run([&](pqxx::connection& c) -> std::int64_t {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    const auto rows = exec_prepared(
        tx, "stream_version", "SELECT version FROM es_streams WHERE stream_id = $1", stream_id);
    return rows.empty() ? 0 : rows[0][0].as<std::int64_t>();
  });
}

result<feed_page> event_store::read_feed(feed_checkpoint after, std::size_t limit) {
  return readers_->run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    // One statement, one snapshot: below pg_snapshot_xmin no transaction can still add
    // rows, so this prefix of the feed never changes (REFERENCE.md "Feed").
    const auto rows =
        tx.exec_params(std::string("SELECT ") + feed_columns +
                           " FROM es_events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
                           "AND (tx_id, global_pos) > ($1::text::xid8, $2::bigint) "
                           "ORDER BY tx_id, global_pos LIMIT $3",
                       std::to_string(after.transaction_id), after.global_position,
                       static_cast<std::int64_t>(limit));
    feed_page page;
    page.next = after;
    page.events.reserve(rows.size());
    for (const auto& row : rows)
      page.events.push_back(to_event(row));
    if (!page.events.empty()) {
      page.next = {page.events.back().transaction_id, page.events.back().global_position};
    }
    return page;
  });
}

result<void> event_store::save_snapshot(const snapshot& snap) {
  return readers_->run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO es_snapshots (stream_id, state_version, stream_version, state) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id, state_version) DO UPDATE "
        "SET stream_version = EXCLUDED.stream_version, state = EXCLUDED.state, "
        "created_at = now() WHERE es_snapshots.stream_version < EXCLUDED.stream_version",
        snap.stream_id, snap.state_version, snap.stream_version, pqxx::binarystring(snap.state));
    tx.commit();
  });
}

result<std::optional<snapshot>> event_store::load_snapshot(const std::string& stream_id,
                                                           int state_version) {
  return readers_->run([&](pqxx::connection& c) -> std::optional<snapshot> {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    const auto rows = tx.exec_params(
        "SELECT stream_version, state FROM es_snapshots WHERE stream_id = $1 AND "
        "state_version = $2",
        stream_id, state_version);
    if (rows.empty()) return std::nullopt;
    return snapshot{stream_id, rows[0][0].as<std::int64_t>(), state_version,
                    pqxx::binarystring(rows[0][1]).str()};
  });
}

result<double> event_store::ping() {
  return readers_->run([&](pqxx::connection& c) {
    const auto start = std::chrono::steady_clock::now();
    pqxx::nontransaction tx(c);
    tx.exec("SELECT 1");
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  });
}

result<std::vector<std::string>> event_store::stream_ids() {
  return readers_->run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    std::vector<std::string> ids;
    for (const auto& row : tx.exec("SELECT stream_id FROM es_streams ORDER BY stream_id")) {
      ids.emplace_back(row[0].c_str());
    }
    return ids;
  });
}

result<chain_report> event_store::verify_stream(const std::string& stream_id) {
  return readers_->run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    chain_report report;
    report.stream_id = stream_id;
    const auto mark_broken = [&report](std::int64_t version, std::string reason) {
      if (report.ok()) {
        report.first_broken_version = version;
        report.reason = std::move(reason);
      }
    };
    const auto head =
        tx.exec_params("SELECT version, last_hash FROM es_streams WHERE stream_id = $1", stream_id);
    std::string previous_hash;
    std::int64_t expected_version = 1;
    const auto rows = tx.exec_params(
        "SELECT stream_version, event_type, data::text, metadata::text, body, prev_hash, hash "
        "FROM es_events WHERE stream_id = $1 ORDER BY stream_version",
        stream_id);
    for (const auto& row : rows) {
      const auto version = row[0].as<std::int64_t>();
      ++report.events_checked;
      if (version != expected_version) mark_broken(expected_version, "event missing");
      expected_version = version + 1;
      if (column_bytes(row[5]) != previous_hash) mark_broken(version, "prev_hash link broken");
      const auto data = canonical_json(row[2].c_str());
      const auto metadata = canonical_json(row[3].c_str());
      std::optional<std::string> body;
      if (!row[4].is_null()) body = pqxx::binarystring(row[4]).str();
      const auto stored_hash = column_bytes(row[6]);
      if (!data || !metadata ||
          event_hash(previous_hash, row[1].c_str(), *data, *metadata, body) != stored_hash) {
        mark_broken(version, "hash does not match the event's content");
      }
      previous_hash = stored_hash;
    }
    if (head.empty()) {
      if (!rows.empty()) mark_broken(1, "events without a stream row");
    } else if (head[0][0].as<std::int64_t>() != expected_version - 1 ||
               column_bytes(head[0][1]) != previous_hash) {
      mark_broken(expected_version, "stream head does not match its last event");
    }
    return report;
  });
}

struct notification_listener::impl {
  struct receiver final : pqxx::notification_receiver {
    receiver(pqxx::connection& c, bool& flag)
        : pqxx::notification_receiver(c, "es_appended"), flag_(flag) {}
    void operator()(const std::string&, int) override { flag_ = true; }
    bool& flag_;
  };
  explicit impl(std::string database_url) : url(pg_connection::with_defaults(database_url)) {}
  // The receiver must go before its connection: it unregisters itself on destruction.
  void drop() {
    listening.reset();
    connection.reset();
  }
  std::string url;
  std::unique_ptr<pqxx::connection> connection;
  std::unique_ptr<receiver> listening;
  bool notified = false;
};

notification_listener::notification_listener(std::string database_url)
    : impl_(std::make_unique<impl>(std::move(database_url))) {}

notification_listener::~notification_listener() {
  impl_->drop();
}

result<bool> notification_listener::wait(std::chrono::milliseconds timeout) {
  auto& state = *impl_;
  try {
    if (!state.connection || !state.connection->is_open()) {
      state.drop();
      state.connection = std::make_unique<pqxx::connection>(state.url);
      state.listening = std::make_unique<impl::receiver>(*state.connection, state.notified);
    }
    state.notified = false;
    if (state.connection->get_notifs() == 0) {
      state.connection->await_notification(static_cast<long>(timeout.count() / 1000),
                                           static_cast<long>((timeout.count() % 1000) * 1000));
    }
    return state.notified;
  } catch (const std::exception& e) {
    state.drop();
    return fail(error_code::dependency_unavailable,
                std::string("cannot listen for appends: ") + e.what());
  }
}

}  // namespace berth::events
