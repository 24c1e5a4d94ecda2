"""Sending a text to a phone: pluggable, like Django's e-mail backends.

``SELLERS_MESSAGE_BACKEND`` names the class. Development prints to the console or appends to a
file; tests keep messages in memory. A gateway (an SMS provider, Zalo ZNS) is one more subclass
of ``MessageBackend`` whose ``send`` calls the provider's API (with ``timeout``); nothing else changes.

Texts are sent by the ``messages`` queue's worker (ground/tasks.py), never in a buyer's request: a slow
or failing gateway holds up neither a checkout nor a stamp sheet, and a failed send is kept in the
task's record.
"""

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class TextMessage:
    phone: str
    text: str
    sent_at: str = field(default_factory=lambda: timezone.now().isoformat())


class MessageBackend:
    # Seconds a gateway's API may take to connect and answer: a gateway backend passes it to its HTTP
    # client (the messages queue's time limit, TASK_QUEUES, stops a send that takes longer anyway).
    timeout = 10

    def send(self, message: TextMessage) -> None:
        raise NotImplementedError


class ConsoleMessageBackend(MessageBackend):
    def send(self, message: TextMessage) -> None:
        print(f"[SMS to {message.phone}] {message.text}", flush=True)  # noqa: T201


class FileMessageBackend(MessageBackend):
    """One JSON line per message in ``SELLERS_MESSAGE_FILE`` (var/messages.jsonl by default)."""

    def send(self, message: TextMessage) -> None:
        path = Path(settings.SELLERS_MESSAGE_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(message.__dict__, ensure_ascii=False) + "\n")


class LocmemMessageBackend(MessageBackend):
    """Keeps messages in ``outbox`` (tests and browser journeys read the codes from here)."""

    outbox: list[TextMessage] = []
    _lock = threading.Lock()

    def send(self, message: TextMessage) -> None:
        with self._lock:
            self.outbox.append(message)


def send_text(*, phone: str, text: str) -> None:
    """Queue a text for the messages worker (sent when the current transaction commits)."""
    from ground.tasks import deliver_text  # ground.tasks imports this module

    deliver_text.enqueue(phone=phone, text=text)


def deliver(*, phone: str, text: str) -> None:
    """Hand a text to the configured backend, now."""
    backend = import_string(settings.SELLERS_MESSAGE_BACKEND)()
    backend.send(TextMessage(phone=phone, text=text))
