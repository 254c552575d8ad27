#include <iostream>

#include "app/commands.hpp"
#include "projections/catalogue.hpp"
#include "projections/rebuild.hpp"

namespace berth::app {

int run_projections(const config& cfg, const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "list") {
    for (const auto& name : projections::projection_names())
      std::cout << name << "\n";
    return exit_ok;
  }
  if (args.size() != 2 || args[0] != "rebuild") {
    std::cerr << "usage: berth projections list | berth projections rebuild NAME\n";
    return exit_usage;
  }
  if (cfg.database_url.empty()) {
    std::cerr << "berth projections: set --database-url or BERTH_DATABASE_URL\n";
    return exit_usage;
  }
  auto report = projections::rebuild(cfg.database_url, args[1]);
  if (!report) {
    std::cerr << "berth projections rebuild " << args[1] << ": " << report.error().message << "\n";
    return report.error().code == events::error_code::invalid_argument ? exit_usage : exit_failure;
  }
  std::cout << "rebuilt " << args[1] << " from " << report->events_replayed << " events\n";
  return exit_ok;
}

}  // namespace berth::app
