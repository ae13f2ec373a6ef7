from __future__ import annotations

import threading
import uuid

from organizer.lib import ratelimit


def test_it_allows_up_to_the_limit_then_says_how_long_to_wait():
    key = uuid.uuid4().hex
    now = 1_000_000.0  # 40 s into a 60 s window
    answers = [ratelimit.hit("t", key, limit=3, window=60, now=now) for _ in range(4)]
    assert answers[:3] == [0, 0, 0]
    assert 1 <= answers[3] <= 21


def test_it_counts_each_key_and_scope_apart():
    key = uuid.uuid4().hex
    for _ in range(2):
        ratelimit.hit("a", key, limit=1, window=60)
    assert ratelimit.hit("b", key, limit=1, window=60) == 0
    assert ratelimit.hit("a", key + "x", limit=1, window=60) == 0


def test_a_new_window_starts_a_new_count():
    key = uuid.uuid4().hex
    assert ratelimit.hit("t", key, limit=1, window=60, now=60.0) == 0
    assert ratelimit.hit("t", key, limit=1, window=60, now=61.0) > 0
    assert ratelimit.hit("t", key, limit=1, window=60, now=121.0) == 0


def test_several_limits_are_counted_in_one_call_and_the_longest_wait_wins():
    key = uuid.uuid4().hex
    now = 3_600_000.0 + 30  # 30 s into a minute and into an hour
    limits = [("m", 2, 60), ("h", 3, 3600)]
    answers = [ratelimit.hit_all(key, limits, now=now) for _ in range(4)]
    assert answers[:2] == [0, 0]
    assert 1 <= answers[2] <= 31  # over the minute's limit: wait for the next minute
    assert 3500 <= answers[3] <= 3571  # over the hour's too: the hour's wait
    # Each limit counted every hit: the minute's own scope agrees.
    assert ratelimit.hit("m", key, limit=4, window=60, now=now) > 0


def test_concurrent_hits_never_lose_a_count():
    key = uuid.uuid4().hex
    results: list[int] = []
    barrier = threading.Barrier(10)

    def run():
        barrier.wait()
        results.append(ratelimit.hit("t", key, limit=5, window=60, now=30.0))

    threads = [threading.Thread(target=run) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r == 0 for r in results) == [False] * 5 + [True] * 5


def test_it_fails_open_when_redis_is_unreachable(settings, monkeypatch):
    import redis

    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    monkeypatch.setattr(ratelimit, "_connection", lambda: dead)
    assert ratelimit.hit("t", "k", limit=0, window=60) == 0


def test_too_many_requests_carries_retry_after():
    response = ratelimit.too_many_requests(17)
    assert response.status_code == 429
    assert response["Retry-After"] == "17"
