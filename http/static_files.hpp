#pragma once

// The browser UI's built files (web/dist), read into memory once at start-up: a request is a
// map lookup, so no request can reach a file outside the web root, whatever its path says.
// Page routes of the single-page app answer index.html; see docs/api.md "Browser UI".

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "http/server.hpp"

namespace berth::http {

/// One file of the UI as it is served.
struct static_file {
  std::string body;
  std::string content_type;
  std::string etag;  ///< strong validator: a quoted digest of the body
};

/// The UI's files, loaded once; serving never touches the file system.
class static_files {
 public:
  /// Bytes loaded at most: a web root holding more is a misconfiguration, not a UI.
  static constexpr std::uintmax_t max_total_bytes = 64 * 1024 * 1024;

  /// Loads every regular file under `root`; fails naming the file or limit at fault (a
  /// symbolic link leading outside the root, more than max_total_bytes, an unreadable file).
  static tl::expected<static_files, std::string> load(const std::string& root);
  /// No UI at all: page routes answer 503 saying how to build it.
  static static_files missing();

  /// Answers a GET or HEAD of a path outside /api/ (any other method: 405).
  response serve(const request& req) const;

  /// False when made by missing().
  bool present() const { return present_; }
  std::size_t file_count() const { return files_.size(); }
  std::uintmax_t total_bytes() const { return total_bytes_; }

 private:
  std::map<std::string, static_file, std::less<>> files_;  ///< by URL path (`/assets/x.js`)
  std::uintmax_t total_bytes_ = 0;
  bool present_ = false;
};

/// The Content-Type served for a file name, by its extension.
std::string content_type_of(std::string_view file_name);

/// The path of a request target's path part with percent-escapes decoded, or nothing when it
/// cannot name a file of the UI: a malformed escape, an encoded `/` or `\`, a NUL, a `\`, an
/// empty, `.` or `..` segment.
std::optional<std::string> decoded_file_path(std::string_view path);

/// True for the single-page app's own routes, which all answer index.html.
bool is_page_route(std::string_view path);

}  // namespace berth::http
