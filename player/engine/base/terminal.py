"""The smallest terminal the player is drawn for: below it the app shows the "too small" screen instead of a
garbled layout, and `watch doctor` fails the window."""

MIN_WIDTH, MIN_HEIGHT = 80, 24
