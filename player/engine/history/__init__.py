"""The viewing history: events in TinyDB segments on disk, with a journal that survives a kill."""
