"""The domain of `watch`: catalog, timeline, history, profile and endings. Never imports Textual."""
