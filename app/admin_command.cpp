// `berth admin create-user | bootstrap`: user administration without a running server.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include "accounts/accounts.hpp"
#include "app/commands.hpp"
#include "auth/random.hpp"
#include "events/event_store.hpp"
#include "events/migrations.hpp"

namespace berth::app {
namespace {

constexpr std::string_view usage =
    "usage: berth admin create-user --username NAME --role member|auditor|admin  (password on "
    "stdin)\n"
    "       berth admin bootstrap --password-file PATH\n";

/// Characters of the first admin's generated password: 24 of [A-Za-z0-9], about 143 bits.
constexpr std::size_t bootstrap_password_size = 24;

/// `--name value` and `--name=value` pairs; nothing when an argument is not one of `known`.
std::optional<std::map<std::string, std::string>> parse_flags(
    const std::vector<std::string>& args, std::initializer_list<std::string_view> known) {
  std::map<std::string, std::string> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    auto name = args[i];
    std::optional<std::string> value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
    if (!value || std::find(known.begin(), known.end(), name) == known.end()) {
      std::cerr << "berth admin: unexpected argument " << name << "\n" << usage;
      return std::nullopt;
    }
    flags[name] = *value;
  }
  return flags;
}

/// The account service of a command-line run: migrated database, no secrets, no sessions.
struct admin_session {
  explicit admin_session(const config& cfg)
      : store({cfg.database_url, 1, 1}),
        // The CLI never signs a session, so a throwaway signing secret will do.
        accounts(store, {cfg.database_url, auth::random_bytes(32), std::nullopt,
                         std::chrono::hours(12), auth::password_limits::interactive(), ""}) {}
  events::event_store store;
  accounts::account_service accounts;
};

/// Applies migrations quietly; false after printing why it failed.
bool migrate(const config& cfg) {
  if (cfg.database_url.empty()) {
    std::cerr << "berth admin: set --database-url or BERTH_DATABASE_URL "
                 "(eval \"$(scripts/services up)\" prints one)\n";
    return false;
  }
  auto report = events::migrate(cfg.database_url);
  if (!report) {
    std::cerr << "berth admin: cannot migrate the database: " << report.error().message << "\n";
    return false;
  }
  return true;
}

/// The first line of standard input, without its line ending.
std::string read_password_line() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

accounts::change_context cli_context() {
  return {"system", "", ""};
}

int create_user(const config& cfg, const std::vector<std::string>& args) {
  auto flags = parse_flags(args, {"--username", "--role"});
  if (!flags) return exit_usage;
  if (!flags->contains("--username") || !flags->contains("--role")) {
    std::cerr << usage;
    return exit_usage;
  }
  const auto role = accounts::parse_role(flags->at("--role"));
  if (!role) {
    std::cerr << "berth admin: --role must be member, auditor or admin\n";
    return exit_usage;
  }
  const auto password = read_password_line();
  if (password.empty()) {
    std::cerr << "berth admin: no password: write it as the first line of standard input\n";
    return exit_usage;
  }
  if (!migrate(cfg)) return exit_failure;
  admin_session session(cfg);
  auto created =
      session.accounts.create_user(flags->at("--username"), password, *role, cli_context());
  if (!created) {
    std::cerr << "berth admin create-user: " << created.error().message << "\n";
    return created.error().kind == accounts::error::code::invalid ? exit_usage : exit_failure;
  }
  std::cout << created->id << "\n";
  return exit_ok;
}

/// Writes `password` and a newline to `path`, created or truncated with mode 0600.
std::optional<std::string> write_password_file(const std::filesystem::path& path,
                                               const std::string& password) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return "cannot create " + path.parent_path().string() + ": " + ec.message();
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot create " + path.string() + ": " + std::strerror(errno);
  const auto text = password + "\n";
  // fchmod: an existing file keeps its old mode through O_CREAT.
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const auto failure = std::string(std::strerror(errno));
  ::close(fd);
  if (!written) return "cannot write " + path.string() + ": " + failure;
  return std::nullopt;
}

int bootstrap(const config& cfg, const std::vector<std::string>& args) {
  auto flags = parse_flags(args, {"--password-file"});
  if (!flags) return exit_usage;
  if (!flags->contains("--password-file")) {
    std::cerr << usage;
    return exit_usage;
  }
  const std::filesystem::path path = flags->at("--password-file");
  if (!migrate(cfg)) return exit_failure;
  admin_session session(cfg);
  auto has_admin = session.accounts.has_admin();
  if (!has_admin) {
    std::cerr << "berth admin bootstrap: " << has_admin.error().message << "\n";
    return exit_failure;
  }
  if (*has_admin) {
    std::cout << "an enabled admin exists; nothing done\n";
    return exit_ok;
  }
  // The file first: a user whose password was never written down would lock everyone out.
  const auto password = auth::random_id(bootstrap_password_size);
  if (auto failed = write_password_file(path, password)) {
    std::cerr << "berth admin bootstrap: " << *failed << "\n";
    return exit_failure;
  }
  auto created =
      session.accounts.create_user("admin", password, accounts::role::admin, cli_context());
  if (!created) {
    std::cerr << "berth admin bootstrap: cannot create user `admin`: " << created.error().message
              << (created.error().kind == accounts::error::code::conflict
                      ? " (create an admin with `berth admin create-user --role admin`)"
                      : "")
              << "\n";
    return exit_failure;
  }
  std::cout << "created admin user `admin`; password in " << path.string() << "\n";
  return exit_ok;
}

}  // namespace

int run_admin(const config& cfg, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << usage;
    return exit_usage;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "create-user") return create_user(cfg, rest);
  if (args[0] == "bootstrap") return bootstrap(cfg, rest);
  std::cerr << "berth admin: unknown subcommand " << args[0] << "\n" << usage;
  return exit_usage;
}

}  // namespace berth::app
