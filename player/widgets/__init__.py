"""Reusable widgets: the storyboard frame, the caption box, the timeline bar."""
