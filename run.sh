#!/usr/bin/env bash
# Installs what is missing, starts PostgreSQL and Docker, builds the workspace image and
# Berth, migrates, and serves on http://127.0.0.1:8080 (BERTH_LISTEN to change).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prepare
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target berth
build/berth migrate
listen=${BERTH_LISTEN:-127.0.0.1:8080}
cat >&2 <<MSG

Berth is starting on http://$listen
  health:   curl http://$listen/healthz
  database: $(echo "$BERTH_DATABASE_URL" | sed 's#//\([^:]*\):[^@]*@#//\1:***@#')
  stop:     Ctrl-C (services keep running; scripts/services down stops them)

MSG
exec build/berth serve --listen "$listen"
