#!/usr/bin/env bash
# The browser journeys drive Debian's chromium (never a downloaded browser); ffmpeg makes demo media; zbarimg
# (zbar-tools) reads the QR code printed on a 核验卡 as a phone would.
set -euo pipefail
here=$(dirname "$0")
bash "$here/system-deps.sh" chromium ffmpeg zbar-tools
