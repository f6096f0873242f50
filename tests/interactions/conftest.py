"""Real servers for the communications tests: an SMTP server (aiosmtpd), an SMS gateway
(http.server) and a minimal IMAP4rev1 server (socketserver), each started by the test on a
free local port."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.sales.conftest import (  # noqa: F401 - the sales fixtures deals and quotes need
    customer_with_email,
    make_deal,
    pipeline,
    price_list,
    products,
    stages,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpInbox:
    """What the SMTP server received; ``replies`` makes the next DATA commands fail."""

    messages: list[EmailMessage] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.replies:
            return self.replies.pop(0)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpInbox]:
    inbox = SmtpInbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass
class Gateway:
    """A fake SMS gateway that keeps what it was sent and honours Idempotency-Key."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give before 200s
    seen_keys: set[str] = field(default_factory=set)
    duplicates: int = 0


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.headers.append(dict(self.headers.items()))
            if state.statuses:
                status = state.statuses.pop(0)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b'{"error": "try later"}')
                return
            key = self.headers.get("Idempotency-Key", "")
            if key in state.seen_keys:
                state.duplicates += 1
            else:
                state.seen_keys.add(key)
                state.received.append(json.loads(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"id": f"gw-{len(state.received)}"}).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.PEYVAND_SMS_BACKEND = "http"
    settings.PEYVAND_SMS_URL = state.url
    settings.PEYVAND_SMS_API_KEY = "gateway-key"
    settings.PEYVAND_SMS_SENDER = "+98100020003000"
    settings.PEYVAND_SMS_TIMEOUT = 5
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def customer(make_person: Any) -> Any:
    """A person with an email address and a mobile number, owned by ``sales``."""
    return make_person(
        first_name="مریم",
        last_name="احمدی",
        contacts=[
            {"kind": "email", "value": "maryam@example.com"},
            {"kind": "phone", "value": "09121234567"},
            {"kind": "phone", "value": "02188776655"},
        ],
    )


@pytest.fixture
def as_user(client: Any, users: dict[str, Any]) -> Any:
    def login(name: str) -> Any:
        client.force_login(users[name])
        return client

    return login


# --- a real (minimal) IMAP4rev1 server ------------------------------------------------------


@dataclass
class ImapBox:
    """The mailbox the IMAP server serves: uid → [raw message, flags]; what clients did."""

    messages: dict[int, list[Any]] = field(default_factory=dict)
    user: str = "inbox@peyvand.example"
    password: str = "imap-secret"
    port: int = 0
    commands: list[str] = field(default_factory=list)
    silent: bool = False  # accept connections but never answer (a server that hangs)

    def add(self, uid: int, raw: bytes) -> None:
        self.messages[uid] = [raw, set()]


class _ImapHandler(socketserver.StreamRequestHandler):
    """Just the commands imaplib and the inbox reader use, spoken over a real socket."""

    box: ImapBox

    def handle(self) -> None:
        box = self.box
        if box.silent:
            self.request.recv(1)  # until the client gives up and closes
            return
        self.send(b"* OK [CAPABILITY IMAP4rev1] test server ready")
        selected = False
        while line := self.rfile.readline():
            tag, _space, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _space, args = rest.partition(" ")
            command = command.upper()
            box.commands.append(f"{command} {args}".strip())
            if command == "CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                user, password = (part.strip('"') for part in args.split(" ", 1))
                if (user, password) != (box.user, box.password):
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials".encode())
                    continue
            elif command == "SELECT":
                selected = True
                self.send(f"* {len(box.messages)} EXISTS".encode())
                self.send(b"* FLAGS (\\Seen \\Flagged)")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed".encode())
                continue
            elif command == "UID" and selected:
                self.uid(tag, args)
                continue
            elif command == "LOGOUT":
                self.send(b"* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed".encode())
                return
            elif command != "NOOP":
                self.send(f"{tag} BAD unknown command".encode())
                continue
            self.send(f"{tag} OK {command} completed".encode())

    def uid(self, tag: str, args: str) -> None:
        box = self.box
        sub, _space, rest = args.partition(" ")
        sub = sub.upper()
        if sub == "SEARCH" and rest.upper() == "UNSEEN":
            unseen = [
                str(uid) for uid, (_raw, flags) in sorted(box.messages.items()) if "\\Seen" not in flags
            ]
            self.send(("* SEARCH " + " ".join(unseen)).strip().encode())
        elif sub == "FETCH":
            uid_text, _space, what = rest.partition(" ")
            raw, flags = box.messages[int(uid_text)]
            if "PEEK" not in what.upper():
                flags.add("\\Seen")  # a plain BODY[] marks it read, as a real server does
            seq = sorted(box.messages).index(int(uid_text)) + 1
            self.wfile.write(b"* %d FETCH (UID %s BODY[] {%d}\r\n" % (seq, uid_text.encode(), len(raw)))
            self.wfile.write(raw + b")\r\n")
        elif sub == "STORE":
            uid_text, _op, flag_list = rest.split(" ", 2)
            box.messages[int(uid_text)][1].update(flag_list.strip("()").split())
        else:
            self.send(f"{tag} BAD unknown UID command".encode())
            return
        self.send(f"{tag} OK UID {sub} completed".encode())

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")


@pytest.fixture
def imap(settings: Any) -> Iterator[ImapBox]:
    box = ImapBox()
    handler = type("Handler", (_ImapHandler,), {"box": box})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    box.port = server.server_address[1]
    settings.PEYVAND_IMAP_HOST, settings.PEYVAND_IMAP_PORT = "127.0.0.1", box.port
    settings.PEYVAND_IMAP_USER, settings.PEYVAND_IMAP_PASSWORD = box.user, box.password
    settings.PEYVAND_IMAP_SSL, settings.PEYVAND_IMAP_FOLDER = False, "INBOX"
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
