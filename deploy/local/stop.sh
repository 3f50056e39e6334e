#!/bin/sh
# Stops what deploy/local/start.sh RUN_DIR started.
set -u
RUN_DIR=${1:?usage: stop.sh RUN_DIR}
for PID_FILE in "$RUN_DIR"/*.pid; do
    [ -f "$PID_FILE" ] || continue
    kill "$(cat "$PID_FILE")" 2>/dev/null
    rm -f "$PID_FILE"
done
