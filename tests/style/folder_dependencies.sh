#!/usr/bin/env bash
# Dependencies go one way (DESIGN.md, STYLE.md rule 1): each folder may include only from the
# folders listed for it here. A new edge is a design decision: add it here, with the folder's
# README saying why. Fails listing every include that breaks the order. Only bench/ (and
# tests/, which this does not check) may include from testing/.
set -euo pipefail
cd "$(dirname "$0")/../.."

declare -A allowed=(
  [app]="accounts actors audit auth bench docker events http projections telemetry terminal"
  [bench]="accounts actors docker events testing"
  [testing]="events terminal"
  [http]="accounts actors audit auth events telemetry terminal"
  [audit]="actors events"
  [actors]="docker events telemetry terminal"
  [projections]="events telemetry"
  [accounts]="auth events telemetry"
  [events]="telemetry"
  [docker]="telemetry"
  [terminal]=""
  [telemetry]=""
  [auth]=""
)

status=0
for folder in "${!allowed[@]}"; do
  while IFS= read -r hit; do
    file=${hit%%:*}
    target=${hit#*#include \"}
    target=${target%%/*}
    [[ "$target" == "$folder" ]] && continue
    [[ -z "${allowed[$target]+known}" ]] && continue  # not one of Berth's folders
    if [[ " ${allowed[$folder]} " != *" $target "* ]]; then
      echo "$file includes from $target/, which $folder/ may not depend on: ${hit#*:}"
      status=1
    fi
  done < <(git grep -n '#include "[a-z_]*/' -- "$folder/*.cpp" "$folder/*.hpp" || true)
done
[[ $status -eq 0 ]] && echo "folder dependencies go one way"
exit $status
