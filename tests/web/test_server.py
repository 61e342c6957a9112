"""The server through HTTP (Starlette's TestClient): routes, safety, errors, downloads."""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fsr_opt.app.pipeline import load_inputs, solve_inputs
from fsr_opt.core.errors import WARNINGS_LOGGER, ErrorCode, SolverError
from fsr_opt.core.words import text
from fsr_opt.web import server as server_module
from fsr_opt.web import workspace as workspace_module
from fsr_opt.web.server import (
    CONTENT_SECURITY_POLICY,
    ServeConfig,
    check_port,
    host_name,
    is_loopback,
)

from .conftest import CHANGE, EXAMPLE_XLSX, ROOT

STATIC = ROOT / "src" / "fsr_opt" / "web" / "static"
TEMPLATES = ROOT / "src" / "fsr_opt" / "web" / "templates"


def awarded(answer: dict) -> int:
    return answer["result"]["awarded"]


def test_the_page_and_its_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert page.headers["x-frame-options"] == "DENY"
    assert '<html lang="it">' in page.text and "Riparto FSR: simulazioni" in page.text
    cookie = page.headers["set-cookie"]
    assert "fsr_opt_workspace=" in cookie and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    for asset in ("app.js", "app.css", "icon.svg", "fonts/titillium-web-latin-400-normal.woff2",
                  "fonts/titillium-web-latin-600-normal.woff2",
                  "fonts/titillium-web-latin-700-normal.woff2", "fonts/OFL.txt"):
        assert client.get(f"/static/{asset}").status_code == 200, asset


def test_no_asset_names_another_address() -> None:
    """Offline by construction: nothing the page loads points outside its own server."""
    for path in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css"), *TEMPLATES.rglob("*.html")]:
        found = re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", path.read_text("utf-8"))
        assert found == [], (path.name, found)


def test_a_change_gives_the_command_lines_riparto(client: TestClient) -> None:
    base = client.get("/api/state").json()
    assert awarded(base) == 89249535 and base["controls"]["command"] == ""
    answer = client.post("/api/change", json={"fund": "850.000,00"}, headers=CHANGE).json()
    _, allocation = solve_inputs(load_inputs(None, None, [("fund", "850000.00")]))
    assert awarded(answer) == sum(allocation.awards.values())
    assert answer["controls"]["command"] == "--budget 850000.00"
    assert [a["awarded"] for a in answer["result"]["areas"]] == [
        sum(r.awarded for r in allocation.services.values() if r.area == area)
        for area in ("minori", "disabili", "anziani")]


def test_moving_a_share_rebalances_and_says_how(client: TestClient) -> None:
    answer = client.post("/api/change", json={
        "shares": {"minori": "50", "disabili": "20", "anziani": "40"}, "moved": "disabili"},
        headers=CHANGE).json()
    shares = {s["area"]: s["value"] for s in answer["controls"]["shares"]}
    assert shares == {"minori": "44.44", "disabili": "20", "anziani": "35.56"}
    assert [(m["area"], m["before"], m["after"]) for m in answer["controls"]["moves"]] == [
        ("disabili", "10%", "20%"), ("minori", "50%", "44,44%"), ("anziani", "40%", "35,56%")]
    again = client.post("/api/change", json={
        "fund": "892.495,35", "shares": shares, "switches": {"require_application": False}},
        headers=CHANGE).json()
    assert {s["area"]: s["value"] for s in again["controls"]["shares"]} == shares  # kept
    assert "--set eligibility.require_application=false" in again["controls"]["command"]
    assert client.post("/api/reset", headers=CHANGE).json()["controls"]["command"] == ""


def test_the_residual_scope_is_the_command_lines_and_nothing_is_left_silently(
    client: TestClient,
) -> None:
    shares = {"minori": "30", "disabili": "30", "anziani": "40"}
    by_area = client.post("/api/change", json={"shares": shares}, headers=CHANGE).json()
    assert by_area["controls"]["residual"]["available"] is True
    disabili = next(a for a in by_area["result"]["areas"] if a["area"] == "disabili")
    # the riparto's 102,636.96 EUR and the residual phase's 165,111.65: nothing unassigned
    assert (disabili["riparto"], disabili["residual"], disabili["unassigned"]) == (
        10263696, 16511165, 0)
    assert disabili["awarded"] == 10263696 + 16511165
    # the area by its label, the share of what the units lacked as a percent, no rule key
    lines = by_area["result"]["residual_lines"]
    assert any(line.startswith("Area Disabili: ") and "(41,4039% di quanto mancava loro)" in line
               for line in lines), lines
    assert not any("residui.scope" in line for line in lines), lines
    none = client.post("/api/change", json={"shares": shares, "residual_scope": "none"},
                       headers=CHANGE).json()
    assert "--set residui.scope=none" in none["controls"]["command"]
    disabili = next(a for a in none["result"]["areas"] if a["area"] == "disabili")
    assert (disabili["residual"], disabili["unassigned"]) == (0, 16511165)
    assert none["result"]["unassigned"] == 16511165
    assert none["result"]["residual_lines"][-1] == "Non assegnato: 165.111,65 EUR"
    assert client.post("/api/reset", headers=CHANGE).json()["controls"]["command"] == ""


