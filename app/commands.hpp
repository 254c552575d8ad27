#pragma once

#include <string>
#include <vector>

#include "app/config.hpp"

namespace berth::app {

/// `berth serve`: migrate, then serve HTTP until SIGTERM. Returns the exit code.
int run_serve(const config& cfg);
/// `berth migrate`: apply missing migrations and print what was done.
int run_migrate(const config& cfg);
/// `berth admin create-user --username NAME --role ROLE` (password on stdin) | `berth admin
/// bootstrap --password-file PATH` (the first admin, when there is none).
int run_admin(const config& cfg, const std::vector<std::string>& args);

/// `berth projections list | rebuild NAME`.
int run_projections(const config& cfg, const std::vector<std::string>& args);

/// `berth audit verify [--json] | history --workspace ID [--at TIME] [--json] |
/// export-session SESSION --format asciicast-v2|asciicast-v3 [--output FILE] [--input]`.
int run_audit(const config& cfg, const std::vector<std::string>& args);

/// Exit codes shared by every subcommand.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;
inline constexpr int exit_usage = 2;

}  // namespace berth::app
