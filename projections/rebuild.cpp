#include "projections/rebuild.hpp"

#include "events/event_store.hpp"
#include "events/pg_connection.hpp"
#include "projections/catalogue.hpp"

namespace berth::projections {
namespace {

/// Events read and applied per feed page during a rebuild.
constexpr std::size_t rebuild_page_size = 1000;

}  // namespace

events::result<rebuild_report> rebuild(const std::string& database_url, const std::string& name) {
  const auto* read_model = find_projection(name);
  if (read_model == nullptr) {
    return events::fail(events::error_code::invalid_argument, "no projection named " + name);
  }
  // The feed is read on the store's own connection while this transaction stays open. The
  // transaction's id holds the feed's horizon below itself, so the replay stops at a fixed
  // point: events committed meanwhile come after the checkpoint it stores, for the live
  // runner. Every other feed also waits for this commit: rebuilds are an operator's action.
  events::event_store store({database_url, /*writer_threads=*/0, /*read_connections=*/1});
  events::pg_connection connection(database_url);
  auto replayed = connection.run([&](pqxx::connection& c) -> events::result<rebuild_report> {
    pqxx::work tx(c);
    // Locks the checkpoint row first, as a runner's compare-and-set does: a live runner's
    // page waits for this transaction, then finds the checkpoint moved and re-reads it.
    tx.exec_params(
        "INSERT INTO es_checkpoints (projection) VALUES ($1) ON CONFLICT (projection) DO "
        "UPDATE SET last_tx = '0', last_pos = 0, updated_at = now()",
        read_model->name);
    // DELETE, not TRUNCATE: TRUNCATE's exclusive lock would block every reader of the
    // table until the replay commits; DELETE lets them keep reading the old rows.
    for (const auto& table : read_model->tables)
      tx.exec("DELETE FROM " + tx.quote_name(table));
    rebuild_report report;
    for (;;) {
      auto page = store.read_feed(report.checkpoint, rebuild_page_size);
      if (!page) {
        tx.abort();
        return tl::unexpected(page.error());
      }
      if (page->events.empty()) break;
      apply_events(tx, *read_model, page->events);
      report.events_replayed += static_cast<std::int64_t>(page->events.size());
      report.checkpoint = page->next;
    }
    tx.exec_params(
        "UPDATE es_checkpoints SET last_tx = $2::xid8, last_pos = $3, updated_at = now() "
        "WHERE projection = $1",
        read_model->name, std::to_string(report.checkpoint.transaction_id),
        report.checkpoint.global_position);
    tx.commit();
    return report;
  });
  if (!replayed) return tl::unexpected(replayed.error());
  return *replayed;
}

}  // namespace berth::projections
