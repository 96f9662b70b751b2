#!/usr/bin/env bash
# Install what is missing, and only that: Debian packages, the Python virtualenv, the
# project's dependencies and compiled translations. Safe to run again; fast when nothing
# changed. Usage: scripts/install.sh [demo|test]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PURPOSE="${1:-demo}"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# binary -> Debian package
declare -A NEED=(
  [ffmpeg]=ffmpeg [ffprobe]=ffmpeg [vips]=libvips-tools [espeak-ng]=espeak-ng [sox]=sox
  [msgfmt]=gettext [npm]=npm
)
if [[ "$PURPOSE" == test ]]; then
  NEED+=([redis-server]=redis-server [redis-cli]=redis-tools [psql]=postgresql-client
    [lighttpd]=lighttpd [chromium]=chromium [pdftotext]=poppler-utils)
  # scripts/services.py: the search engines' distributions (Maven Central zips run on
  # Debian's Java 17) and the S3 gateway's bucket set-up. Go, to build that gateway once, is
  # not a Debian 12 package new enough (go >= 1.25 on PATH or in /usr/local/go).
  NEED+=([java]=openjdk-17-jre-headless [mvn]=maven [unzip]=unzip [curl]=curl)
  # The production stack (make stack, deploy/): nginx in front, supervisor running the
  # app's processes; wrk for the tile benchmark (bench/).
  NEED+=([nginx]=nginx [supervisord]=supervisor [wrk]=wrk)
fi
missing=()
for bin in "${!NEED[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${NEED[$bin]}")
done
# libvips itself (pyvips loads the shared library) and PostgreSQL's server binaries
ldconfig -p 2>/dev/null | grep 'libvips\.so\.42' >/dev/null || missing+=(libvips42)  # no -q: SIGPIPE + pipefail
# Lesson handouts as PDF: WeasyPrint's Pango, and Chinese fonts (Noto CJK) for the text
ldconfig -p 2>/dev/null | grep 'libpangoft2-1\.0\.so' >/dev/null || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
# The IIIF Image API validator (tests) imports python-magic, which loads libmagic
if [[ "$PURPOSE" == test ]]; then
  ldconfig -p 2>/dev/null | grep 'libmagic\.so\.1' >/dev/null || missing+=(libmagic1)
fi
fc-list 2>/dev/null | grep 'Noto Sans CJK' >/dev/null || missing+=(fonts-noto-cjk)
if [[ "$PURPOSE" == test ]] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
# Chinese glyphs for Chromium's screenshots of the admin and the site (no binary to look for)
if [[ "$PURPOSE" == test ]] && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  missing+=(fonts-noto-cjk)
fi
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python environment, reinstalled only when pyproject.toml changes.
if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.mha-installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  rm -f .venv/.mha-installed-*
  touch "$stamp"
fi

# The accessibility checker the browser tests inject (axe-core), from its npm package.
AXE_VERSION=4.11.0
if [[ "$PURPOSE" == test && ! -f ".cache/axe-$AXE_VERSION.min.js" ]] && command -v npm >/dev/null; then
  mkdir -p .cache
  (cd .cache && npm pack -q "axe-core@$AXE_VERSION" >/dev/null \
    && tar xzf "axe-core-$AXE_VERSION.tgz" package/axe.min.js \
    && mv package/axe.min.js "axe-$AXE_VERSION.min.js" && rm -rf package "axe-core-$AXE_VERSION.tgz")
fi

# Compiled translations are build products, not committed.
if [[ -d locale ]]; then
  find locale -name '*.po' | while read -r po; do
    mo="${po%.po}.mo"
    if [[ ! -f "$mo" || "$po" -nt "$mo" ]]; then msgfmt --check -o "$mo" "$po"; fi
  done
fi

# Browser-side viewers come from the npm registry as published packages (npm pack), unpacked
# into .cache/npm; only what the site serves is copied under static/vendor (not committed).
OSD_VERSION=4.1.1
MIRADOR_VERSION=3.4.3
npm_unpack() {  # npm_unpack NAME VERSION -> .cache/npm/NAME-VERSION/package
  local dir=".cache/npm/$1-$2"
  if [[ ! -d "$dir/package" ]]; then
    mkdir -p "$dir"
    (cd "$dir" && npm pack --silent "$1@$2" >/dev/null && tar xzf ./*.tgz && rm -f ./*.tgz)
  fi
}
if [[ ! -f static/vendor/openseadragon/openseadragon.min.js ]]; then
  npm_unpack openseadragon "$OSD_VERSION"
  mkdir -p static/vendor
  rm -rf static/vendor/openseadragon
  cp -r ".cache/npm/openseadragon-$OSD_VERSION/package/build/openseadragon" static/vendor/
fi
# The admin's resumable uploader speaks tus through the protocol's own browser client.
TUS_JS_VERSION=4.3.1
if [[ "$(cat static/vendor/tus/VERSION 2>/dev/null)" != "$TUS_JS_VERSION" ]]; then
  npm_unpack tus-js-client "$TUS_JS_VERSION"
  rm -rf static/vendor/tus && mkdir -p static/vendor/tus
  cp ".cache/npm/tus-js-client-$TUS_JS_VERSION/package/dist/tus.min.js" \
    ".cache/npm/tus-js-client-$TUS_JS_VERSION/package/LICENSE" static/vendor/tus/
  echo "$TUS_JS_VERSION" >static/vendor/tus/VERSION
fi
if [[ "$PURPOSE" == test ]]; then
  npm_unpack mirador "$MIRADOR_VERSION"  # the IIIF viewer the browser tests open manifests in
  # @iiif/parser, the independent check of every manifest (tests/test_iiif_conformance.py),
  # exactly as its lockfile says.
  if [[ ! -d tests/iiif_node/node_modules/@iiif/parser ]]; then
    (cd tests/iiif_node && npm ci --silent --no-audit --no-fund)
  fi
  # The IIIF image-server peer the benchmark compares against.
  [[ -x /usr/lib/iipimage-server/iipsrv.fcgi ]] || {
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends iipimage-server >/dev/null
  }
fi
