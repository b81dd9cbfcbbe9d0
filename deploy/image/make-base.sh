#!/usr/bin/env bash
# Makes a Debian bookworm base image from Debian's packages alone (no registry): mmdebstrap builds a root file
# system with apt, ca-certificates (and through it libssl3) and libzstd1, and podman imports it as
#   localhost/tsdb-base:bookworm
# Build the tsdb image on it with --build-arg BASE=localhost/tsdb-base:bookworm. Where a registry is reachable,
# debian:bookworm-slim (the Dockerfile's default) does the same job.
#
#   deploy/image/make-base.sh [IMAGE_NAME]        (as root; installs mmdebstrap and podman from apt if missing)
set -euo pipefail
name=${1:-localhost/tsdb-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v podman >/dev/null || need+=(podman)
if [ ${#need[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -q
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${need[@]}"
fi

tar=$(mktemp --suffix=.tar)
trap 'rm -f "$tar"' EXIT
# variant apt: the Essential packages plus apt (bash, coreutils, grep, passwd's useradd are among them).
# Documentation, man pages and translations are left out of the image.
mmdebstrap --variant=apt --include=ca-certificates,libzstd1 \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
  bookworm "$tar" "$mirror"
podman import --change 'CMD ["/bin/bash"]' "$tar" "$name"
podman image ls "$name"
