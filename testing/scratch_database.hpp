#pragma once

#include <string>

#include "events/error.hpp"

namespace berth::testing {

/// `url` with its database name replaced by `database` (URI or key=value form).
std::string with_database(const std::string& url, const std::string& database);

/// A database created for one test or benchmark run, migrated, and dropped on destruction.
class scratch_database {
 public:
  /// Creates `<prefix>_<random>` next to the database of `admin_url` and migrates it.
  static events::result<scratch_database> create(const std::string& admin_url,
                                                 const std::string& prefix);
  scratch_database(scratch_database&& other) noexcept;
  scratch_database& operator=(scratch_database&&) = delete;
  ~scratch_database();

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  scratch_database(std::string admin_url, std::string name, std::string url);
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

}  // namespace berth::testing
