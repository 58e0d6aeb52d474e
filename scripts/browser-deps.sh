#!/usr/bin/env bash
# The browser journeys drive Debian's chromium (never a downloaded browser); ffmpeg makes demo media.
set -euo pipefail
here=$(dirname "$0")
bash "$here/system-deps.sh" chromium ffmpeg
