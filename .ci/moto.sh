#!/usr/bin/env bash
# Makes sure moto's server (the AWS emulator the end-to-end tests run against) can be started.
# It does not start it: every test file starts its own on a free port (test/servers/moto.ts).
# Works when sourced from .ci/run or run on its own.

ensure_moto_server() {
  if command -v moto_server >/dev/null 2>&1; then
    echo "moto_server: $(command -v moto_server)"
    return 0
  fi
  # Installed but its script is not on PATH (e.g. pip --user): the tests need the command itself.
  if python3 -c 'import moto.server' >/dev/null 2>&1; then
    echo "moto is installed for $(command -v python3) but moto_server is not on PATH;" >&2
    echo "add the directory of its scripts to PATH (python3 -m site --user-base, then /bin)." >&2
    return 1
  fi
  # 5.2.x: the quirks test/servers/moto.ts works around were read from moto 5.2.1's source.
  local spec='moto[server]~=5.2.1'
  echo "moto_server not found: installing $spec with pip…"
  local pip=(python3 -m pip)
  if ! "${pip[@]}" --version >/dev/null 2>&1; then
    echo "Neither moto_server nor pip is available: install Python 3 with pip, then run" >&2
    echo "  pip install '$spec'" >&2
    return 1
  fi
  if ! "${pip[@]}" install --quiet "$spec"; then
    echo "pip install '$spec' failed; install it by hand, e.g. in a virtualenv on PATH or with" >&2
    echo "  pipx install '$spec'" >&2
    return 1
  fi
  hash -r
  if ! command -v moto_server >/dev/null 2>&1; then
    echo "moto[server] was installed but moto_server is still not on PATH; add pip's script directory to PATH." >&2
    return 1
  fi
  echo "moto_server: $(command -v moto_server)"
}

# Run directly: exit with the result. Sourced: return it, which stops a caller under `set -e`.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  ensure_moto_server
  exit $?
fi
ensure_moto_server
