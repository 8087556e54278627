"""bin/demo says where to open the service: the address it is about to serve, whatever
DEMO_ADDRESS says. Run in a copy of bin/ with a stand-in for .venv/bin/python that
records what it is asked to do, so nothing is installed, migrated or served."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

BIN = Path(__file__).resolve().parents[2] / "bin"
FAKE_PYTHON = """#!/bin/sh
if [ "$2" = "runserver" ]; then echo "runserver $3"; fi
"""


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    shutil.copytree(BIN, tmp_path / "bin")
    (tmp_path / "requirements.txt").write_text("")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    (tmp_path / ".venv" / ".installed-requirements.txt").touch()  # installed already
    return tmp_path


def run_demo(demo_copy: Path, address: str | None) -> str:
    env = {key: value for key, value in os.environ.items() if key != "DEMO_ADDRESS"}
    if address is not None:
        env["DEMO_ADDRESS"] = address
    return subprocess.run(  # noqa: S603 - our own script, in a temporary copy
        ["bash", str(demo_copy / "bin" / "demo")],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout


@pytest.mark.parametrize(
    ("address", "url", "served"),
    [
        (None, "http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("9000", "http://127.0.0.1:9000", "9000"),
        ("127.0.0.1:9000", "http://127.0.0.1:9000", "127.0.0.1:9000"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080", "0.0.0.0:8080"),
        ("[::1]:8000", "http://[::1]:8000", "[::1]:8000"),
    ],
)
def test_the_demo_prints_the_address_it_serves(demo_copy, address, url, served):
    output = run_demo(demo_copy, address)
    assert f"Open {url} and sign in" in output
    assert output.rstrip().endswith(f"runserver {served}")
    assert ("listens on every network address" in output) == served.startswith("0.0.0.0")  # noqa: S104
