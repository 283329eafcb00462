"""Your ending: the plan, the prompt, the writer that streams beats, and saved endings."""
