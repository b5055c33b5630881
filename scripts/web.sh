#!/usr/bin/env bash
# Builds the web dashboard: installs the locked npm packages of web/ and of
# packages/starminer-ts (whose TypeScript source the dashboard compiles in)
# into the machine-level cache, type-checks web/ with tsc and bundles it with
# Vite into web/dist, which `starminer dashboard` serves.
#
# Usage: scripts/web.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
ensure_npm_folder "$REPO_ROOT/packages/starminer-ts" starminer-ts
ensure_npm_folder "$REPO_ROOT/web" web
cd web
node_modules/.bin/tsc --noEmit || die "web/ does not type-check"
node_modules/.bin/vite build --logLevel warn || die "the Vite build of web/ failed"
log "dashboard built into web/dist"
