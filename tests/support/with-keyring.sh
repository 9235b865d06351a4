#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs a command inside a private D-Bus session with an unlocked GNOME Keyring (Secret Service), in a
# throw-away home, so QtKeychain is tested for real without a desktop (DESIGN.md's recipe). The keyring's
# own password is a fixed test value: this keyring lives for one test run only.
exec dbus-run-session -- sh -c '
    tmp="$(mktemp -d)"
    export HOME="$tmp" XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" XDG_CONFIG_HOME="$tmp/config"
    mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME"
    chmod 700 "$XDG_RUNTIME_DIR"
    printf "%s" "throw-away-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    "$@"; rc=$?
    rm -rf "$tmp"
    exit $rc' sh "$@"
