"""What watch writes outside the history store survives a power cut: every file is fsynced before it is renamed
into place, and so is the folder holding the rename."""

import os
from pathlib import Path

from player.engine.importing.importer import import_fountain

FOUNTAIN = Path(__file__).parent.parent / "fixtures" / "fountain"


def recording_fsyncs(monkeypatch, title: Path) -> list[tuple[int, bool]]:
    """For every fsync, in order: the inode synced (it survives the renames that follow) and whether `title`
    was in place by then."""
    synced: list[tuple[int, bool]] = []
    real = os.fsync

    def fsync(fd):
        synced.append((os.fstat(fd).st_ino, (title / "film.toml").is_file()))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return synced


def test_an_imported_title_is_fsynced_and_so_is_the_catalog_after_the_rename(tmp_path, monkeypatch):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    synced = recording_fsyncs(monkeypatch, catalog / "probe")
    folder = import_fountain(FOUNTAIN / "branching.fountain", catalog, "probe")
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert len(files) > 2 and (folder / "film.toml") in files
    for path in files + [folder, folder / "frames"]:
        assert path.stat().st_ino in {inode for inode, _ in synced}, path
    assert (catalog.stat().st_ino, True) in synced  # the catalog, once the title was renamed into it


def test_a_replaced_title_is_synced_into_place_too(tmp_path, monkeypatch):
    catalog = tmp_path / "catalog"
    import_fountain(FOUNTAIN / "branching.fountain", catalog, "probe")
    synced = recording_fsyncs(monkeypatch, catalog / "probe")
    folder = import_fountain(FOUNTAIN / "branching.fountain", catalog, "probe", force=True)
    assert (folder / "film.toml").stat().st_ino in {inode for inode, _ in synced}
    assert synced[-1] == (catalog.stat().st_ino, True)
