#!/usr/bin/env bash
# Installs every Debian 12 package Koe needs to build, run and test.
# Idempotent and non-interactive; safe to run again. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev
  # required libraries
  portaudio19-dev libopus-dev libsodium-dev libenet-dev libimgui-dev libglfw3-dev
  libgl-dev libcli11-dev nlohmann-json3-dev libspeexdsp-dev libwebrtc-audio-processing-dev
  # fonts that show Latin and Japanese names in the app
  fonts-noto-cjk
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # GUI tests, NAT lab, audio lab
  xvfb xauth nftables iproute2 conntrack procps jq
  pipewire pipewire-alsa pipewire-pulse wireplumber dbus
  espeak-ng sox libfftw3-dev
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
