"""The viewer's taste profile as the player uses it: the last one loaded, read at once on the UI thread, and
loaded again on a thread of its own when a session ends. Loading reads the disk and may wait up to 10 s for the
viewer's lock (another watch of the same viewer holds it), so the UI never does it itself."""

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
        self.current: dict = scoring.describe(scoring.empty(), scoring.CatalogNames(catalog))  # until loaded
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
                self.current = profile_store.described(self.history, self.catalog)
                self._failing = False
            except Exception as error:  # nothing escapes a thread of its own: the last profile stays in use
                if not self._failing:
                    log.warning("the taste profile could not be loaded (%s: %s); the last one loaded is used",
                                error.__class__.__name__, error, exc_info=not isinstance(error, OSError))
                self._failing = True
            finally:
                self.loaded.set()
