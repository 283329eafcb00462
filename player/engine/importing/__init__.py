"""Fountain import: screenplay text to a playable title folder."""
