#!/usr/bin/env python3
"""smtp_sink.py PORT DIR [FAIL-FIRST] - an SMTP sink for the tests
(python3-aiosmtpd): each message is saved as DIR/N.eml with the envelope
in DIR/N.json.  With FAIL-FIRST=N the first N DATA commands are answered
451 (a transient failure: the client must try again)."""
import asyncio
import json
import os
import sys

from aiosmtpd.controller import Controller

port, outdir = int(sys.argv[1]), sys.argv[2]
fail_first = [int(sys.argv[3]) if len(sys.argv) > 3 else 0]
count = [0]


class Sink:
    async def handle_DATA(self, server, session, envelope):
        if fail_first[0] > 0:
            fail_first[0] -= 1
            with open(os.path.join(outdir, "refused.log"), "a") as f:
                f.write("451\n")
            return "451 4.3.0 try again later"
        n = count[0]
        count[0] += 1
        with open(os.path.join(outdir, f"{n}.eml"), "wb") as f:
            f.write(envelope.original_content)
        with open(os.path.join(outdir, f"{n}.json"), "w") as f:
            json.dump({"from": envelope.mail_from,
                       "to": envelope.rcpt_tos}, f)
        return "250 OK"


c = Controller(Sink(), hostname="127.0.0.1", port=port)
c.start()
try:
    asyncio.new_event_loop().run_forever()
finally:
    c.stop()
