# Python 3.14 for machines that do not have it: a Debian unstable ("sid") root file
# system, made once with debootstrap and cached outside the clone, in which commands
# run through chroot with this repository at the same path as outside.
# Sourced by lib.sh. Needs root (debootstrap, unshare, chroot).
# shellcheck shell=bash

# Where the root file system is kept; a second run (or a fresh clone) reuses it.
ROOTFS="${RETROWALK_ROOTFS:-/var/cache/retrowalk/rootfs-sid}"
# What goes into it. Changing this list installs the difference on the next run.
# gcc/g++ and python3.14-dev build the few packages of the live server that have no
# Python 3.14 wheel; tzdata gives Home Assistant its time zones.
ROOTFS_PACKAGES=(python3.14 python3.14-venv python3.14-dev gcc g++ tzdata)

# The host's CA bundle: pip and uv inside use it, so that a proxy or private CA the
# host trusts is trusted inside too.
host_ca_bundle() {
  local bundle
  for bundle in "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
    [ -n "$bundle" ] && [ -f "$bundle" ] && echo "$bundle" && return 0
  done
  return 1
}

# rootfs_argv COMMAND...: sets ROOTFS_ARGV to the command line that runs COMMAND in the
# root file system, in the current folder (run it, or exec it so that signals reach
# COMMAND itself: every step of it execs the next).
# Commands in the root file system see: their own /proc, /sys and /dev (the host's),
# the host's /tmp (so temporary folders are shared) and this repository at its own path.
# The mounts live in a private mount namespace (unshare), so they vanish when the
# command ends: nothing to clean up, nothing to re-do after a reboot, and runs from
# several clones at once do not meet.
rootfs_argv() {
  local pass=() name dir="$PWD"
  # The current folder, if the root file system sees it; else the repository.
  case "$dir/" in "$ROOT/"*|/tmp/*) ;; *) dir="$ROOT" ;; esac
  # Only these variables cross into the root file system; the rest of the host's
  # environment (paths to its pip configuration, its PATH) means nothing there.
  for name in $(compgen -e); do
    case "$name" in
      PYTHONPATH|PYTHONUNBUFFERED|PYTHONDONTWRITEBYTECODE|TERM|COLUMNS|CI|UV_*|RETROWALK_*)
        pass+=("$name=${!name}") ;;
    esac
  done
  # shellcheck disable=SC2016 # expanded by the inner shell
  ROOTFS_ARGV=(unshare --mount --propagation private -- /bin/sh -c '
    set -e
    rootfs="$1" repo="$2"; shift 2
    mount --rbind /proc "$rootfs/proc"
    mount --rbind /sys "$rootfs/sys"
    mount --rbind /dev "$rootfs/dev"
    mount --bind /tmp "$rootfs/tmp"
    mkdir -p "$rootfs$repo"
    mount --bind "$repo" "$rootfs$repo"
    exec chroot "$rootfs" "$@"
  ' rootfs "$ROOTFS" "$ROOT"
    /usr/bin/env -i --chdir="$dir" HOME=/root LANG=C.UTF-8
    PATH=/opt/tools/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    SSL_CERT_FILE=/etc/ssl/certs/host-ca-bundle.crt PIP_CERT=/etc/ssl/certs/host-ca-bundle.crt
    "${pass[@]}" "$@")
}

# in_rootfs COMMAND...: run COMMAND in the root file system (see rootfs_argv).
in_rootfs() {
  rootfs_argv "$@"
  "${ROOTFS_ARGV[@]}"
}

# Unmount whatever a manual setup may have left mounted below a root file system
# (a reboot or a previous recipe), so that removing it cannot touch the host's /dev.
unmount_below() {
  local target
  findmnt -rn -o TARGET | { grep -F "$1/" || true; } | sort -r | while read -r target; do
    umount -l "$target"
  done
}

# ensure_rootfs: make the root file system unless it is complete, then bring it up to
# date (packages added to ROOTFS_PACKAGES, the host's DNS and CA bundle).
# A build happens in ROOTFS.partial and is renamed only when complete: a build that was
# interrupted is found there (or as a ROOTFS without its stamp) and started over.
ensure_rootfs() {
  [ "$(id -u)" = 0 ] || die "Python 3.14.2+ is not installed and making it in a root file system needs root: install Python 3.14, or run as root."
  local stamp="$ROOTFS/.retrowalk-rootfs" partial="$ROOTFS.partial" bundle lock
  mkdir -p "$(dirname "$ROOTFS")"
  # One build at a time, across clones.
  exec {lock}>"$ROOTFS.lock"
  flock "$lock"
  if [ -d "$ROOTFS" ] && [ ! -f "$stamp" ]; then
    log "$ROOTFS is incomplete: making it again"
    unmount_below "$ROOTFS"
    rm -rf --one-file-system "$ROOTFS"
  fi
  if [ ! -d "$ROOTFS" ]; then
    if [ -e "$partial" ]; then
      unmount_below "$partial"
      rm -rf --one-file-system "$partial"
    fi
    command -v debootstrap >/dev/null \
      || { log "Installing debootstrap"; apt-get install -y -qq debootstrap >/dev/null; }
    log "Making a Debian unstable root file system for Python 3.14 in $ROOTFS (a few minutes, once)"
    debootstrap --variant=minbase --include=ca-certificates sid "$partial" >"$partial.log" 2>&1 \
      || die "debootstrap failed; see $partial.log"
    # Debian's mirrors may serve a Release file that is past its Valid-Until date.
    echo 'Acquire::Check-Valid-Until "false";' >"$partial/etc/apt/apt.conf.d/99retrowalk"
    : >"$partial/$(basename "$stamp")" # complete; the packages follow below
    mv "$partial" "$ROOTFS"
    rm -f "$partial.log"
  fi
  # The host's name servers and CA bundle, as they are today.
  cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
  bundle="$(host_ca_bundle)" || die "No CA bundle found on this machine"
  cmp -s "$bundle" "$ROOTFS/etc/ssl/certs/host-ca-bundle.crt" \
    || cp "$bundle" "$ROOTFS/etc/ssl/certs/host-ca-bundle.crt"
  local wanted="${ROOTFS_PACKAGES[*]} uv==$UV_VERSION"
  if [ "$(cat "$stamp")" != "$wanted" ]; then
    log "Installing ${ROOTFS_PACKAGES[*]} and uv $UV_VERSION in the root file system"
    in_rootfs env DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' \
      apt "${ROOTFS_PACKAGES[@]}" >/dev/null
    in_rootfs sh -c "[ -x /opt/tools/bin/python ] || python3.14 -m venv /opt/tools; /opt/tools/bin/pip install --quiet --disable-pip-version-check uv==$UV_VERSION" >&2
    echo "$wanted" >"$stamp"
  fi
  exec {lock}>&-
}
