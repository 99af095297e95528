#!/usr/bin/env bash
# The system tools LedgerLab uses outside npm:
#   Jupyter's nbclient (headless notebooks), Chromium or Chrome (PDF reports), poppler's pdftoppm (PDF checks),
#   fonts (DejaVu Sans; Noto Sans CJK for Chinese chart labels), redis-server (the job queue of `ledgerlab run
#   --queue` / `ledgerlab worker`, docs/cluster.md; the tests start their own). Not installed here, only for
#   benchmarks and fixture generators: python3-torch (`bench train`'s PyTorch column, test/*/fixtures/*.py).
# Debian/Ubuntu (apt): installs the missing Debian packages (as root; otherwise prints the apt-get command).
# Elsewhere (macOS, Fedora, Arch, Alpine, openSUSE, …): looks for the tools — Jupyter's Python via
# LEDGERLAB_JUPYTER_PYTHON, the `jupyter` on PATH, /usr/bin/python3 or python3; Chromium via LEDGERLAB_CHROMIUM,
# chromium/chromium-browser/google-chrome(-stable) on PATH or the macOS app bundles — and prints exactly what to
# install with the platform's package manager when one is missing (exit 1). See docs/setup.md.
# test mode also installs a software Vulkan device (Mesa's lavapipe, ≥ 24, and the Vulkan loader) so the suite runs
# the WebGPU path on the CPU (docs/gpu.md): Debian 12's own Mesa 22.3 is rejected by Dawn, so there it comes from
# bookworm-backports (the suite is added to apt's sources once); elsewhere from the distribution.
# Usage: bash scripts/setup-system.sh [main|test|check]   (check: only report, never install)
#   LEDGERLAB_SETUP_PM=apt|brew|dnf|pacman|apk|zypper|none overrides the package-manager detection.
set -euo pipefail
mode="${1:-test}"

detect_pm() {
  if [ -n "${LEDGERLAB_SETUP_PM:-}" ]; then echo "$LEDGERLAB_SETUP_PM"; return; fi
  if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then echo apt; return; fi
  if [ "$(uname -s)" = Darwin ]; then echo brew; return; fi
  for pm in dnf pacman apk zypper; do
    if command -v "$pm" >/dev/null 2>&1; then echo "$pm"; return; fi
  done
  echo none
}
pm="$(detect_pm)"

# ---- Debian: lavapipe (Mesa ≥ 24) and the Vulkan loader, for the WebGPU tests ------------------------------
mesa_vulkan_ok() {
  local v
  v="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
  [ -n "$v" ] && dpkg --compare-versions "$v" ge 24 && dpkg-query -W -f='${Status}' libvulkan1 2>/dev/null | grep -q "install ok installed"
}
# bookworm's own Mesa is 22.3; the suite is added only when no apt source names it yet (idempotent).
add_bookworm_backports() {
  grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/ && return 0
  printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: bookworm-backports' 'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' > /etc/apt/sources.list.d/bookworm-backports.sources
}
install_software_vulkan() {
  mesa_vulkan_ok && return 0
  local codename target=()
  codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
  [ "$codename" = bookworm ] && target=(-t bookworm-backports)
  if [ "$(id -u)" -ne 0 ]; then
    [ "$codename" = bookworm ] && echo "setup-system: add the bookworm-backports suite to apt's sources, then:" >&2
    echo "setup-system: not root; run: sudo apt-get update && sudo apt-get install -y ${target[*]} mesa-vulkan-drivers libvulkan1" >&2
    exit 1
  fi
  echo "setup-system: installing Mesa's lavapipe and the Vulkan loader ${target[*]}" >&2
  [ "$codename" = bookworm ] && add_bookworm_backports
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${target[@]}" mesa-vulkan-drivers libvulkan1 >/dev/null
  mesa_vulkan_ok && return 0
  echo "setup-system: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) is older than 24; Dawn rejects its lavapipe" >&2
  exit 1
}

