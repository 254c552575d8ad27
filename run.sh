#!/usr/bin/env bash
# Installs what is missing, starts PostgreSQL and Docker, builds the workspace image, the web
# UI and Berth, migrates, and serves on http://127.0.0.1:8080 (BERTH_LISTEN to change).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/prepare
scripts/build-web
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target berth
build/berth migrate
# The first admin: created once, with a random password kept in a 0600 file.
password_file=${BERTH_DATA_DIR:-.local/data}/admin-password
build/berth admin bootstrap --password-file "$password_file"
listen=${BERTH_LISTEN:-127.0.0.1:8080}
cat >&2 <<MSG

Berth is starting on http://$listen
  health:   curl http://$listen/healthz
  log in:   user admin, password in $password_file
            (it stays there; change it with POST /api/me/password, then delete the file)
            curl -c jar -H 'Content-Type: application/json' http://$listen/api/auth/login \\
              -d "{\\"username\\":\\"admin\\",\\"password\\":\\"\$(cat $password_file)\\"}"
            curl -b jar http://$listen/api/me
  database: $(echo "$BERTH_DATABASE_URL" | sed 's#//\([^:]*\):[^@]*@#//\1:***@#')
  stop:     Ctrl-C (services keep running; scripts/services down stops them)

MSG
exec build/berth serve --listen "$listen"
