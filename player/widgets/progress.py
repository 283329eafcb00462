"""A progress bar in text, for the model's long waits (status line, branch screen, caption)."""


def progress_bar(fraction: float, cells: int = 10) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * cells)
    return "▰" * filled + "▱" * (cells - filled) + f" {fraction:.0%}"


def with_progress(text: str, fraction: float | None, cells: int = 10) -> str:
    """"reading the story ▰▰▰▰▱▱▱▱▱▱ 40%", or the text alone when there is no fraction to show."""
    return text + (f" {progress_bar(fraction, cells)}" if fraction is not None else "")
