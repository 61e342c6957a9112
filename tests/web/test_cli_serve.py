"""``fsr-opt serve`` on the command line: it starts, refuses what it cannot serve, and stops."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fsr_opt.cli import app
from fsr_opt.web import server as server_module

from .conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_it_serves_the_page_until_interrupted() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fsr_opt", "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == f"fsr-opt serve: http://127.0.0.1:{port}/"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            # the suite's FSR_OPT_LANG=en reaches the server: the page starts in English
            assert page.status == 200 and "FSR riparto" in page.read().decode("utf-8")
    finally:
        process.send_signal(signal.SIGINT)
        rest, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors
    assert "fsr-opt serve stopped." in rest
    assert "Traceback" not in errors


def test_bad_files_stop_it_before_it_listens(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [
        "serve", "--units", str(ROOT / "tests" / "bad_inputs" / "three_problems.csv"),
        "--port", str(free_port())])
    assert result.exit_code == 2
    assert "input error: 3 problems" in result.output


def test_a_busy_port_is_a_usage_error() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "--port" in result.output


def test_off_loopback_a_token_is_printed_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    served = []
    monkeypatch.setattr(server_module, "check_port", lambda host, port: None)

    def run(config: server_module.ServeConfig, start: object, on_ready) -> None:
        served.append(config)
        on_ready()

    monkeypatch.setattr(server_module, "run", run)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0, result.output
    (config,) = served
    assert config.token and len(config.token) >= 20
    assert f"http://127.0.0.1:9000/?token={config.token}" in result.output
    assert "warning: listening on 0.0.0.0" in result.output
    local = CliRunner().invoke(app, ["serve", "--port", "9000", "--lang", "en"])
    assert served[1].token is None and served[1].lang == "en"
    assert "token" not in local.output


def test_an_unknown_language_is_refused() -> None:
    result = CliRunner().invoke(app, ["serve", "--lang", "fr"])
    assert result.exit_code == 2 and "--lang 'fr'" in result.output


def test_the_other_commands_do_not_load_the_server() -> None:
    probe = ("import sys, fsr_opt.cli; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('starlette', 'uvicorn', 'jinja2', 'fsr_opt') and "
             "(m.startswith('fsr_opt.web') or not m.startswith('fsr_opt'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
