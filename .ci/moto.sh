#!/usr/bin/env bash
# Makes sure moto's server (the AWS emulator of the integration and end-to-end tests) can be
# started: moto_server on PATH, or moto[server] installed once into .tmp/moto-venv. npm test does
# the same before its tests (test/global-setup-moto.mjs, the installer this runs), so this step only
# makes a missing or uninstallable moto show up on its own in CI logs. It does not start moto: each
# test file starts its own on a free port (test/servers/moto.ts).
# Works when sourced from .ci/run or run on its own.

ensure_moto_server() {
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && node test/global-setup-moto.mjs)
}

# Run directly: exit with the result. Sourced: return it, which stops a caller under `set -e`.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  ensure_moto_server
  exit $?
fi
ensure_moto_server