def test_every_bad_field_is_reported_at_once_and_nothing_changes(client: TestClient) -> None:
    before = client.post("/api/change", json={"fund": "850000"}, headers=CHANGE).json()
    answer = client.post("/api/change", json={
        "fund": "tanti", "minimum_award": "-1", "shares": {"disabili": "120"},
        "moved": "disabili", "historical": {"adm": "1,2,3"}}, headers=CHANGE)
    assert answer.status_code == 200 and "error" in answer.json()
    error = answer.json()["error"]
    assert error["count"] == 4 and {p["code"] for p in error["problems"]} == {"BAD_OPTION"}
    assert error["kept"].startswith("I dati e il riparto")
    after = client.get("/api/state").json()
    assert after["controls"]["fund"] == 85000000 and awarded(after) == awarded(before)


def test_a_rule_broken_by_the_parameters_is_the_rule_sets_error(client: TestClient) -> None:
    # (one share alone would move the others in proportion: two of them exceed 100%)
    answer = client.post("/api/change", json={"shares": {"minori": "70", "disabili": "50"}},
                         headers=CHANGE)
    assert answer.status_code == 200 and "error" in answer.json()
    error = answer.json()["error"]
    assert error["title"] == "Errore nelle regole o nei parametri"
    assert error["problems"][0]["code"] == "SHARES_NOT_100"
    assert error["problems"][0]["fix"] == "le quote delle aree devono sommare a 100%"


def test_a_bad_upload_is_listed_and_the_server_goes_on(client: TestClient) -> None:
    bad = (ROOT / "tests" / "bad_inputs" / "three_problems.csv").read_bytes()
    answer = client.post("/api/upload/units?name=three_problems.csv", content=bad,
                         headers=CHANGE)
    assert answer.status_code == 200 and "error" in answer.json()
    rows = answer.json()["error"]["problems"]
    assert len(rows) == 3 and all(p["file"] == "three_problems.csv" for p in rows)
    assert all(p["row"] and p["column"] and p["fix"] for p in rows)
    garbage = client.post("/api/upload/units?name=x.xlsx", content=b"\x00\x01not a workbook",
                          headers=CHANGE)
    assert garbage.json()["error"]["problems"][0]["code"] == "NOT_A_SPREADSHEET"
    rules = client.post("/api/upload/rules?name=r.yaml", content=b"fund: [", headers=CHANGE)
    assert rules.json()["error"]["problems"][0]["code"] == "SYNTAX"
    state = client.get("/api/state").json()
    assert state["source"]["units"] == "units.csv" and awarded(state) == 89249535


def test_an_upload_replaces_the_data(client: TestClient) -> None:
    answer = client.post("/api/upload/units?name=Unità%202025.xlsx",
                         content=EXAMPLE_XLSX.read_bytes(), headers=CHANGE)
    assert answer.status_code == 200
    assert answer.json()["source"]["units"] == "Unità 2025.xlsx"
    assert awarded(answer.json()) == 89249535
    rules = (ROOT / "models" / "fsr-2025-bergamo.yaml").read_bytes()
    answer = client.post("/api/upload/rules?name=regole.yaml", content=rules, headers=CHANGE)
    assert answer.json()["source"]["rules"] == "regole.yaml"
    back = client.post("/api/example", headers=CHANGE).json()["source"]
    assert (back["units"], back["rules"], back["bundled"]) == (
        "units.csv", "fsr-2025-bergamo.yaml", True)


def test_an_upload_too_large_is_refused(make_client: Callable[..., TestClient]) -> None:
    client = make_client(ServeConfig(max_upload_bytes=1000))
    answer = client.post("/api/upload/units?name=big.csv", content=b"x" * 1001, headers=CHANGE)
    assert answer.status_code == 200 and "error" in answer.json()
    (problem,) = answer.json()["error"]["problems"]
    assert problem["code"] == "FILE_TOO_LARGE" and "big.csv" in problem["message"]


