#include "accounts/server_secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "accounts/failure.hpp"
#include "auth/encoding.hpp"
#include "auth/jwt.hpp"
#include "auth/random.hpp"

namespace berth::accounts {
namespace {

using code = error::code;

constexpr std::string_view secret_file_name = "auth-secret";
constexpr std::size_t generated_secret_size = 32;

std::optional<std::string_view> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string_view(value);
}

std::string system_error(const std::string& what, const std::filesystem::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

result<std::string> read_secret_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return fail(code::internal, "cannot read " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  auto hex = text.str();
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == ' '))
    hex.pop_back();
  auto bytes = auth::hex_decode(hex);
  if (!bytes || bytes->size() < auth::min_jwt_secret_size) {
    return fail(code::invalid, path.string() + " must hold at least 64 hex characters");
  }
  return std::move(*bytes);
}

/// Writes a new secret to a private temporary file and links it into place: the link fails
/// when another process got there first, and nobody ever reads a half-written file.
result<void> create_secret_file(const std::filesystem::path& path) {
  const auto temporary = path.string() + ".tmp." + std::to_string(getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(code::internal, system_error("cannot create", temporary));
  const auto text = auth::hex_encode(auth::random_bytes(generated_secret_size)) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(temporary.c_str());
    return fail(code::internal, system_error("cannot write", temporary));
  }
  const bool linked = ::link(temporary.c_str(), path.c_str()) == 0 || errno == EEXIST;
  const auto link_error = system_error("cannot create", path);
  ::unlink(temporary.c_str());
  if (!linked) return fail(code::internal, link_error);
  return {};
}

}  // namespace

result<std::string> load_or_create_jwt_secret(const std::filesystem::path& data_dir,
                                              std::optional<std::string_view> from_environment) {
  if (from_environment && !from_environment->empty()) {
    if (from_environment->size() < auth::min_jwt_secret_size) {
      return fail(code::invalid, "BERTH_AUTH_SECRET must be at least 32 bytes");
    }
    return std::string(*from_environment);
  }
  std::error_code ec;
  if (!std::filesystem::exists(data_dir, ec)) {
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return fail(code::internal, "cannot create " + data_dir.string() + ": " + ec.message());
    std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all, ec);
  }
  const auto path = data_dir / secret_file_name;
  if (!std::filesystem::exists(path, ec)) {
    if (auto created = create_secret_file(path); !created) return tl::unexpected(created.error());
  }
  return read_secret_file(path);
}

result<std::string> load_or_create_jwt_secret(const std::filesystem::path& data_dir) {
  return load_or_create_jwt_secret(data_dir, environment("BERTH_AUTH_SECRET"));
}

}  // namespace berth::accounts
