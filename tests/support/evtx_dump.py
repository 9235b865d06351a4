#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# The reference reading of an EVTX file by python-evtx (Debian python3-evtx; it imports only under /usr/bin/python3):
# one JSON object per allocated record with the fields NDES Console's reader is checked against.
import json
import re
import sys

import Evtx.Evtx as evtx

with evtx.Evtx(sys.argv[1]) as log:
    for record in log.records():
        xml = record.xml()
        event_id = re.search(r"<EventID[^>]*>(\d+)</EventID>", xml)
        provider = re.search(r'<Provider Name="([^"]*)"', xml)
        computer = re.search(r"<Computer>([^<]*)</Computer>", xml)
        print(json.dumps({
            "record": record.record_num(),
            "time": record.timestamp().strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "id": int(event_id.group(1)) if event_id else -1,
            "provider": provider.group(1) if provider else "",
            "computer": computer.group(1) if computer else "",
        }))
