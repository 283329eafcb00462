"""The storyboard frame of the current scene, drawn literally inside a titled border."""

from textual.content import Content
from textual.widgets import Static

from player.engine.catalog.films import Scene
from player.engine.base.text import printable


class Storyboard(Static):
    def show(self, scene: Scene, number: int, total: int) -> None:
        self.border_title = Content(printable(f" {number}/{total} · {scene.title} ", keep_newlines=False))
        self.border_subtitle = Content(printable(f" {scene.place} ", keep_newlines=False)) if scene.place else ""
        self.update(Content(printable(scene.storyboard)))
