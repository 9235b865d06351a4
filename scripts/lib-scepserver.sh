#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sourced helpers: start and stop a throw-away micromdm scepserver on a random loopback port.
# scepserver binds every interface (it has no address flag); we only ever talk to 127.0.0.1.

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_scepserver WORKDIR CHALLENGE -> sets SCEP_URL, SCEP_PID, SCEP_DEPOT
start_scepserver() {
    local dir="$1" challenge="$2" port
    SCEP_DEPOT="$dir/depot"
    scepserver ca -init -depot "$SCEP_DEPOT" >"$dir/ca-init.log" 2>&1
    for _ in 1 2 3 4 5; do
        port="$(free_port)"
        scepserver -depot "$SCEP_DEPOT" -port "$port" -challenge "$challenge" -allowrenew 0 >"$dir/scepserver.log" 2>&1 &
        SCEP_PID=$!
        for _ in $(seq 1 50); do
            if curl -fsS "http://127.0.0.1:$port/scep?operation=GetCACaps" >/dev/null 2>&1; then
                SCEP_URL="http://127.0.0.1:$port/scep"
                return 0
            fi
            kill -0 "$SCEP_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill "$SCEP_PID" 2>/dev/null || true
    done
    echo "scepserver did not start; see $dir/scepserver.log" >&2
    return 1
}

stop_scepserver() {
    if [ -n "${SCEP_PID:-}" ]; then
        kill "$SCEP_PID" 2>/dev/null || true
        wait "$SCEP_PID" 2>/dev/null || true
    fi
}
