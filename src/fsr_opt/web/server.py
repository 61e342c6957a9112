"""``fsr-opt serve``: the planners' what-if page, a Starlette application served by uvicorn.

Routes: ``/`` (the page, a Jinja2 template), ``/static/...`` (its script, styles and fonts,
shipped in the package), ``/api/...`` (JSON: the state of the page and every change) and
``/download/...`` (the files of a scenario, a comparison, the Excel template).

Safety, in the order a request meets it:

- the server binds to 127.0.0.1 unless told otherwise, and then only answers requests whose
  ``Host`` is this machine's loopback name (a web page elsewhere cannot reach it through a
  DNS name of its own: DNS rebinding);
- bound to another address it requires the access token printed at start, on every request
  (the link carries it once; a cookie then does);
- every change is a POST with a header a form of another site cannot send, and the cookies are
  ``SameSite=Strict``;
- the page's Content-Security-Policy lets it load and contact nothing but this server;
- each browser gets a random id (an HttpOnly cookie) naming its own workspace;
- uploads are capped in size, written to the visitor's private folder and read by the command
  line's validating readers; any error becomes a message on the page and the server goes on.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import logging
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from fsr_opt import __version__
from fsr_opt.app.pipeline import load_inputs
from fsr_opt.core.errors import ErrorCode, FsrOptError, InputError, Problem, warn
from fsr_opt.core.i18n import _, use_language
from fsr_opt.core.words import DEFAULT_LANGUAGE, LANGUAGES, WORDS, text, with_year
from fsr_opt.web.downloads import Downloads, run_zip
from fsr_opt.web.page import comparison, explanation, problems, state
from fsr_opt.web.parameters import (
    ELIGIBILITY_SWITCHES,
    RESIDUAL_SCOPES,
    Parameters,
    ShareMove,
    parse_euros,
    parse_percent,
    rebalance_shares,
    rule_shares,
    same_share,
)
from fsr_opt.web.workspace import (
    DataSource,
    SolveSettings,
    Start,
    Workspace,
    Workspaces,
    clean_file_name,
    locked,
)

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD_MB = 20
WORKSPACE_COOKIE = "fsr_opt_workspace"
TOKEN_COOKIE = "fsr_opt_token"
TOKEN_HEADER = "x-fsr-opt-token"
# Sent by the page's script with every change; a form on another site cannot set it.
CHANGE_HEADER = "x-fsr-opt"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_PACKAGE = resources.files("fsr_opt.web")
_UNITS_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")
_RULES_SUFFIXES = (".yaml", ".yml", ".toml")


@dataclass(frozen=True)
class ServeConfig:
    """How ``fsr-opt serve`` runs.

    Attributes:
        units, rules: the files every new visitor starts from (None: the bundled ones).
        host, port: where to listen.
        token: the access token every request must carry; None on a loopback address.
        max_upload_bytes: the largest upload accepted.
        settings: the solver and its time limit.
        lang: the page's language until a visitor switches.
        workspaces: how many visitors' workspaces are kept at once.
    """

    units: Path | None = None
    rules: Path | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 1024 * 1024
    settings: SolveSettings = field(default_factory=SolveSettings)
    lang: str = DEFAULT_LANGUAGE
    workspaces: int = 50

    @property
    def url(self) -> str:
        """The address to open (with the token, when one is needed)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        query = f"/?token={self.token}" if self.token else "/"
        return f"http://{host}:{self.port}{query}"


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only (127.0.0.0/8, ::1 or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A fresh access token for a server reachable from other machines."""
    return secrets.token_urlsafe(18)


def source_of(config: ServeConfig) -> DataSource:
    """The server's own files, as a workspace names them."""
    return DataSource(
        config.units, config.rules,
        config.units.name if config.units else "",
        config.rules.name if config.rules else "",
    )


def check_port(host: str, port: int) -> None:
    """Refuse, before anything loads, a port another program holds.

    Raises:
        InputError: ``BAD_OPTION``, naming the port and the option to change it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(_("cannot listen on {host}:{port} ({error}); choose another port "
                               "with --port, or another address with --host").format(
                                   host=host, port=port, error=exc.strerror or exc),
                             ErrorCode.BAD_OPTION) from None


def prepare(config: ServeConfig) -> Start:
    """Load and solve the server's files once, before listening.

    The warnings of reading them are given again (the page shows them too): the command
    line prints them as ``fsr-opt solve`` does.

    Raises:
        FsrOptError: the files are bad or cannot be solved (the command line exits with it).
    """
    start = Start.load(source_of(config), config.settings)
    for problem in start.reading.problems:
        warn(problem)
    return start


# ---------------------------------------------------------------------------------------------
# Middleware
# ---------------------------------------------------------------------------------------------


class GuardMiddleware(BaseHTTPMiddleware):
    """Host check, access token and the security headers of every response."""

    def __init__(self, app: Any, config: ServeConfig) -> None:
        super().__init__(app)
        self.config = config

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Refuse what does not come from this machine's page; add the headers."""
        config = self.config
        lang = request.cookies.get("fsr_opt_lang", config.lang)
        lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        host = host_name(request.headers.get("host", ""))
        if config.token is None and host not in LOOPBACK_NAMES and host != config.host:
            return _refusal(text("web.refused.host", lang), 421)
        if config.token is not None:
            offered = (request.query_params.get("token") or request.headers.get(TOKEN_HEADER)
                       or request.cookies.get(TOKEN_COOKIE) or "")
            if not secrets.compare_digest(offered.encode(), config.token.encode()):
                return _refusal(text("web.refused.token", lang), 403)
            if request.query_params.get("token") and request.method == "GET":
                clean = request.url.remove_query_params("token")
                response: Response = RedirectResponse(str(clean.path) or "/", status_code=303)
                response.set_cookie(TOKEN_COOKIE, config.token, httponly=True,
                                    samesite="strict")
                return _secure(response)
        if request.method not in ("GET", "HEAD") and request.headers.get(CHANGE_HEADER) != "1":
            return _refusal(text("web.refused.origin", lang), 403)
        with use_language(lang):  # the messages made for this request speak the page's language
            return _secure(await call_next(request))


def host_name(header: str) -> str:
    """The name of a ``Host`` header without its port (``[::1]:8765`` -> ``[::1]``)."""
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0]


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _refusal(message: str, status: int) -> Response:
    page = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>fsr-opt</title></head>"
            f"<body><p>{message}</p></body></html>")
    return _secure(HTMLResponse(page, status_code=status))


