"""Every definition file is read bounded: rule libraries and users.yaml as matter files are.

A FIFO would block an open() forever and /dev/zero would be read without end; both
are refused before anything is read, with the file named.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from formkit.definitions.users import load_users
from formkit.dsl.library import load_libraries
from formkit.errors import FormkitError


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _gbk(path: Path) -> None:
    path.write_bytes("let 面积 = 1\n".encode("gbk"))


def _library_errors(folder: Path) -> list[FormkitError]:
    return list(load_libraries(folder).errors)


def _users_errors(folder: Path) -> list[FormkitError]:
    try:
        load_users(folder / "users.yaml")
    except FormkitError as exc:
        return [exc]
    return []


@pytest.mark.parametrize(("name", "read"), [
    ("common.rules", _library_errors),  # a rule library
    ("users.yaml", _users_errors),  # the sign-in list
])
@pytest.mark.parametrize(("make", "code"), [
    (_fifo, "not-a-file"),  # would block open() forever
    (_zero, "not-a-file"),  # a device behind a link: endless
    (_gbk, "encoding"),  # not UTF-8: said so, with the line
])
def test_a_file_that_is_no_text_file_is_refused(
        tmp_path: Path, name: str, read: Callable[[Path], list[FormkitError]],
        make: Callable[[Path], None], code: str) -> None:
    make(tmp_path / name)
    found: list[list[FormkitError]] = []
    worker = threading.Thread(target=lambda: found.append(read(tmp_path)), daemon=True)
    worker.start()
    worker.join(10)
    assert found, "reading blocked"
    assert [e.code for e in found[0]] == [code]
    assert name in found[0][0].render()
