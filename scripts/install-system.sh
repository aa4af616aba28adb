#!/usr/bin/env bash
# System packages sohoa needs on Debian (bookworm or later): Tesseract with Vietnamese, poppler, fonts, and
# Chromium with its driver for the tests that look at the UI as a person does.
# Installs only what is missing; uses sudo when not run as root.
set -euo pipefail

need=()
command -v tesseract >/dev/null || need+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx vie || need+=(tesseract-ocr-vie)
tesseract --list-langs 2>/dev/null | grep -qx osd || need+=(tesseract-ocr-osd)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || need+=(fonts-liberation2)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || need+=(fonts-dejavu-core)
[ -e /usr/share/fonts/truetype/freefont/FreeMono.ttf ] || need+=(fonts-freefont-ttf)  # typewriter pages (sohoa.synth)
command -v git >/dev/null || need+=(git)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v npm >/dev/null || need+=(npm)  # the dashboard's chart library comes from the npm registry
py=$(command -v python3.11 || command -v python3 || true)
if [ -z "$py" ] || ! "$py" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  need+=(python3 python3-venv python3-dev)
elif ! "$py" -c 'import venv, ensurepip' 2>/dev/null; then
  need+=(python3-venv)
fi

if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
