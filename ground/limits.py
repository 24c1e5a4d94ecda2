"""Limits that hold under a parallel burst.

A limit counts rows and then adds one. Two requests doing that at once could both see "one left"
and both pass; so each counting transaction first takes a PostgreSQL advisory lock per key
(``pg_advisory_xact_lock``, released at commit), in a fixed order so two of them never deadlock."""

from django.db import connection, transaction


def lock_keys(*keys: str) -> None:
    """Serialise the transactions that count against any of these keys. Call inside ``atomic``."""
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("lock_keys() needs a transaction.")
    with connection.cursor() as cursor:
        for key in sorted({key for key in keys if key}):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
