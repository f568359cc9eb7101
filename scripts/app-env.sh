#!/usr/bin/env bash
# Sourced by run-app.sh (and the upload test): where the server may spool uploads.
# The web server spools an upload larger than 1 MB to a temporary file; a cohort upload is patient data, so it
# must never reach a persistent disk. Point the server's temporary directory at memory (/dev/shm, a tmpfs on
# Linux) when there is one; SPINE_TMPDIR overrides it.
if [ -n "${SPINE_TMPDIR:-}" ]; then
  export TMPDIR="$SPINE_TMPDIR"
elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR="/dev/shm/spine-pathway-$(id -u)"
  mkdir -p -m 700 "$TMPDIR"
fi
