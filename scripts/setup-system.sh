#!/usr/bin/env bash
# Installs the Debian packages LedgerLab uses outside npm, if any are missing:
#   Jupyter (headless notebooks: jupyter-notebook, jupyter-nbconvert, python3-nbclient, python3-ipykernel, jupyter-client),
#   python3-torch (bench/torch reference steps; regenerating test/model/fixtures),
#   Chromium + poppler-utils (PDF reports and their checks), fonts (DejaVu; Noto CJK for Chinese chart labels).
# Needs root for apt-get (CI runs as root). Without root it prints the command to run and fails.
# Usage: bash scripts/setup-system.sh [main|test]   (both need the same packages today)
set -euo pipefail
packages=(jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client python3-torch
          chromium poppler-utils fonts-dejavu-core fonts-noto-cjk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "setup-system: installing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: not root; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
echo "setup-system: done" >&2
