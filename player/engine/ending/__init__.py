"""Your ending: the plan, the prompt, the writer that streams beats, saved endings, and YourEnding
(your_ending.py), which owns one ending from its plan to its last save."""
