#!/bin/sh
# The deployment's topology on one machine, for trying it and for the test that runs it
# (tests/browser/test_deploy_two_hosts.py): migrations once, two gunicorn hosts on two ports, `tandem tick` on a loop.
# Needs TANDEM_DATABASE_URL (PostgreSQL) and the other settings of tandem.env in the environment.
#   deploy/local/start.sh RUN_DIR [PORT_A] [PORT_B] [TICK_SECONDS]
# Writes RUN_DIR/*.pid and RUN_DIR/*.log; deploy/local/stop.sh RUN_DIR stops everything.
set -eu
RUN_DIR=${1:?usage: start.sh RUN_DIR [PORT_A] [PORT_B] [TICK_SECONDS]}
PORT_A=${2:-8000}
PORT_B=${3:-8001}
TICK_SECONDS=${4:-60}
BIN=${TANDEM_BIN:-$(dirname "$0")/../../.venv/bin}
WORKERS=${TANDEM_WORKERS:-4}
mkdir -p "$RUN_DIR"

"$BIN/tandem" db upgrade > "$RUN_DIR/migrate.log" 2>&1      # once, before any worker starts
for PORT in "$PORT_A" "$PORT_B"; do
    "$BIN/gunicorn" -c python:webapp.gunicorn_conf --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
        --pid "$RUN_DIR/web-$PORT.pid" --daemon --error-logfile "$RUN_DIR/web-$PORT.log" "webapp:create_app()"
done
nohup sh -c "while true; do '$BIN/tandem' tick; sleep $TICK_SECONDS; done" > "$RUN_DIR/tick.log" 2>&1 &
echo $! > "$RUN_DIR/tick.pid"
echo "Tandem on http://127.0.0.1:$PORT_A and http://127.0.0.1:$PORT_B; tick every ${TICK_SECONDS}s; logs in $RUN_DIR"
