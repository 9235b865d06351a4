#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes an ndes-lab log a realistic mix of NDES events, as a bad morning would: enrollments that pass, a template
# the CA refuses (31), expired RA certificates (10), a helpdesk account without Enroll (6), a wrong challenge
# password (29), a device sending garbage (17).
# Usage: lab-traffic.sh BASE_URL NDESCTL USER [GUEST]  (their password in NDES_LAB_PASSWORD)
set -uo pipefail
base="$1"; ndesctl="$2"; user="$3"; guest="${4:-}"
scep="$base/certsrv/mscep/mscep.dll"
admin="$base/certsrv/mscep_admin/"
fault() { curl -s -X POST "$base/ndes-lab/control/fault?set=$1" >/dev/null; }
# The password goes to curl on stdin as a config line (-K -), never on its command line, where ps shows it.
curl_user_config() { # USER:PASSWORD -> curl's `user = "..."`, with \ and " escaped
    local s="${1//\\/\\\\}"
    s="${s//\"/\\\"}"
    printf 'user = "%s"\n' "$s"
}
enroll_test() {
    "$ndesctl" test --url "$scep" --admin-url "$admin" --user "$user" --password-env NDES_LAB_PASSWORD --allow-http \
        --json >/dev/null 2>&1
}
enroll_test
fault template-missing; enroll_test; enroll_test
fault ra-expired; enroll_test
fault none; enroll_test
if [ -n "$guest" ]; then
    curl_user_config "$guest:$NDES_LAB_PASSWORD" | curl -s --ntlm -K - "$admin" >/dev/null
fi
curl -s -X POST --data-binary "not a PKCS#7 message" "$scep?operation=PKIOperation" >/dev/null
NDES_LAB_CHALLENGE="0123456789ABCDEF" "$ndesctl" enroll --url "$scep" --subject "CN=printer-7" \
    --key-out /dev/null --cert-out /dev/null --challenge-env NDES_LAB_CHALLENGE >/dev/null 2>&1
fault template-missing; enroll_test
fault none
exit 0
