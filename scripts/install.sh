#!/usr/bin/env bash
# Installs Routerly, the self-hosted LLM gateway, with npm:
#
#   curl -fsSL https://.../install.sh | bash                 # the routerly command, data in ~/.routerly
#   curl -fsSL https://.../install.sh | bash -s -- --systemd # and a systemd user unit to run it
#
# Needs Node.js 20.19 or newer with npm. Installs into npm's global prefix when it is writable,
# otherwise into ~/.local (never sudo). Running it again upgrades in place and rewrites the unit.
#
# Environment:
#   ROUTERLY_PACKAGE   what npm installs: routerly (default), routerly@<version>, a tarball path or URL
#   ROUTERLY_PREFIX    where to install when npm's global prefix is not writable (default ~/.local)
#   ROUTERLY_SYSTEMD=1 the same as --systemd
#   ROUTERLY_HOME      where Routerly keeps its data (default ~/.routerly); written into the unit
#   ROUTERLY_SHUTDOWN_GRACE_MS  how long a stop lets requests finish (default 30000); the unit waits longer
set -euo pipefail

readonly MIN_NODE_MAJOR=20
readonly MIN_NODE_MINOR=19
readonly DEFAULT_GRACE_MS=30000

say() { printf '%s\n' "$*"; }
fail() {
  printf 'routerly install: %s\n' "$*" >&2
  exit 1
}

usage() {
  cat <<'EOF'
Usage: install.sh [--systemd] [--help]

Installs the routerly command with npm (Node.js 20.19 or newer).
  --systemd   also write a systemd user unit (~/.config/systemd/user/routerly.service)
  --help      show this help

Environment: ROUTERLY_PACKAGE (what npm installs), ROUTERLY_PREFIX (install folder when npm's
global one is not writable, default ~/.local), ROUTERLY_SYSTEMD=1, ROUTERLY_HOME (data folder,
default ~/.routerly), ROUTERLY_SHUTDOWN_GRACE_MS.
EOF
}

# Node 20.19 is the oldest the package supports (package.json "engines").
check_node() {
  local node version
  node=$(command -v node || true)
  if [ -z "$node" ]; then
    fail "Routerly needs Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer, and there is no node on PATH. Install it from https://nodejs.org/en/download (or with nvm: nvm install --lts), then run this again."
  fi
  version=$(node --version 2>/dev/null || true)
  if ! [[ $version =~ ^v([0-9]+)\.([0-9]+)\. ]]; then
    fail "could not tell the version of $node ('node --version' printed '${version}'). Routerly needs Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer."
  fi
  local major=${BASH_REMATCH[1]} minor=${BASH_REMATCH[2]}
  if [ "$major" -lt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -lt "$MIN_NODE_MINOR" ]; }; then
    fail "Routerly needs Node.js ${MIN_NODE_MAJOR}.${MIN_NODE_MINOR} or newer, and $node is $version. Upgrade from https://nodejs.org/en/download (or with nvm: nvm install --lts), then run this again."
  fi
  command -v npm >/dev/null 2>&1 || fail "npm was not found beside Node.js $version ($node). Install npm (it comes with Node.js from nodejs.org), then run this again."
  NODE_BIN_DIR=$(dirname "$node")
  say "Node.js $version ($node)"
}

# True when npm could create $1: the nearest folder of it that exists is a writable directory.
can_create() {
  local dir=$1
  while [ ! -e "$dir" ]; do dir=$(dirname "$dir"); done
  [ -d "$dir" ] && [ -w "$dir" ]
}

# npm's global prefix when this user may write there, otherwise a prefix in the home folder.
choose_prefix() {
  local global
  global=$(npm config get prefix) || fail "npm config get prefix failed: is npm working?"
  if can_create "$global/lib/node_modules" && can_create "$global/bin"; then
    PREFIX=$global
  else
    PREFIX=${ROUTERLY_PREFIX:-$HOME/.local}
    say "npm's global folder ($global) is not writable by $(id -un): installing into $PREFIX instead (no sudo)."
  fi
}

install_package() {
  local package=${ROUTERLY_PACKAGE:-routerly}
  say "Installing $package with npm into $PREFIX ..."
  # </dev/null: under curl | bash, stdin is the rest of this script, which no child may read.
  npm install --global --prefix "$PREFIX" --no-audit --no-fund --no-update-notifier --loglevel=error "$package" </dev/null ||
    fail "npm could not install $package (its message is above)."
  ROUTERLY_BIN=$PREFIX/bin/routerly
  [ -x "$ROUTERLY_BIN" ] || fail "npm finished, but $ROUTERLY_BIN is not there: was $package the routerly package?"
  local version
  version=$("$ROUTERLY_BIN" --version 2>&1 </dev/null) || fail "$ROUTERLY_BIN --version failed: $version"
  say "Installed routerly $version: $ROUTERLY_BIN"
}