def test_two_browsers_never_mix(make_client: Callable[..., TestClient]) -> None:
    first = make_client()
    second = TestClient(first.app, base_url=str(first.base_url))
    first.post("/api/change", json={"fund": "850000"}, headers=CHANGE)
    first.post("/api/scenarios", json={"name": "mine"}, headers=CHANGE)
    seen = second.get("/api/state").json()
    assert awarded(seen) == 89249535
    assert [s["name"] for s in seen["scenarios"]] == ["Base"]
    assert [s["name"] for s in first.get("/api/state").json()["scenarios"]] == [
        "Base", "Scenario corrente", "mine"]
    assert "error" in second.get("/api/unit?scenario=s1&id=UDO681697").json()


def test_a_solver_failure_is_a_message_and_the_server_goes_on(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get("/api/state")

    def times_out(*_args: object, **_kwargs: object) -> None:
        raise SolverError("CBC stopped at the time limit of 60 s", ErrorCode.TIME_LIMIT)

    monkeypatch.setattr(workspace_module, "solve_inputs", times_out)
    answer = client.post("/api/change", json={"fund": "800000"}, headers=CHANGE)
    assert answer.status_code == 200 and "error" in answer.json()
    error = answer.json()["error"]
    assert error["title"].startswith("Il calcolo ha superato il tempo massimo")
    assert error["problems"][0]["fix"].startswith("riprova")
    assert client.get("/api/state").json()["controls"]["fund"] == 89249535  # unchanged
    monkeypatch.undo()
    answer = client.post("/api/change", json={"fund": "800000"}, headers=CHANGE)
    assert answer.status_code == 200 and answer.json()["controls"]["fund"] == 80000000


def test_an_internal_error_is_a_short_message(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(server_module, "read_parameters", broken)
    answer = client.post("/api/change", json={}, headers=CHANGE)
    assert answer.status_code == 500
    assert answer.json()["error"]["title"].startswith("Errore interno di fsr-opt")
    assert "a bug" not in answer.text and "Traceback" not in answer.text
    assert client.get("/api/state").status_code == 200


def test_scenarios_explanations_comparisons(client: TestClient) -> None:
    client.post("/api/change", json={"fund": "850000"}, headers=CHANGE)
    saved = client.post("/api/scenarios", json={"name": "A"}, headers=CHANGE).json()
    assert [s["key"] for s in saved["scenarios"]] == ["base", "current", "s1"]
    taken = client.post("/api/scenarios", json={"name": "a"}, headers=CHANGE)
    assert taken.status_code == 200 and "esiste già" in taken.json()["error"]["problems"][0][
        "message"]
    unit = client.get("/api/unit?scenario=s1&id=UDO681697").json()
    assert unit["text"].startswith("Unità UDO681697") and unit["scenario"] == "A"
    missing = client.get("/api/unit?scenario=s1&id=UDO68169").json()["error"]
    assert "UDO681697" in missing["problems"][0]["message"]  # the nearest id is suggested
    compared = client.get("/api/compare?first=base&second=s1").json()
    assert compared["second"]["name"] == "A" and compared["lines"][-1]["budget_after"] == 85000000
    gone = client.post("/api/scenarios/s1/delete", headers=CHANGE).json()
    assert [s["key"] for s in gone["scenarios"]] == ["base", "current"]


def test_downloads(client: TestClient) -> None:
    client.post("/api/change", json={"fund": "850000"}, headers=CHANGE)
    xlsx = client.get("/download/current/allocation.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx.headers["content-disposition"]
    report = client.get("/download/base/report.html")
    assert report.text.startswith("<!DOCTYPE html>") and "892.495,35" in report.text
    assert client.get("/download/current/riparto.zip").content[:2] == b"PK"
    assert client.get("/download/compare.zip?first=base&second=current").content[:2] == b"PK"
    template = client.get("/download/template.xlsx")
    assert template.content == EXAMPLE_XLSX.read_bytes()
    assert client.get("/download/current/passwords.txt").status_code == 404
    assert client.get("/download/s7/report.html").status_code == 422


def test_language(client: TestClient) -> None:
    assert client.post("/api/language", json={"lang": "en"}, headers=CHANGE).json() == {
        "lang": "en"}
    assert '<html lang="en">' in client.get("/").text
    assert client.get("/api/state").json()["scenarios"][0]["name"] == "Baseline"
    assert client.post("/api/language", json={"lang": "fr"}, headers=CHANGE).json() == {
        "lang": "en"}


def test_changes_need_the_pages_header(client: TestClient) -> None:
    refused = client.post("/api/change", json={"fund": "1"})
    assert refused.status_code == 403 and "solo dalla pagina" in refused.text
    assert client.post("/api/reset").status_code == 403


def test_only_this_machines_names_are_answered(make_client: Callable[..., TestClient]) -> None:
    rebound = make_client(base_url="http://attacker.example:8765")
    assert rebound.get("/").status_code == 421
    assert make_client(base_url="http://localhost:8765").get("/").status_code == 200
    assert make_client(base_url="http://[::1]:8765").get("/").status_code == 200


def test_off_loopback_every_request_needs_the_token(
    make_client: Callable[..., TestClient]
) -> None:
    config = ServeConfig(host="192.0.2.10", token="s3cret-token")
    assert config.url == "http://192.0.2.10:8765/?token=s3cret-token"
    client = make_client(config, base_url="http://192.0.2.10:8765")
    assert client.get("/").status_code == 403
    assert client.get("/static/app.js").status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    entered = client.get("/?token=s3cret-token", follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"] == "/"
    assert "fsr_opt_token=" in entered.headers["set-cookie"]
    assert client.get("/").status_code == 200  # the cookie carries it now
    other = make_client(config, base_url="http://192.0.2.10:8765")
    assert other.get("/api/state", headers={"x-fsr-opt-token": "s3cret-token"}).status_code == 200


def test_addresses_and_ports() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("127.0.0.2") and not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.4") and not is_loopback("ufficio-piano")
    assert [host_name(h) for h in ("127.0.0.1:8765", "[::1]:8765", "localhost")] == [
        "127.0.0.1", "[::1]", "localhost"]
    assert ServeConfig(host="0.0.0.0", token="t").url == "http://127.0.0.1:8765/?token=t"


def test_a_busy_port_is_refused() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(Exception, match=f"127.0.0.1:{port}.*--port") as caught:
            check_port("127.0.0.1", port)
    assert caught.value.codes == (ErrorCode.BAD_OPTION,)  # type: ignore[attr-defined]


def test_state_of_a_new_browser_needs_no_page_first(client: TestClient) -> None:
    assert client.get("/api/state").json()["source"]["count"] == 308


def test_the_template_is_the_bundled_workbook_whatever_the_data(
    make_client: Callable[..., TestClient]
) -> None:
    client = make_client(ServeConfig(units=ROOT / "tests" / "hostile" / "support" /
                                     "minimal_units.csv"))
    client.post("/api/upload/units?name=units.xlsx", content=EXAMPLE_XLSX.read_bytes(),
                headers=CHANGE)
    template = client.get("/download/template.xlsx")
    assert template.content == EXAMPLE_XLSX.read_bytes()
    assert template.headers["content-disposition"] == 'attachment; filename="modello-unita.xlsx"'


def test_a_typed_fund_of_0_is_the_page_s_error_in_the_page_s_words(client: TestClient) -> None:
    # A fund of 0 was the rule set's error: file "fsr-2025-bergamo.yaml", "fund: il valore
    # 0.00 EUR deve essere maggiore di 0", and the advice "0 o più", which contradicts it.
    error = client.post("/api/change", json={"fund": "0"}, headers=CHANGE).json()["error"]
    (problem,) = error["problems"]
    assert problem["file"] == ""
    assert problem["message"] == "Fondo dell'Ambito: deve essere maggiore di 0,00"
    assert "0 o più" not in problem["fix"]
    assert "maggiore di 0" in text("web.fix.NEGATIVE_FUND", "it")
    assert "0 or more" not in text("web.fix.NEGATIVE_FUND", "en")


def test_a_negative_amount_is_said_to_be_negative(client: TestClient) -> None:
    # "-5" was "'-5' non è un importo in euro con al massimo due decimali".
    error = client.post("/api/change", json={
        "fund": "-5", "minimum_award": "-5", "historical": {"adm": "-5"}},
        headers=CHANGE).json()["error"]
    messages = [problem["message"] for problem in error["problems"]]
    assert messages == [
        "Fondo dell'Ambito: '-5' è negativo; l'importo deve essere 0 o più",
        "Contributo minimo: '-5' è negativo; l'importo deve essere 0 o più",
        "Assistenza domiciliare minori: '-5' è negativo; l'importo deve essere 0 o più"]


def test_an_empty_fund_is_refused_naming_the_approved_one(client: TestClient) -> None:
    # Emptying the fund and pressing Enter silently put the approved fund back.
    client.post("/api/change", json={"fund": "850000"}, headers=CHANGE)
    answer = client.post("/api/change", json={"fund": " ", "minimum_award": "300"},
                         headers=CHANGE).json()
    (problem,) = answer["error"]["problems"]
    assert problem["message"] == ("Fondo dell'Ambito: il campo è vuoto; scrivi un importo "
                                  "(nelle regole approvate: 892.495,35)")
    assert client.get("/api/state").json()["controls"]["fund"] == 85000000  # kept


def test_the_rule_set_s_own_residual_scope_is_no_change(client: TestClient) -> None:
    # Choosing "Entro la stessa area", the rule set's own scope, added "--set residui.scope=area"
    # and the scenario no longer counted as the approved rules.
    answer = client.post("/api/change", json={"residual_scope": "area"}, headers=CHANGE).json()
    assert answer["controls"]["command"] == "" and answer["controls"]["changed"] is False
    assert answer["result"]["scenario"] == "base"
    other = client.post("/api/change", json={"residual_scope": "fondo"}, headers=CHANGE).json()
    assert other["controls"]["command"] == "--set residui.scope=fondo"


def _warned_table(extra_columns: int = 1) -> bytes:
    """The bundled table with columns of notes, saved as Excel's Italian CSV (Windows-1252)."""
    lines = (ROOT / "data" / "bergamo-2025" / "units.csv").read_text("utf-8").splitlines()
    notes = [f"Note {number}" for number in range(1, extra_columns + 1)]
    table = [",".join([lines[0], *notes])] + [line + "," * extra_columns for line in lines[1:]]
    table[1] = table[1].replace("Asilo nido", "Asilo nido città", 1)  # a letter cp1252 writes
    return ("\n".join(table) + "\n").encode("cp1252")


def test_the_warnings_of_reading_an_upload_are_on_the_page_in_its_language(
        client: TestClient) -> None:
    client.post("/api/language", json={"lang": "it"}, headers=CHANGE)
    answer = client.post("/api/upload/units?name=unità.csv", content=_warned_table(),
                         headers=CHANGE).json()
    warnings = answer["warnings"]
    assert warnings[:2] == [
        "unità.csv: il file non è UTF-8: è stato letto come Windows-1252 (cp1252); controlla "
        "le lettere accentate, o salvalo come 'CSV UTF-8'",
        "unità.csv, riga 1, colonna 'Note 1': non è una colonna della tabella delle unità; "
        "viene ignorata"]
    assert any("Dalmine" in line for line in warnings[2:])  # the units outside the Ambito too
    assert not any("/" in line.split(":")[0] for line in warnings)  # no server path
    # they stay while the table is in use, and follow the language
    client.post("/api/change", json={"fund": "850.000,00"}, headers=CHANGE)
    assert client.get("/api/state").json()["warnings"][:2] == warnings[:2]
    client.post("/api/language", json={"lang": "en"}, headers=CHANGE)
    english = client.get("/api/state").json()["warnings"]
    assert english[:2] == [
        "unità.csv: the file is not UTF-8: it was read as Windows-1252 (cp1252); check the "
        "accented letters, or save it as 'CSV UTF-8'",
        "unità.csv, row 1, column 'Note 1': not a column of the units table; it is ignored"]
    client.post("/api/language", json={"lang": "it"}, headers=CHANGE)
    assert client.get("/api/state").json()["warnings"] == warnings
    # another table replaces them
    back = client.post("/api/example", headers=CHANGE).json()["warnings"]
    assert not any("unità.csv" in line or "units.csv:" in line for line in back)


def test_the_reading_warnings_keep_their_limit_per_kind(client: TestClient) -> None:
    client.post("/api/language", json={"lang": "en"}, headers=CHANGE)
    warnings = client.post("/api/upload/units?name=notes.csv", content=_warned_table(25),
                           headers=CHANGE).json()["warnings"]
    ignored = [line for line in warnings if "units table" in line]
    assert len(ignored) == 10 and ignored[-1] == (
        "notes.csv, row 1: and 16 more columns are not columns of the units table; they are "
        "ignored")


def test_the_warnings_of_the_servers_own_files_are_printed_and_shown(
        make_client: Callable[..., TestClient], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    table = tmp_path / "notes.csv"
    table.write_bytes(_warned_table())
    config = ServeConfig(units=table)
    with caplog.at_level(logging.WARNING, logger=WARNINGS_LOGGER):
        start = server_module.prepare(config)
    assert [record.problem.code for record in caplog.records] == [  # the terminal, as before
        ErrorCode.READ_AS_CP1252, ErrorCode.UNKNOWN_COLUMN]
    warnings = make_client(config, app_start=start).get("/api/state").json()["warnings"]
    assert warnings[0].startswith("notes.csv: ") and "'Note 1'" in warnings[1]
