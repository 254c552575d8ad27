// Per-user secrets: envelope encryption (auth/secret_box.hpp) with one data key per user,
// wrapped by the master key; ciphertexts in auth_user_secrets, names in SecretSet events.
#include <pqxx/pqxx>

#include "accounts/service_impl.hpp"
#include "auth/encoding.hpp"
#include "auth/secret_box.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

constexpr std::string_view no_master_key =
    "BERTH_MASTER_KEY is not set: secrets cannot be stored or read";

tl::unexpected<error> crypto_failure(const std::string& what) {
  return fail(code::internal, what + " (was BERTH_MASTER_KEY changed?)");
}

}  // namespace

result<std::optional<auth::secret_key>> account_service::impl::data_key(const std::string& user_id,
                                                                        bool create_missing) {
  const auto& master = *opts.master_key;
  const auto read_wrapped = [&]() {
    return sql([&](pqxx::connection& c) -> std::optional<std::string> {
      pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
      const auto rows = tx.exec_params(
          "SELECT encode(wrapped_key, 'hex') FROM auth_user_keys WHERE user_id = $1", user_id);
      if (rows.empty()) return std::nullopt;
      return std::string(rows[0][0].c_str());
    });
  };
  auto wrapped = read_wrapped();
  if (!wrapped) return tl::unexpected(wrapped.error());
  if (!*wrapped) {
    if (!create_missing) return std::optional<auth::secret_key>{};
    auto fresh = auth::wrap_key(auth::generate_key(), master, user_id);
    if (!fresh) return fail(code::internal, "cannot wrap a data key");
    // Two first secrets at once: the first insert wins and both read its key back.
    auto inserted = sql([&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params(
          "INSERT INTO auth_user_keys (user_id, wrapped_key) VALUES ($1, decode($2, 'hex')) "
          "ON CONFLICT (user_id) DO NOTHING",
          user_id, auth::hex_encode(*fresh));
      tx.commit();
    });
    if (!inserted) return tl::unexpected(inserted.error());
    wrapped = read_wrapped();
    if (!wrapped) return tl::unexpected(wrapped.error());
    if (!*wrapped) return fail(code::internal, "the data key vanished");
  }
  auto bytes = auth::hex_decode(**wrapped);
  if (!bytes) return fail(code::internal, "a stored data key is not hex");
  auto key = auth::unwrap_key(*bytes, master, user_id);
  if (!key) return crypto_failure("cannot unwrap the user's data key");
  return std::optional<auth::secret_key>(std::move(*key));
}

result<void> account_service::set_secret(const std::string& user_id, const std::string& name,
                                         const std::string& value, const change_context& ctx) {
  auto& self = *impl_;
  if (!self.opts.master_key) return fail(code::invalid, std::string(no_master_key));
  auto associated_data = auth::secret_associated_data(user_id, name);
  if (!associated_data) return fail(code::invalid, associated_data.error().message);
  if (value.size() > auth::max_secret_value_size) {
    return fail(code::too_large, "a secret value is at most " +
                                     std::to_string(auth::max_secret_value_size) + " bytes");
  }
  if (auto state = self.existing_user(user_id); !state) return tl::unexpected(state.error());
  auto key = self.data_key(user_id, true);
  if (!key) return tl::unexpected(key.error());
  auto sealed = auth::seal(value, **key, *associated_data);
  if (!sealed) return fail(code::internal, "cannot encrypt the secret");
  // The event comes first: a failure after it leaves a record of an attempt, never a stored
  // secret without a record.
  auto quota = effective_quota(user_id);
  if (!quota) return tl::unexpected(quota.error());
  if (auto set = self.execute(user_id, user_command::set_secret{name, quota->max_secrets}, ctx);
      !set) {
    return tl::unexpected(set.error());
  }
  return self.sql([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO auth_user_secrets (user_id, name, ciphertext) "
        "VALUES ($1, $2, decode($3, 'hex')) "
        "ON CONFLICT (user_id, name) DO UPDATE SET ciphertext = EXCLUDED.ciphertext",
        user_id, name, auth::hex_encode(*sealed));
    tx.commit();
  });
}

result<void> account_service::delete_secret(const std::string& user_id, const std::string& name,
                                            const change_context& ctx) {
  auto& self = *impl_;
  if (auto deleted = self.execute(user_id, user_command::delete_secret{name}, ctx); !deleted) {
    return tl::unexpected(deleted.error());
  }
  return self.sql([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params("DELETE FROM auth_user_secrets WHERE user_id = $1 AND name = $2", user_id, name);
    tx.commit();
  });
}

result<std::vector<std::string>> account_service::secret_names(const std::string& user_id) {
  if (auto state = impl_->existing_user(user_id); !state) return tl::unexpected(state.error());
  return impl_->sql([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    std::vector<std::string> names;
    for (const auto& row : tx.exec_params(
             "SELECT name FROM auth_user_secrets WHERE user_id = $1 ORDER BY name", user_id)) {
      names.emplace_back(row[0].c_str());
    }
    return names;
  });
}

result<std::vector<std::string>> account_service::secret_environment(const std::string& user_id) {
  auto& self = *impl_;
  auto stored = self.sql([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);  // one statement: its own snapshot, no BEGIN/COMMIT trips
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& row : tx.exec_params("SELECT name, encode(ciphertext, 'hex') FROM "
                                          "auth_user_secrets WHERE user_id = $1 ORDER BY name",
                                          user_id)) {
      rows.emplace_back(row[0].c_str(), row[1].c_str());
    }
    return rows;
  });
  if (!stored) return tl::unexpected(stored.error());
  if (stored->empty()) return std::vector<std::string>{};
  if (!self.opts.master_key) return fail(code::invalid, std::string(no_master_key));
  auto key = self.data_key(user_id, false);
  if (!key) return tl::unexpected(key.error());
  if (!*key) return crypto_failure("the user's data key is missing");
  std::vector<std::string> environment;
  for (const auto& [name, ciphertext_hex] : *stored) {
    // Set before such names were refused: left out, so deleting it is not needed to repair
    // the owner's shells.
    if (auth::is_reserved_environment_name(name)) continue;
    auto ciphertext = auth::hex_decode(ciphertext_hex);
    auto associated_data = auth::secret_associated_data(user_id, name);
    if (!ciphertext || !associated_data) return crypto_failure("secret " + name + " is unreadable");
    auto value = auth::open(*ciphertext, **key, *associated_data);
    if (!value) return crypto_failure("secret " + name + " cannot be decrypted");
    environment.push_back(name + "=" + *value);
  }
  return environment;
}

}  // namespace berth::accounts
