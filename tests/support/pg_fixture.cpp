#include "tests/support/pg_fixture.hpp"

#include <cstdlib>
#include <thread>

namespace berth::testing {

std::string admin_database_url() {
  const char* url = std::getenv("BERTH_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    ADD_FAILURE() << "BERTH_DATABASE_URL is not set: this test needs the PostgreSQL cluster "
                     "from `eval \"$(scripts/services up)\"` (./test.sh does this)";
    return {};
  }
  return url;
}

bool run_services(const std::string& verb) {
  const std::string command = std::string(BERTH_SOURCE_DIR) + "/scripts/services " + verb;
  return std::system(command.c_str()) == 0;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

void pg_test::SetUp() {
  const auto admin = admin_database_url();
  ASSERT_FALSE(admin.empty());
  auto created = scratch_database::create(admin, "berth_test");
  ASSERT_TRUE(created) << "cannot create a test database: " << created.error().message;
  database_ = std::make_unique<scratch_database>(std::move(*created));
}

}  // namespace berth::testing
