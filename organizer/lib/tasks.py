"""The one way web code queues a Celery task: quickly, or not at all.

The guarantee lives in PostgreSQL, not in Redis: every service writes the work down (a job row,
a pending delivery, a ``needs_rescore`` mark) in the same transaction as its cause, and a beat
sweep delivers whatever is still waiting. Queuing a task on commit only makes it happen sooner.
So a request must never wait on the broker: a stopped Redis refuses at once, a hung one (accepts
connections, never answers) is given ``PUBLISH_TIMEOUT`` seconds, and either way the error is
logged and swallowed. No retries here; the sweep is the retry.

The weak spot: a task published just as the broker dies may be lost in flight; its row is still
pending and the next sweep (every minute) sends it.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import transaction
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds to connect to the broker, and to wait for it to answer a publish.
CONNECT_TIMEOUT = 0.3
PUBLISH_TIMEOUT = 0.5
_FAST = {
    "socket_connect_timeout": CONNECT_TIMEOUT,
    "socket_timeout": PUBLISH_TIMEOUT,
    "retry_on_timeout": False,
    "max_retries": 0,  # kombu's reconnect loop: try once
}


_local = threading.local()  # one broker connection per thread, reused (kombu's aren't shared)


def _connection(app):
    """This thread's connection to the broker (opened on first use, with the short timeouts).
    Reused: opening one per task cost ~20 ms, most of a public RSVP's time."""
    cached = getattr(_local, "broker", None)
    if cached is not None and cached[0] == app.conf.broker_url:
        return cached[1]
    _drop()
    transport = {**(app.conf.broker_transport_options or {}), **_FAST}
    conn = app.connection_for_write(connect_timeout=CONNECT_TIMEOUT, transport_options=transport)
    _local.broker = (app.conf.broker_url, conn)
    return conn


def _drop() -> None:
    cached = getattr(_local, "broker", None)
    _local.broker = None
    if cached is not None:
        try:
            cached[1].release()
        except Exception:  # already broken: nothing to close
            logger.debug("broker connection closed with an error", exc_info=True)


def enqueue(task, *args, **options) -> bool:
    """Publish ``task(*args)`` now, within about a second at worst. ``True`` if the broker took
    it; ``False`` (logged) if it is down or hung: the caller's sweep delivers the work later.
    A failed publish drops this thread's connection, so the next one connects afresh (a Redis
    that restarted costs one publish, which the sweep delivers)."""
    from organizer.celery import app

    try:
        task.apply_async(args=list(args), connection=_connection(app), retry=False, **options)
    except (KombuError, RedisError, OSError) as exc:
        _drop()
        logger.warning("Could not queue %s%r (%s); the sweep will do it", task.name, args, exc)
        return False
    return True


def enqueue_on_commit(task, *args, **options) -> None:
    """Queue ``task(*args)`` once the current transaction commits (never if it rolls back)."""
    transaction.on_commit(lambda: enqueue(task, *args, **options))


# A burst of commits (a viral link's RSVPs, a petition's signatures) shares one task a process:
# the task does whatever is waiting when it runs, so one queued ``delay`` seconds after the first
# commit covers every commit until shortly before it runs. A lost task changes nothing: the
# sweep does the work.
SOON_MARGIN = 0.25  # a commit this long before the queued task's time is sure to be seen by it
_queued_for: dict[str, float] = {}  # task name → when (time.time()) this process's last one runs


def enqueue_soon_on_commit(task, *, delay: float = 1.0) -> None:
    """Queue ``task()`` (it takes no arguments: it does all that is waiting) about ``delay``
    seconds after the current transaction commits, unless one this process queued will run
    after this commit anyway."""
    transaction.on_commit(lambda: _enqueue_soon(task, delay))


def _enqueue_soon(task, delay: float) -> None:
    now = time.time()
    if now < _queued_for.get(task.name, 0.0) - SOON_MARGIN:
        return
    if enqueue(task, countdown=delay):
        _queued_for[task.name] = now + delay
