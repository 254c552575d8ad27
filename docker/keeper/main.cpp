// Entry point of the keeper, the in-container owner of Berth's terminal sessions.

#include <unistd.h>

#include <string>

#include "docker/keeper/attach_bridge.hpp"
#include "docker/keeper/log.hpp"
#include "docker/keeper/options.hpp"
#include "docker/keeper/server.hpp"

int main(int argc, char** argv) {
  using namespace berth::keeper;
  const command parsed = parse_command_line(argc, argv);
  if (std::holds_alternative<show_help>(parsed)) {
    const std::string text = usage_text();
    [[maybe_unused]] auto written = ::write(STDOUT_FILENO, text.data(), text.size());
    return 0;
  }
  if (auto* failure = std::get_if<usage_error>(&parsed)) {
    log_line(failure->message + "\n" + usage_text());
    return 2;
  }
  if (auto* attach = std::get_if<attach_options>(&parsed)) return run_attach_bridge(*attach);
  server keeper(std::get<serve_options>(parsed));
  return keeper.run();
}
