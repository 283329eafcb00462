"""The timeline bar: elapsed time, a bar with a mark at each scene start, and the total."""

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class TimelineBar(Widget):
    position = reactive(0.0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.total = 1.0
        self.markers: list[float] = []

    def set_film(self, total: float, markers: list[float]) -> None:
        self.total = max(total, 0.001)
        self.markers = markers
        self.refresh()

    def render(self) -> Content:
        left = clock_text(self.position)
        right = clock_text(self.total)
        width = max(self.size.width - len(left) - len(right) - 2, 4)
        cells = ["─"] * width
        played = min(int(self.position / self.total * width), width)
        for index in range(played):
            cells[index] = "━"
        for marker in self.markers:
            index = min(int(marker / self.total * width), width - 1)
            cells[index] = "╋" if index < played else "┼"
        cells[min(played, width - 1)] = "●"
        bar = "".join(cells)
        return Content.assemble((left, "bold"), " ", (bar[:played], "$accent"), (bar[played:], "$text-muted"),
                                " ", right)