# A value as systemd reads it inside double quotes: % starts a specifier and \ an escape.
# (Values holding a quote or a newline are refused first, by check_unit_values.)
unit_quoted() {
  local text=${1//\\/\\\\}
  printf '"%s"' "${text//%/%%}"
}

check_unit_values() {
  local value
  for value in "$@"; do
    case $value in
      *'"'* | *$'\n'*) fail "cannot write a systemd unit for a path holding a quote or a newline: $value" ;;
    esac
  done
}

write_systemd_unit() {
  local grace_ms=${ROUTERLY_SHUTDOWN_GRACE_MS:-$DEFAULT_GRACE_MS}
  # systemd kills the service this long after SIGTERM: the drain's grace, rounded up, plus time to write out usage.
  local stop_seconds=$(((grace_ms + 999) / 1000 + 15))
  local unit_dir=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
  local unit=$unit_dir/routerly.service
  check_unit_values "$ROUTERLY_BIN" "$NODE_BIN_DIR" "$DATA_HOME"
  mkdir -p "$unit_dir"
  # The user manager's PATH is not the login shell's: the unit names this node's folder.
  local environment
  environment="Environment=$(unit_quoted "PATH=$NODE_BIN_DIR:/usr/local/bin:/usr/bin:/bin")
Environment=$(unit_quoted "ROUTERLY_HOME=$DATA_HOME")"
  if [ -n "${ROUTERLY_SHUTDOWN_GRACE_MS:-}" ]; then
    environment+=$'\n'"Environment=$(unit_quoted "ROUTERLY_SHUTDOWN_GRACE_MS=$grace_ms")"
  fi
  # Written whole to a temp file and moved into place: a rerun replaces it, never half-writes it.
  cat >"$unit.tmp" <<EOF
# Written by Routerly's install script: running the script again rewrites this file.
# Other settings (ROUTERLY_PORT, ROUTERLY_HOST, ...): systemctl --user edit routerly
[Unit]
Description=Routerly LLM gateway
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=$(unit_quoted "$ROUTERLY_BIN") start
${environment}
Restart=on-failure
RestartSec=2
# On SIGTERM routerly stops taking requests, lets those in flight finish for up to
# ROUTERLY_SHUTDOWN_GRACE_MS (${grace_ms} ms), writes out usage and exits 0.
KillSignal=SIGTERM
TimeoutStopSec=${stop_seconds}

[Install]
WantedBy=default.target
EOF
  mv "$unit.tmp" "$unit"
  say ""
  say "Wrote the systemd user unit $unit. To run Routerly with it:"
  say "  systemctl --user daemon-reload"
  say "  systemctl --user enable --now routerly"
  say "  loginctl enable-linger $(id -un)    # keep it running after you log out"
  say "  journalctl --user -u routerly -f    # its log"
  command -v systemctl >/dev/null 2>&1 || say "(systemctl is not on this machine: the unit is for one that has systemd.)"
}

main() {
  local systemd=false
  case ${ROUTERLY_SYSTEMD:-} in
    1 | true | yes) systemd=true ;;
    '' | 0 | false | no) ;;
    *) fail "ROUTERLY_SYSTEMD must be 1 or 0, got '${ROUTERLY_SYSTEMD}'" ;;
  esac
  while [ $# -gt 0 ]; do
    case $1 in
      --systemd) systemd=true ;;
      -h | --help)
        usage
        return 0
        ;;
      *) fail "unknown option '$1' (try --help)" ;;
    esac
    shift
  done
  [ -n "${HOME:-}" ] || fail "HOME is not set"
  # Checked before installing: the unit's stop timeout is computed from it.
  if [ "$systemd" = true ] && ! [[ ${ROUTERLY_SHUTDOWN_GRACE_MS:-0} =~ ^[0-9]{1,10}$ ]]; then
    fail "ROUTERLY_SHUTDOWN_GRACE_MS must be a whole number of milliseconds, got '${ROUTERLY_SHUTDOWN_GRACE_MS}'"
  fi

  check_node
  choose_prefix
  install_package
  DATA_HOME=${ROUTERLY_HOME:-$HOME/.routerly}
  case $DATA_HOME in /*) ;; *) DATA_HOME=$PWD/$DATA_HOME ;; esac # the unit runs from another folder

  local command=routerly
  case ":$PATH:" in
    *":$PREFIX/bin:"*) ;;
    *)
      command=$ROUTERLY_BIN
      say ""
      say "$PREFIX/bin is not on your PATH. To call routerly by name, add it (then open a new shell):"
      say "  echo 'export PATH=\"$PREFIX/bin:\$PATH\"' >> ~/.profile"
      ;;
  esac

  say ""
  say "Routerly keeps its data (config, encrypted provider keys, usage) in $DATA_HOME."
  say "Set ROUTERLY_HOME to keep it elsewhere."
  if [ "$systemd" = true ]; then write_systemd_unit; fi

  say ""
  say "Next:"
  if [ "$systemd" = true ]; then
    say "  start it with systemctl (above), or in a terminal: $command start"
  else
    say "  $command start                   # serves http://127.0.0.1:3000"
  fi
  say "  then open http://127.0.0.1:3000/dashboard to create the first admin,"
  say "  or run: $command setup"
}

# Everything runs from here, after bash has read the whole script: a download cut short runs nothing.
main "$@"