# ---------------------------------------------------------------------------------------------
# The application
# ---------------------------------------------------------------------------------------------


class PlannerApp:
    """The routes, bound to the server's configuration and its visitors' workspaces."""

    def __init__(self, config: ServeConfig, start: Start) -> None:
        self.config = config
        self.workspaces = Workspaces(start, limit=config.workspaces)
        self.downloads: dict[int, Downloads] = {}
        self.templates = Environment(
            loader=FileSystemLoader(str(_PACKAGE / "templates")),
            autoescape=select_autoescape(["html"]), auto_reload=False)

    # -- the visitor's workspace -------------------------------------------------------------

    def _workspace(self, request: Request) -> tuple[Workspace, str | None]:
        """The visitor's workspace, or a new one (its id returned, to set the cookie)."""
        found = self.workspaces.get(request.cookies.get(WORKSPACE_COOKIE))
        if found is not None:
            return found, None
        lang = request.cookies.get("fsr_opt_lang", self.config.lang)
        workspace_id, workspace = self.workspaces.create(
            lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
        return workspace, workspace_id

    def _downloads(self, workspace: Workspace) -> Downloads:
        kept = self.downloads.get(id(workspace))
        if kept is None:
            kept = self.downloads[id(workspace)] = Downloads(self.config.settings)
            if len(self.downloads) > self.config.workspaces * 2:  # forget the oldest visitors
                for key in list(self.downloads)[: self.config.workspaces]:
                    del self.downloads[key]
        return kept

    @staticmethod
    def _with_cookie(response: Response, created: str | None, workspace: Workspace) -> Response:
        if created:
            response.set_cookie(WORKSPACE_COOKIE, created, httponly=True, samesite="strict")
        response.set_cookie("fsr_opt_lang", workspace.lang, samesite="strict")
        return response

    async def _act(
        self, request: Request, action: Callable[[Workspace], dict[str, Any]]
    ) -> Response:
        """Run `action` on the visitor's workspace in a worker thread; errors become JSON.

        A `FsrOptError` becomes the page's table of problems, in a normal answer (status 200:
        a refused file or value is an answer for the planner, not a failure of the page, and
        the browser logs no error for it); anything else is logged and becomes a short message
        (500). Either way the workspace keeps its previous state.
        """
        workspace, created = await run_in_threadpool(self._workspace, request)

        def guarded() -> tuple[int, dict[str, Any]]:
            with locked(workspace):
                try:
                    return 200, action(workspace)
                except FsrOptError as exc:  # the planner's to fix: answered, not failed
                    return 200, {"error": problems(exc, workspace.lang)}
                except Exception:
                    log.exception("internal error while serving %s", request.url.path)
                    return 500, {"error": {
                        "title": text("web.error.internal", workspace.lang), "count": 0,
                        "problems": [], "kept": text("web.error.kept", workspace.lang)}}

        status, body = await run_in_threadpool(guarded)
        return self._with_cookie(JSONResponse(body, status_code=status), created, workspace)

    # -- the page ----------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        """The page; its script then asks for `state`."""
        workspace, created = await run_in_threadpool(self._workspace, request)
        lang = workspace.lang
        year = workspace.current.inputs.rules.history_year  # "Assegnato 2024" and the like
        words = {key[len("web.js."):]: with_year(values[lang], year)
                 for key, values in WORDS.items() if key.startswith("web.js.")}
        page = self.templates.get_template("index.html").render(
            lang=lang, w=lambda key: with_year(text(f"web.{key}", lang), year),
            version=__version__,
            words=json.dumps(words, ensure_ascii=False),
            max_upload_mb=self.config.max_upload_bytes // (1024 * 1024),
            units_types=",".join(_UNITS_SUFFIXES), rules_types=",".join(_RULES_SUFFIXES))
        return self._with_cookie(HTMLResponse(page), created, workspace)

    async def get_state(self, request: Request) -> Response:
        """The whole page's data."""
        return await self._act(request, state)

    async def change(self, request: Request) -> Response:
        """Apply the controls' values and solve; answer the new state."""
        body = await _json(request)

        def act(workspace: Workspace) -> dict[str, Any]:
            parameters, moves = read_parameters(body, workspace)
            workspace.change(parameters)
            return state(workspace, moves)

        return await self._act(request, act)

    async def reset(self, request: Request) -> Response:
        """Back to the rules as written."""

        def act(workspace: Workspace) -> dict[str, Any]:
            workspace.change(Parameters())
            return state(workspace)

        return await self._act(request, act)

    async def language(self, request: Request) -> Response:
        """Switch the page's language (the page reloads)."""
        body = await _json(request)
        lang = str(body.get("lang", ""))

        def act(workspace: Workspace) -> dict[str, Any]:
            if lang in LANGUAGES:
                workspace.lang = lang
            return {"lang": workspace.lang}

        return await self._act(request, act)

    async def upload(self, request: Request) -> Response:
        """A units table or a rule set, sent as the request body with its file name."""
        kind = request.path_params["kind"]
        name = clean_file_name(request.query_params.get("name", ""))
        data, too_large = await _read_capped(request, self.config.max_upload_bytes)

        def act(workspace: Workspace) -> dict[str, Any]:
            lang = workspace.lang
            if too_large:
                raise InputError([Problem(text("web.error.too_large", lang).format(
                    name=name, limit=self.config.max_upload_bytes // (1024 * 1024)),
                    file=name, code=ErrorCode.FILE_TOO_LARGE)])
            path = workspace.upload_path(name)
            path.write_bytes(data)
            current = workspace.source
            if kind == "units":
                source = DataSource(path, current.rules, path.name, current.rules_name)
            else:
                source = DataSource(current.units, path, current.units_name, path.name)
            workspace.replace_source(source)
            return state(workspace)

        return await self._act(request, act)

    async def example(self, request: Request) -> Response:
        """Start again from the bundled example and rule set."""

        def act(workspace: Workspace) -> dict[str, Any]:
            workspace.replace_source(DataSource(None, None, "", ""))
            return state(workspace)

        return await self._act(request, act)

    async def save(self, request: Request) -> Response:
        """Keep the current scenario under a name."""
        body = await _json(request)

        def act(workspace: Workspace) -> dict[str, Any]:
            workspace.save(str(body.get("name", "")))
            return state(workspace)

        return await self._act(request, act)

    async def forget(self, request: Request) -> Response:
        """Drop a saved scenario."""
        key = request.path_params["key"]

        def act(workspace: Workspace) -> dict[str, Any]:
            workspace.forget(key)
            return state(workspace)

        return await self._act(request, act)

    async def unit(self, request: Request) -> Response:
        """One unit explained, in one scenario."""
        key = request.query_params.get("scenario", "current")
        unit_id = request.query_params.get("id", "")
        return await self._act(request, lambda workspace: explanation(
            workspace.scenario(key), unit_id, workspace.lang))

    async def compare(self, request: Request) -> Response:
        """Two scenarios compared (the first is the base)."""
        first = request.query_params.get("first", "base")
        second = request.query_params.get("second", "current")
        return await self._act(request, lambda workspace: comparison(
            workspace.scenario(first), workspace.scenario(second), workspace.lang))

    # -- downloads ---------------------------------------------------------------------------

    async def download(self, request: Request) -> Response:
        """A scenario's allocation.xlsx, report.html or whole run folder (zip)."""
        key = request.path_params["key"]
        name = request.path_params["name"]
        if name not in ("allocation.xlsx", "report.html", "riparto.zip"):
            return _refusal("404", 404)
        return await self._file(request, lambda workspace: self._scenario_file(
            workspace, key, name))

    def _scenario_file(self, workspace: Workspace, key: str, name: str) -> tuple[str, bytes]:
        made = self._downloads(workspace).run(workspace.scenario(key), workspace.lang)
        if name == "riparto.zip":
            return run_zip(made)
        return f"{made.folder}-{name}", made.files[name]

    async def download_comparison(self, request: Request) -> Response:
        """The comparison of two scenarios: compare.csv, its summary, a workbook, the text."""
        first = request.query_params.get("first", "base")
        second = request.query_params.get("second", "current")
        return await self._file(request, lambda workspace: self._downloads(
            workspace).comparison(workspace.scenario(first), workspace.scenario(second),
                                  workspace.lang))

    async def template(self, request: Request) -> Response:
        """The Excel template of the units table (the bundled example's workbook)."""
        return await self._file(request, lambda workspace: _template(workspace, self.config))

    async def _file(
        self, request: Request, make: Callable[[Workspace], tuple[str, bytes]]
    ) -> Response:
        workspace, created = await run_in_threadpool(self._workspace, request)

        def guarded() -> Response:
            with locked(workspace):
                try:
                    name, data = make(workspace)
                except FsrOptError as exc:
                    return JSONResponse({"error": problems(exc, workspace.lang)},
                                        status_code=422)
            media = {".xlsx": "application/vnd.openxmlformats-officedocument."
                              "spreadsheetml.sheet",
                     ".html": "text/html; charset=utf-8",
                     ".zip": "application/zip"}.get(Path(name).suffix, "application/octet-stream")
            return Response(data, media_type=media, headers={
                "Content-Disposition": f"attachment; filename=\"{clean_file_name(name)}\""})

        response = await run_in_threadpool(guarded)
        return self._with_cookie(response, created, workspace)

    def routes(self) -> list[Route | Mount]:
        """Every route of the server."""
        return [
            Route("/", self.index),
            Route("/api/state", self.get_state),
            Route("/api/change", self.change, methods=["POST"]),
            Route("/api/reset", self.reset, methods=["POST"]),
            Route("/api/language", self.language, methods=["POST"]),
            Route("/api/upload/{kind:str}", self.upload, methods=["POST"]),
            Route("/api/example", self.example, methods=["POST"]),
            Route("/api/scenarios", self.save, methods=["POST"]),
            Route("/api/scenarios/{key:str}/delete", self.forget, methods=["POST"]),
            Route("/api/unit", self.unit),
            Route("/api/compare", self.compare),
            Route("/download/compare.zip", self.download_comparison),
            Route("/download/template.xlsx", self.template),
            Route("/download/{key:str}/{name:str}", self.download),
            Mount("/static", StaticFiles(directory=str(_PACKAGE / "static")), name="static"),
        ]


def _template(workspace: Workspace, config: ServeConfig) -> tuple[str, bytes]:
    """The bundled units.xlsx: the Italian template, filled with the example."""
    bundled = Path(workspace.baseline.inputs.table.source) if (
        config.units is None and workspace.source.units is None) else Path(
        load_inputs(None, None).table.source)  # the bundled files, read to find them
    workbook = bundled.parent / "units.xlsx"
    if not workbook.is_file():
        raise InputError([Problem(text("web.error.no_template", workspace.lang),
                                  code=ErrorCode.FILE_NOT_FOUND)])
    return "modello-unita.xlsx", workbook.read_bytes()


async def _json(request: Request) -> dict[str, Any]:
    """The request's JSON object ({} when it is not one: the action then reports the gap)."""
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


async def _read_capped(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, read up to `limit` bytes; past it, nothing is kept (True: too large)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
    return b"".join(chunks), False


def read_parameters(
    body: dict[str, Any], workspace: Workspace
) -> tuple[Parameters, tuple[ShareMove, ...]]:
    """The controls' values as `Parameters`, keeping only what differs from the rule set.

    ``moved`` names the area whose share the planner just set: the others are then rebalanced
    (`rebalance_shares`) from the current shares. Every unreadable field is reported at once.

    Raises:
        InputError: ``BAD_OPTION``, one problem per unreadable field.
    """
    lang = workspace.lang
    base = workspace.baseline.inputs.rules
    current = workspace.current.inputs.rules
    problems_found: list[Problem] = []

    def attempt(reader: Callable[[], Any]) -> Any:
        try:
            return reader()
        except InputError as exc:
            problems_found.extend(exc.problems)
            return None

    # A field left empty is refused, naming the approved value: the page never puts a figure
    # the planner did not type in its place (absent from the body: kept as it is).
    fund = minimum = None
    if "fund" in body:
        fund = attempt(lambda: parse_euros(str(body["fund"]), text("web.control.fund", lang),
                                           lang, approved=base.fund, positive=True))
    if "minimum_award" in body:
        minimum = attempt(lambda: parse_euros(str(body["minimum_award"]),
                                              text("web.control.minimum", lang), lang,
                                              approved=base.minimum_award))
    shares = dict(rule_shares(current))
    moves: tuple[ShareMove, ...] = ()
    given = _mapping(body, "shares")
    labels = current.area_labels
    moved = str(body.get("moved", ""))
    for code, value_text in given.items():
        if code not in shares or (moved in given and code != moved) or (
                code != moved and same_share(str(value_text), shares[code])):
            continue
        value = attempt(functools.partial(parse_percent, str(value_text), labels[code], lang))
        if value is None:
            continue
        if code == moved:
            shares, moves = rebalance_shares(shares, moved, value)
        else:
            shares[code] = value
    switches = {}
    for name, on in _mapping(body, "switches").items():
        if name in ELIGIBILITY_SWITCHES and bool(on) != getattr(base.eligibility, name):
            switches[name] = bool(on)
    historical = {}
    lines = {service.code: service for area in base.areas for service in area.services}
    for code, euros in _mapping(body, "historical").items():
        service = lines.get(code)
        if service is None:
            continue
        amount = attempt(functools.partial(parse_euros, str(euros), service.label, lang))
        if amount is not None and _cents(amount) != service.historical:
            historical[code] = amount
    scope = body.get("residual_scope") or None
    if scope == base.residual_scope.value:  # the rule set's own scope is no change
        scope = None
    if problems_found:
        raise InputError(problems_found)
    base_shares = rule_shares(base)
    return Parameters(
        fund=fund if fund is not None and _cents(fund) != base.fund else None,
        shares=shares if shares != base_shares else {},
        minimum_award=(minimum if minimum is not None and _cents(minimum) != base.minimum_award
                       else None),
        switches=switches,
        historical=historical,
        residual_scope=scope if scope in RESIDUAL_SCOPES else None,
    ), moves


def _mapping(body: dict[str, Any], key: str) -> dict[str, Any]:
    """A JSON object of the request's body ({} when absent or not an object)."""
    found = body.get(key)
    return {str(name): value for name, value in found.items()} if isinstance(found, dict) else {}


def _cents(euros: str) -> int:
    whole, _, cents = euros.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])


def create_app(config: ServeConfig, start: Start | None = None) -> Starlette:
    """The ASGI application of ``fsr-opt serve`` (tests use it with Starlette's TestClient).

    Raises:
        FsrOptError: `start` not given and the server's files cannot be loaded or solved.
    """
    planner = PlannerApp(config, start or prepare(config))

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        planner.workspaces.close()

    app = Starlette(routes=planner.routes(), lifespan=lifespan,
                    middleware=[Middleware(GuardMiddleware, config=config)])
    app.state.planner = planner
    return app


def run(config: ServeConfig, start: Start, *, on_ready: Callable[[], None] | None = None) -> None:
    """Serve until interrupted (Ctrl-C).

    Args:
        config: where and how to serve.
        start: the server's files, loaded and solved (`prepare`).
        on_ready: called once the server listens (the command line opens the browser).
    """
    import uvicorn  # noqa: PLC0415 - the command line loads the server only for serve

    app = create_app(config, start)
    server = uvicorn.Server(uvicorn.Config(
        app, host=config.host, port=config.port, log_level="warning", access_log=False,
        server_header=False, log_config=None, lifespan="on"))
    if on_ready is not None:
        callback = on_ready

        def wait_then_call() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                callback()

        threading.Thread(target=wait_then_call, daemon=True).start()
    server.run()
