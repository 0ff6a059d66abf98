#!/usr/bin/env bash
# Runs the test suite with the storage tests also on PostgreSQL, against a throw-away server that
# is started here and removed afterwards. Needs PostgreSQL installed (not running).
# Usage: scripts/test-postgres.sh [vitest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/postgres.sh
. scripts/lib/postgres.sh

pg_start
# "--" so that options such as -t or --reporter reach vitest instead of being taken by npm.
npm test -- "$@"
