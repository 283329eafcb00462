"""The viewer's taste profile as the player uses it: the last one loaded, read at once on the UI thread, and
loaded again on a thread of its own when a session ends. Loading reads the disk and may wait up to 10 s for the
viewer's lock (another watch of the same viewer holds it), so the UI never does it itself.

The session being watched is folded into the stored profile only when it ends, yet it must shape its own
branch point: `with_session` adds its events so far, leaving out those the last load already counted."""

from __future__ import annotations

import logging
import threading

from player.engine.catalog.films import Catalog
from player.engine.history.store import History
from player.engine.taste import profile_store, scoring

log = logging.getLogger(__name__)


class ProfileCache:
    def __init__(self, history: History, catalog: Catalog | None):
        self.history = history
        self.catalog = catalog
        self.names = scoring.CatalogNames(catalog)
        self.current: dict = scoring.describe(scoring.empty(), self.names)  # until loaded
        self._loaded: tuple[dict, dict[str, tuple[str, int] | None]] = (scoring.empty(), {})  # sums, tails
        self.loaded = threading.Event()  # set once the first load is over, whether it worked or not
        self._one_at_a_time = threading.Lock()  # so that each load reads what the one before it saved
        self._failing = False  # a failure is said once, until a load works again

    def refresh(self, after_sessions: bool = False) -> threading.Thread:
        """Load the profile again in the background; first, with `after_sessions`, fold in the sessions that
        just ended. Returns the thread (tests join it)."""
        thread = threading.Thread(target=self._load, args=(after_sessions,), name="watch-profile")
        thread.start()
        return thread

    def _load(self, after_sessions: bool) -> None:
        with self._one_at_a_time:
            try:
                if after_sessions:
                    profile_store.after_sessions(self.history)
                parts = profile_store.load_parts(self.history)
                state = scoring.merge(parts.values())
                self._loaded = state, {title: profile_store.tail(part) for title, part in parts.items()}
                self.current = scoring.describe(state, self.names)
                self._failing = False
            except Exception as error:  # nothing escapes a thread of its own: the last profile stays in use
                if not self._failing:
                    log.warning("the taste profile could not be loaded (%s: %s); the last one loaded is used",
                                error.__class__.__name__, error, exc_info=not isinstance(error, OSError))
                self._failing = True
            finally:
                self.loaded.set()

    def with_session(self, events: list[dict]) -> dict:
        """The profile with the events of the session being watched (all of one title and session, oldest first)
        counted once: a load during the session may already have folded in its first events."""
        if not events:
            return self.current
        current, (state, tails) = self.current, self._loaded
        title, session = events[0].get("title"), events[0].get("session")
        counted = tails.get(title)
        if counted and counted[0] == session:
            events = events[counted[1]:]
        if not events:
            return current
        return scoring.describe(scoring.merge([state, scoring.build(events)]), self.names)
