"""The shared base: errors, safe text, events, files, locations and config. Imports no other area."""
