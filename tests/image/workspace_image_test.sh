#!/usr/bin/env bash
# shellcheck disable=SC2016  # the single-quoted snippets are expanded inside the container
# Checks the workspace image (docker/images/workspace) by running containers from it the
# way Berth does: as uid 1000:1000 under docker-init.
#
# usage: workspace_image_test.sh [IMAGE]     (default: $BERTH_WORKSPACE_IMAGE; required)
#        get IMAGE from scripts/build-image (its last stdout line).
# Every failed assertion is reported; the exit status is non-zero if any failed.
set -euo pipefail

image=${1:-${BERTH_WORKSPACE_IMAGE:-}}
if [[ -z $image ]]; then
  echo "workspace_image_test: FAIL: no image given: pass it as \$1 or set BERTH_WORKSPACE_IMAGE" \
    "(e.g. BERTH_WORKSPACE_IMAGE=\$(scripts/build-image))" >&2
  exit 2
fi
if ! command -v docker >/dev/null; then
  echo "workspace_image_test: FAIL: docker CLI not found" >&2
  exit 2
fi
if ! err=$(docker image inspect "$image" 2>&1 >/dev/null); then
  echo "workspace_image_test: FAIL: image $image not available: $err" >&2
  exit 2
fi

failures=0
checks=0
fail() {
  failures=$((failures + 1))
  printf 'FAIL: %s\n' "$*" >&2
}
pass() { printf 'ok:   %s\n' "$*"; }

# run_in [docker run options --] command...: a throwaway container as Berth would run it.
run_in() {
  local opts=()
  if [[ " $* " == *" -- "* ]]; then
    while [[ $1 != -- ]]; do opts+=("$1"); shift; done
    shift
  fi
  docker run --rm --init --user 1000:1000 "${opts[@]}" "$image" "$@"
}

# expect NAME EXPECTED command...: stdout (trailing newline stripped) must equal EXPECTED.
expect() {
  local name=$1 want=$2 got rc=0
  shift 2
  checks=$((checks + 1))
  got=$(run_in "$@" 2>&1) || rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "$name: exit status $rc (wanted output '$want'); output: $got"
  elif [[ $got != "$want" ]]; then
    fail "$name: got '$got', wanted '$want'"
  else
    pass "$name"
  fi
}

# succeeds NAME command...: must exit 0; the output is shown.
succeeds() {
  local name=$1 out rc=0
  shift
  checks=$((checks + 1))
  out=$(run_in "$@" 2>&1) || rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "$name: exit status $rc; output: $out"
  else
    pass "$name: $(head -n 1 <<<"$out")"
  fi
}

# matches NAME REGEX command...: must exit 0 and the output match the (extended) regex.
matches() {
  local name=$1 re=$2 out rc=0
  shift 2
  checks=$((checks + 1))
  out=$(run_in "$@" 2>&1) || rc=$?
  if [[ $rc -ne 0 ]]; then
    fail "$name: exit status $rc; output: $out"
  elif ! grep -Eq -- "$re" <<<"$out"; then
    fail "$name: output does not match /$re/: $out"
  else
    pass "$name"
  fi
}

echo "workspace_image_test: $image"

# Claude Code CLI, as the workspace user, also under Berth's default hardening.
matches "claude --version" '^[0-9]+\.[0-9]+\.[0-9]+' claude --version
matches "claude --version under no-new-privileges and CapDrop ALL" \
  '^[0-9]+\.[0-9]+\.[0-9]+' --security-opt no-new-privileges --cap-drop ALL -- claude --version

# User, home, working directory.
expect "id -u" 1000 id -u
expect "id -g" 1000 id -g
expect "user name" developer id -un
expect "group name" developer id -gn
expect "home directory" /home/developer bash -c 'echo "$HOME"'
expect "passwd entry" "developer:x:1000:1000::/home/developer:/bin/bash" getent passwd developer
expect "working directory" /workspace pwd
expect "/workspace owner" "1000:1000" stat -c '%u:%g' /workspace
expect "/workspace writable by uid 1000" ok bash -c 'touch /workspace/.probe && rm /workspace/.probe && echo ok'
expect "/home/developer owner" "1000:1000" stat -c '%u:%g' /home/developer
expect "fresh volume at /workspace is owned by 1000" "1000:1000" \
  --mount type=volume,target=/workspace -- stat -c '%u:%g' /workspace

