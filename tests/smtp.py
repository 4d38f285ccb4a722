"""A real SMTP server for the tests (aiosmtpd on loopback), which can be down, up, or refuse
chosen recipients with a permanent 550."""

import socket
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every mail accepted; answers 550 for the addresses in `refuse`."""

    def __init__(self):
        self.received = []  # raw bytes of each mail, in order
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope.content)
        return "250 Message accepted for delivery"

    def mails(self):
        return [message_from_bytes(raw, policy=policy.default) for raw in self.received]


class SmtpServer:
    """start()/stop() at will on one fixed port, so the app's MAIL_PORT stays right."""

    def __init__(self):
        self.port = free_port()
        self.handler = Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def use_in(self, app):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port, MAIL_USE_TLS=False)
