#!/usr/bin/env bash
# Set up Balie on Debian 12: system libraries for Qt, espeak-ng for speech, a virtual
# environment in .venv with Balie installed. `--test` also installs what the tests need.
# Safe to run again; run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    *) echo "usage: $0 [--test]" >&2; exit 2 ;;
  esac
done

packages=(
  python3 python3-venv python3-pip
  # Qt 6 (PySide6) at run time, offscreen and on a real X display
  libgl1 libegl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6 libxkbcommon0
  libxkbcommon-x11-0 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1
  # the kiosk's voice
  espeak-ng
  # passport and ID-card readers: the PC/SC daemon, and its virtual reader for the simulated chip
  pcscd vsmartcard-vpcd
)
# only with --test: the backoffice tests start a private PostgreSQL server (Debian's initdb and pg_ctl),
# and drive the staff pages in headless Chromium (Playwright with /usr/bin/chromium, never its own download);
# the provisioning tests check lockdown's unit with systemd-analyze (which wants cage, its ExecStart, present),
# run the watchdog under a private `systemd --user`, and measure a screen on Xvfb
test_packages=(
  postgresql
  chromium
  systemd
  cage
  xvfb
)
[ "$with_tests" -eq 0 ] || packages+=("${test_packages[@]}")

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$with_tests" -eq 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test,postgres]"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "Balie is installed in .venv ($(.venv/bin/balie --version))"