# Terminal and locale.
expect "TERM" xterm-256color bash -c 'echo "$TERM"'
expect "terminfo for TERM" ok bash -c 'infocmp "$TERM" >/dev/null && echo ok'
matches "locale is UTF-8" '^LANG=en_US\.UTF-8$' locale
matches "locale charmap" '^UTF-8$' locale charmap
expect "no locale warnings" "" bash -c 'locale 2>&1 >/dev/null'
utf8='héllo wörld ✓ 日本語 🚀'
expect "UTF-8 round-trip through the shell" "$utf8" bash -c 'printf "%s" "$1"' _ "$utf8"
expect "UTF-8 character count (wc -m)" 19 bash -c 'printf "%s" "$1" | wc -m' _ "$utf8"
expect "UTF-8 round-trip through python3" "$utf8 19" \
  python3 -c 'import sys; s = sys.argv[1]; print(s, len(s))' "$utf8"
expect "UTF-8 round-trip through a file" "$utf8" \
  bash -c 'printf "%s" "$1" > /tmp/u && cat /tmp/u' _ "$utf8"
expect "python3 preferred encoding" utf-8 \
  python3 -c 'import locale; print(locale.getpreferredencoding().lower().replace("utf8", "utf-8"))'

# Tools.
for tool in bash git git-lfs python3 node npm vim tmux gcc g++ make curl sudo; do
  succeeds "$tool present" bash -c "command -v $tool"
done
succeeds "git --version" git --version
succeeds "git lfs version" git lfs version
expect "git lfs filter configured" "git-lfs filter-process" git config --system filter.lfs.process
succeeds "python3 --version" python3 --version
succeeds "node --version" node --version
succeeds "npm --version" npm --version
succeeds "vim --version" vim --version
succeeds "tmux -V" tmux -V
succeeds "curl --version" curl --version
expect "gcc and make build a program" "hello from gcc" bash -c '
  set -e; d=$(mktemp -d); cd "$d"
  printf "#include <stdio.h>\nint main(void){puts(\"hello from gcc\");return 0;}\n" > h.c
  printf "h: h.c\n\tgcc -O2 -o h h.c\n" > Makefile
  make -s && ./h'
expect "g++ compiles C++20" cxx20 bash -c '
  set -e; d=$(mktemp -d); cd "$d"
  printf "%s\n" "#include <iostream>" \
    "int main() { std::cout << (__cplusplus >= 202002L ? \"cxx20\" : \"old\") << std::endl; }" > a.cpp
  g++ -std=c++20 -o a a.cpp && ./a'
expect "node runs a script" "3" node -e 'console.log(1 + 2)'
expect "tmux runs a session" "tmux-ok" bash -c '
  tmux -L t new-session -d "sleep 5" && tmux -L t has-session && tmux -L t kill-server && echo tmux-ok'

# sudo: passwordless when the container allows privilege changes (a template with sudo) ...
expect "passwordless sudo" 0 sudo -n id -u
# ... and refused under Berth's default hardening.
checks=$((checks + 1))
if out=$(run_in --security-opt no-new-privileges --cap-drop ALL -- sudo -n true 2>&1); then
  fail "sudo must not work with no-new-privileges and CapDrop ALL; output: $out"
else
  pass "sudo refused under no-new-privileges"
fi

# Image configuration: no entrypoint that would swallow Berth's Cmd; env and workdir set.
checks=$((checks + 1))
cfg=$(docker image inspect --format '{{json .Config.Entrypoint}}|{{.Config.WorkingDir}}|{{range .Config.Env}}{{.}};{{end}}' "$image")
if [[ ${cfg%%|*} != null && ${cfg%%|*} != '[]' ]]; then
  fail "image has an ENTRYPOINT: ${cfg%%|*}"
elif [[ $cfg != *"|/workspace|"* || $cfg != *"TERM=xterm-256color;"* || $cfg != *"LANG=en_US.UTF-8;"* ]]; then
  fail "image config (entrypoint|workdir|env) unexpected: $cfg"
else
  pass "image config: no entrypoint, WORKDIR /workspace, TERM and LANG set"
fi
expect "arbitrary command as Cmd" "a b" /bin/echo a b

echo "workspace_image_test: $((checks - failures))/$checks passed"
if [[ $failures -gt 0 ]]; then
  echo "workspace_image_test: FAIL: $failures assertion(s) failed for $image" >&2
  exit 1
fi
