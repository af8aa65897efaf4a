#!/usr/bin/env bash
# The whole test suite on a fresh machine: system programs, npm packages,
# build, then every test (real PostgreSQL, Redis, nginx, etcd, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

node -e 'if (+process.versions.node.split(".")[0] < 20) { console.error("Node 20 or newer is required"); process.exit(1) }'
bash scripts/system-deps.sh
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build
npx tsc -b
if ! npm run --silent lint; then
  echo 'npm run lint failed (above): npm run format fixes formatting and import order; the rest is fixed by hand.' >&2
  exit 1
fi
mkdir -p .tmp
status=0
node --experimental-vm-modules node_modules/jest/bin/jest.js --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json "$@" || status=$?
# One plain closing line, whatever the runner printed above it.
node -e 'const r = JSON.parse(require("fs").readFileSync(".tmp/jest-results.json", "utf8")); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' || true
exit $status
