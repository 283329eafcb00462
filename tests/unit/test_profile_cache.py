"""ProfileCache: the player reads the last profile loaded at once; loading happens on a thread of its own, folds
in the sessions just ended when asked, and a load that fails keeps the last profile and is said once."""

from __future__ import annotations

import logging

from player.engine.history.store import History
from player.engine.taste import profile_store
from player.engine.taste.profile_cache import ProfileCache


def chose_dark(history: History) -> None:
    history.log({"kind": "choice", "viewer": "ann", "title": "tiny", "session": "s1", "scene": "three", "beat": 0,
                 "position": 24.0, "at": "2026-11-27T10:00:00.000Z", "how": "key", "tags": ["dark", "quiet"],
                 "ending": "dark"})


def test_the_profile_is_there_at_once_then_loaded_with_the_sessions_just_ended(private_home, catalog):
    history = History(private_home, "ann")
    cache = ProfileCache(history, catalog)
    assert not cache.current["known"] and not cache.loaded.is_set()  # usable at once, before any load
    cache.refresh().join(10)
    assert cache.loaded.is_set() and not cache.current["known"]
    chose_dark(history)  # queued, not yet written: folding the session in saves it first
    cache.refresh(after_sessions=True).join(10)
    assert cache.current["known"] and cache.current["tags"]["dark"]["score"] > 0
    history.close()


def test_a_failing_load_keeps_the_last_profile_and_is_said_once(private_home, catalog, monkeypatch, caplog):
    history = History(private_home, "ann")
    chose_dark(history)
    cache = ProfileCache(history, catalog)
    cache.refresh(after_sessions=True).join(10)
    known = cache.current

    def fails(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(profile_store, "load_parts", fails)
    with caplog.at_level(logging.WARNING):
        cache.refresh().join(10)
        cache.refresh().join(10)
    assert cache.current is known
    assert [record.getMessage() for record in caplog.records if "disk gone" in record.getMessage()] == [
        "the taste profile could not be loaded (OSError: disk gone); the last one loaded is used"]
    history.close()
