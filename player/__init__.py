"""watch: an offline terminal player for choose-your-ending films."""

__version__ = "0.1.0"