# ---- Debian: the package list, installed with apt -------------------------------------------------------
if [ "$pm" = apt ]; then
  [ "$mode" = test ] && install_software_vulkan
  packages=(jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client
            chromium poppler-utils fonts-dejavu-core fonts-noto-cjk redis-server)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
  if [ "$mode" = check ]; then
    echo "setup-system: missing Debian packages: ${missing[*]}" >&2
    echo "setup-system: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-system: installing Debian packages: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-system: not root; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  echo "setup-system: done" >&2
  exit 0
fi

# ---- elsewhere: find the tools, say what to install -----------------------------------------------------
jupyter_ok() { [ -n "$1" ] && "$1" -c 'import nbclient, nbformat' >/dev/null 2>&1; }
find_jupyter_python() {
  if [ -n "${LEDGERLAB_JUPYTER_PYTHON:-}" ]; then
    jupyter_ok "$LEDGERLAB_JUPYTER_PYTHON" && echo "$LEDGERLAB_JUPYTER_PYTHON"
    return 0
  fi
  local j py
  if j="$(command -v jupyter 2>/dev/null)"; then
    py="$(head -n1 "$j" | sed -n 's/^#![[:space:]]*//p' | awk '{ if ($1 ~ /\/env$/) print $2; else print $1 }')"
    case "$py" in /*) ;; ?*) py="$(command -v "$py" 2>/dev/null || true)" ;; esac
    if jupyter_ok "$py"; then echo "$py"; return 0; fi
  fi
  for py in /usr/bin/python3 "$(command -v python3 2>/dev/null || true)"; do
    if jupyter_ok "$py"; then echo "$py"; return 0; fi
  done
  return 0
}
find_chromium() {
  if [ -n "${LEDGERLAB_CHROMIUM:-}" ]; then
    if [ -x "$LEDGERLAB_CHROMIUM" ]; then echo "$LEDGERLAB_CHROMIUM"; else command -v "$LEDGERLAB_CHROMIUM" 2>/dev/null || true; fi
    return 0
  fi
  local n
  for n in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$n" >/dev/null 2>&1; then command -v "$n"; return 0; fi
  done
  for n in "/Applications/Chromium.app/Contents/MacOS/Chromium" "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"; do
    if [ -x "$n" ]; then echo "$n"; return 0; fi
  done
  return 0
}
# A font by family name (fontconfig), else by file name in the usual font folders (macOS has no fc-list).
# grep without -q: with pipefail, -q would stop reading early and fail the pipeline with SIGPIPE.
has_font() {
  if command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -i "$1" >/dev/null; then return 0; fi
  local file="${1// /}" d
  for d in /usr/share/fonts /usr/local/share/fonts "$HOME/.local/share/fonts" "$HOME/.fonts" /Library/Fonts "$HOME/Library/Fonts" /System/Library/Fonts; do
    [ -d "$d" ] && find "$d" -iname "${file}*" 2>/dev/null | grep . >/dev/null && return 0
  done
  return 1
}

# What to install, per package manager: jupyter chromium poppler fonts.
case "$pm" in
  brew)   how_jupyter="brew install jupyterlab"
          how_chromium="brew install --cask chromium   (or: brew install --cask google-chrome)"
          how_poppler="brew install poppler"
          how_fonts="brew install fontconfig && brew install --cask font-dejavu font-noto-sans-cjk-sc"
          how_redis="brew install redis"
          how_lavapipe="" ;;
  dnf)    how_jupyter="sudo dnf install -y python3-notebook python3-nbconvert python3-nbclient python3-ipykernel"
          how_chromium="sudo dnf install -y chromium"
          how_poppler="sudo dnf install -y poppler-utils"
          how_fonts="sudo dnf install -y fontconfig dejavu-sans-fonts google-noto-sans-cjk-fonts"
          how_redis="sudo dnf install -y redis"
          how_lavapipe="sudo dnf install -y mesa-vulkan-drivers vulkan-loader" ;;
  pacman) how_jupyter="sudo pacman -S --needed jupyter-notebook jupyter-nbconvert python-nbclient python-ipykernel"
          how_chromium="sudo pacman -S --needed chromium"
          how_poppler="sudo pacman -S --needed poppler"
          how_fonts="sudo pacman -S --needed fontconfig ttf-dejavu noto-fonts-cjk"
          how_redis="sudo pacman -S --needed redis   (or valkey)"
          how_lavapipe="sudo pacman -S --needed vulkan-swrast vulkan-icd-loader" ;;
  zypper) how_jupyter="sudo zypper install -y python3-notebook python3-nbconvert python3-nbclient python3-ipykernel"
          how_chromium="sudo zypper install -y chromium"
          how_poppler="sudo zypper install -y poppler-tools"
          how_fonts="sudo zypper install -y fontconfig dejavu-fonts noto-sans-cjk-fonts"
          how_redis="sudo zypper install -y redis"
          how_lavapipe="sudo zypper install -y libvulkan_lvp libvulkan1" ;;
  apk)    how_jupyter="apk add python3 && python3 -m venv ~/.venvs/jupyter && ~/.venvs/jupyter/bin/pip install nbclient nbformat nbconvert ipykernel && export LEDGERLAB_JUPYTER_PYTHON=~/.venvs/jupyter/bin/python"
          how_chromium="apk add chromium"
          how_poppler="apk add poppler-utils"
          how_fonts="apk add fontconfig font-dejavu font-noto-cjk"
          how_redis="apk add redis"
          how_lavapipe="apk add mesa-vulkan-swrast vulkan-loader" ;;
  *)      how_jupyter="python3 -m venv ~/.venvs/jupyter && ~/.venvs/jupyter/bin/pip install nbclient nbformat nbconvert ipykernel && export LEDGERLAB_JUPYTER_PYTHON=~/.venvs/jupyter/bin/python"
          how_chromium="install Chromium or Google Chrome, then export LEDGERLAB_CHROMIUM=/path/to/chrome"
          how_poppler="install poppler (its pdftoppm command)"
          how_fonts="install the DejaVu and Noto Sans CJK fonts (and fontconfig's fc-list)"
          how_redis="install Redis (its redis-server command)"
          how_lavapipe="install Mesa (>= 24) with its lavapipe Vulkan driver and the Vulkan loader (libvulkan.so.1)" ;;
esac

problems=()
py="$(find_jupyter_python)"
if [ -z "$py" ]; then
  if [ -n "${LEDGERLAB_JUPYTER_PYTHON:-}" ]; then problems+=("Jupyter: LEDGERLAB_JUPYTER_PYTHON=$LEDGERLAB_JUPYTER_PYTHON cannot import nbclient, nbformat; fix it or unset it")
  else problems+=("Jupyter (nbclient):  $how_jupyter"); fi
fi
chrome="$(find_chromium)"
if [ -z "$chrome" ]; then
  if [ -n "${LEDGERLAB_CHROMIUM:-}" ]; then problems+=("Chromium: LEDGERLAB_CHROMIUM=$LEDGERLAB_CHROMIUM is not an executable; fix it or unset it")
  else problems+=("Chromium or Chrome:  $how_chromium   (or set LEDGERLAB_CHROMIUM=/path/to/chrome)"); fi
fi
command -v pdftoppm >/dev/null 2>&1 || problems+=("poppler (pdftoppm):  $how_poppler")
command -v redis-server >/dev/null 2>&1 || problems+=("Redis (redis-server):  $how_redis")
if ! has_font "DejaVu Sans" || ! has_font "Noto Sans CJK"; then problems+=("fonts (DejaVu Sans, Noto Sans CJK):  $how_fonts"); fi
# The WebGPU tests' software Vulkan device (Linux; macOS has Metal): lavapipe's driver manifest and the loader.
if [ "$mode" = test ] && [ "$(uname -s)" = Linux ] && [ -n "$how_lavapipe" ]; then
  if ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || ! ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null; then
    problems+=("Mesa's lavapipe (>= 24) and the Vulkan loader:  $how_lavapipe")
  fi
fi

if [ ${#problems[@]} -eq 0 ]; then
  [ "$mode" = check ] && echo "setup-system: ok ($pm): Jupyter python $py, Chromium $chrome" >&2
  exit 0
fi
echo "setup-system: missing on this machine (package manager: $pm); install with:" >&2
for p in "${problems[@]}"; do echo "  $p" >&2; done
echo "setup-system: then rerun: bash scripts/setup-system.sh (docs/setup.md has the details)" >&2
exit 1
