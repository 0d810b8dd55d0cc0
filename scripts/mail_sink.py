"""A Maildir-style handler for aiosmtpd: every accepted message, whole.

Used by scripts/smtp.sh and the tests' SMTP server (tests/support/smtp_server.h):

    python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c mail_sink.Maildir DIR

(with this directory on PYTHONPATH). Each message the server accepts is
written, exactly as it arrived (headers and body, CRLF line ends, after SMTP's
dot-unstuffing), to DIR/tmp/NAME and then renamed to DIR/new/NAME, so a reader
of DIR/new never sees half a message. NAME is unique ("<ns>.P<pid>Q<n>.mail")
and sorts by arrival. aiosmtpd's own Mailbox handler would re-serialise the
message and add headers; this one keeps the bytes.

ScriptedMaildir (the tests' server) also answers a recipient whose local part
is "reply-NNN" or starts with "reply-NNN-" with that 4xx or 5xx code, so a
test can see a server defer or refuse a message.
"""

import itertools
import os
import re
import time

__all__ = ["Maildir", "ScriptedMaildir"]


class Maildir:
    def __init__(self, directory):
        self.directory = os.path.abspath(directory)
        self.counter = itertools.count(1)
        for sub in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(self.directory, sub), mode=0o750, exist_ok=True)

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("mail_sink.Maildir takes one argument: the mail directory")
        return cls(args[0])

    def store(self, data):
        name = "%d.P%dQ%d.mail" % (time.time_ns(), os.getpid(), next(self.counter))
        tmp = os.path.join(self.directory, "tmp", name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, os.path.join(self.directory, "new", name))
        return name

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content
        if data is None:
            data = envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", errors="surrogateescape")
        try:
            name = self.store(data)
        except OSError as error:
            print("mail_sink: could not store a message: %s" % error, flush=True)
            return "451 4.3.0 Could not store the message"
        print("mail_sink: stored %s (%d bytes, to %d recipient(s))"
              % (name, len(data), len(envelope.rcpt_tos)), flush=True)
        return "250 2.0.0 Stored as %s" % name


class ScriptedMaildir(Maildir):
    SCRIPTED = re.compile(r"^reply-([45][0-9][0-9])(?:-|@)")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        match = self.SCRIPTED.match(address)
        if match:
            return "%s Scripted reply for %s" % (match.group(1), address)
        envelope.rcpt_tos.append(address)
        return "250 OK"
