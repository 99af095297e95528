#!/usr/bin/env bash
# Device check, for a machine with a GPU: installs what the GPU path needs (npm packages from the lockfile; the
# Vulkan loader from apt where a GPU device node exists), then runs scripts/device-check.ts: finds the GPU backend
# (tfjs-node-gpu if usable, else WebGPU on Dawn), checks its parity with wasm on the reference models (logits; a
# LoRA step's loss and gradients), runs `bench train` for every method at sizes s and l on it, and writes one JSON
# summary (backend, adapter, per-test pass/fail, tokens/s) to OUT.json. Unattended, under 8 minutes.
#
#   bash scripts/device-check.sh OUT.json
#
# Exit: 0 every test passed · 1 a step failed (it says which) · 2 usage · 3 no GPU adapter (the summary says why).
set -uo pipefail
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: bash scripts/device-check.sh OUT.json" >&2
  exit 2
fi
out=$1
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
cd "$(dirname "$0")/.."
stage=""
trap 'rc=$?; [ $rc -ne 0 ] && [ $rc -ne 3 ] && echo "device-check: stopped at step \"$stage\" (exit $rc)" >&2' EXIT

stage="install npm packages"
if [ ! -x node_modules/.bin/node ]; then
  echo "device-check: installing npm packages (npm ci)" >&2
  npm ci || exit 1
fi

stage="install the Vulkan loader"
# Said whether or not the loader is there (the test setup installs it for lavapipe): without a device node no
# hardware driver can run, so there is nothing to install for a GPU.
if [ "$(uname -s)" = Linux ] && ! ls /dev/dri/renderD* /dev/nvidia0 /dev/dxg >/dev/null 2>&1; then
  echo "device-check: no GPU device node (/dev/dri/renderD*, /dev/nvidia0, /dev/dxg): nothing to install for a GPU" >&2
elif [ "$(uname -s)" = Linux ] && ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "device-check: installing libvulkan1 (the Vulkan loader Dawn needs)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvulkan1 >/dev/null || exit 1
  else
    echo "device-check: the Vulkan loader libvulkan.so.1 is missing; install it (apt: libvulkan1, dnf: vulkan-loader, pacman: vulkan-icd-loader) with your GPU's Vulkan driver" >&2
  fi
fi

stage="run the checks"
node_modules/.bin/node scripts/device-check.ts "$out"
