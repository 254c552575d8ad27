#include "app/master_key.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "auth/encoding.hpp"

namespace berth::app {

tl::expected<auth::secret_key, std::string> load_master_key(const std::string& data_dir) {
  if (const char* from_environment = std::getenv("BERTH_MASTER_KEY")) {
    auto parsed = auth::parse_master_key(from_environment);
    if (!parsed) return tl::unexpected("BERTH_MASTER_KEY: " + parsed.error().message);
    return std::move(*parsed);
  }
  const auto path = std::filesystem::path(data_dir) / "master-key";
  std::ifstream existing(path);
  if (existing) {
    std::stringstream text;
    text << existing.rdbuf();
    auto parsed = auth::parse_master_key(text.str());
    if (!parsed) return tl::unexpected(path.string() + ": " + parsed.error().message);
    return std::move(*parsed);
  }
  auto fresh = auth::generate_key();
  const auto hex = auth::hex_encode(fresh.bytes()) + "\n";
  // O_EXCL: two servers starting at once must not both write a key.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return tl::unexpected("cannot create " + path.string());
  const bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  ::close(fd);
  if (!written) return tl::unexpected("cannot write " + path.string());
  return fresh;
}

}  // namespace berth::app
