#include "projections/checkpoint_store.hpp"

#include <tuple>

namespace berth::projections {
namespace {

events::feed_checkpoint checkpoint_of(const pqxx::row& row) {
  return {row[0].as<std::uint64_t>(), row[1].as<std::int64_t>()};
}

}  // namespace

bool at_or_after(const events::feed_checkpoint& a, const events::feed_checkpoint& b) {
  return std::tie(a.transaction_id, a.global_position) >=
         std::tie(b.transaction_id, b.global_position);
}

events::result<events::feed_checkpoint> load_checkpoint(events::pg_connection& connection,
                                                        const std::string& projection_name) {
  return connection.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO es_checkpoints (projection) VALUES ($1) ON CONFLICT (projection) DO NOTHING",
        projection_name);
    const auto row =
        tx.exec_params1("SELECT last_tx::text, last_pos FROM es_checkpoints WHERE projection = $1",
                        projection_name);
    tx.commit();
    return checkpoint_of(row);
  });
}

events::result<page_result> apply_page(events::pg_connection& connection,
                                       const projection& read_model, events::feed_checkpoint from,
                                       const events::feed_page& page) {
  return connection.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    // The compare-and-set comes first: it locks the checkpoint row, so a second projector
    // waits here, then finds the row moved (READ COMMITTED re-checks the WHERE clause on
    // the committed row) and writes nothing (REFERENCE.md "Checkpoint compare-and-set").
    const auto moved = tx.exec_params(
        "UPDATE es_checkpoints SET last_tx = $4::xid8, last_pos = $5, updated_at = now() "
        "WHERE projection = $1 AND last_tx = $2::xid8 AND last_pos = $3",
        read_model.name, std::to_string(from.transaction_id), from.global_position,
        std::to_string(page.next.transaction_id), page.next.global_position);
    if (moved.affected_rows() == 0) {
      tx.abort();
      return page_result{page_outcome::checkpoint_moved, {}};
    }
    auto unknown_types = apply_events(tx, read_model, page.events);
    tx.commit();
    return page_result{page_outcome::applied, std::move(unknown_types)};
  });
}

events::result<projection_lag> measure_lag(events::pg_connection& connection,
                                           const std::string& projection_name) {
  return connection.run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    const auto stored =
        tx.exec_params("SELECT last_tx::text, last_pos FROM es_checkpoints WHERE projection = $1",
                       projection_name);
    const auto checkpoint = stored.empty() ? events::feed_checkpoint{} : checkpoint_of(stored[0]);
    // Every committed event after the checkpoint counts, even one the feed cannot deliver
    // yet: it is behind all the same. The range scan uses es_events_feed.
    const auto row = tx.exec_params1(
        "SELECT count(*), COALESCE(GREATEST(EXTRACT(epoch FROM clock_timestamp() - "
        "min(recorded_at)), 0), 0)::float8 FROM es_events "
        "WHERE (tx_id, global_pos) > ($1::xid8, $2::bigint)",
        std::to_string(checkpoint.transaction_id), checkpoint.global_position);
    return projection_lag{row[0].as<std::int64_t>(), row[1].as<double>()};
  });
}

events::result<std::optional<events::feed_checkpoint>> feed_head(
    events::pg_connection& connection) {
  return connection.run([&](pqxx::connection& c) -> std::optional<events::feed_checkpoint> {
    pqxx::read_transaction tx(c);
    const auto rows = tx.exec(
        "SELECT tx_id::text, global_pos FROM es_events ORDER BY tx_id DESC, global_pos DESC "
        "LIMIT 1");
    if (rows.empty()) return std::nullopt;
    return checkpoint_of(rows[0]);
  });
}

events::result<std::optional<events::feed_checkpoint>> find_after(
    events::pg_connection& connection, events::feed_checkpoint checkpoint,
    std::int64_t global_position) {
  return connection.run([&](pqxx::connection& c) -> std::optional<events::feed_checkpoint> {
    pqxx::read_transaction tx(c);
    // Scans only the events after the checkpoint (es_events_feed): as many as the lag.
    const auto rows = tx.exec_params(
        "SELECT tx_id::text, global_pos FROM es_events WHERE (tx_id, global_pos) > "
        "($1::xid8, $2::bigint) AND global_pos = $3 LIMIT 1",
        std::to_string(checkpoint.transaction_id), checkpoint.global_position, global_position);
    if (rows.empty()) return std::nullopt;
    return checkpoint_of(rows[0]);
  });
}

events::result<bool> has_events_after(events::pg_connection& connection,
                                      events::feed_checkpoint checkpoint) {
  return connection.run([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    return tx
        .exec_params1(
            "SELECT EXISTS (SELECT 1 FROM es_events WHERE (tx_id, global_pos) > "
            "($1::xid8, $2::bigint))",
            std::to_string(checkpoint.transaction_id), checkpoint.global_position)[0]
        .as<bool>();
  });
}

}  // namespace berth::projections
