"""Playback: turns every key into an event on an injected clock, over a film's timeline."""
