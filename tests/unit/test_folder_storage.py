"""CONV-5: the default attachment storage keeps content under its folder only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.conversation_files import storage_key
from bot.store.files import FolderStorage


async def test_conv_5_folder_storage_keeps_gets_and_deletes_content(tmp_path: Path) -> None:
    storage = FolderStorage(tmp_path / "files")
    key = storage_key(1001, "server log (1).txt")
    await storage.put(key, b"ERROR 500")
    assert await storage.get(key) == b"ERROR 500"
    assert [p.name for p in (tmp_path / "files" / "1001").iterdir()] == [key.split("/")[1]]
    await storage.delete(key)
    await storage.delete(key)  # absent content is no error
    with pytest.raises(KeyError):
        await storage.get(key)


@pytest.mark.parametrize("key", ["../outside.txt", "/etc/passwd", "1001/../../outside", ""])
async def test_conv_5_a_key_leaving_the_folder_is_refused(tmp_path: Path, key: str) -> None:
    storage = FolderStorage(tmp_path / "files")
    with pytest.raises(KeyError):
        await storage.put(key, b"x")
    assert not (tmp_path / "outside.txt").exists()


def test_conv_5_storage_keys_never_carry_path_syntax_from_file_names() -> None:
    key = storage_key(1001, "../../etc/passwd")
    assert key.startswith("1001/") and key.count("/") == 1
