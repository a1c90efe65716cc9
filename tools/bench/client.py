"""A cheap HTTP client for the benchmark: http.client over one keep-alive connection, a cookie jar, and
just enough HTML form parsing to post a form the way a browser would.

The portal runs with production settings behind an assumed TLS proxy: every request says
``X-Forwarded-Proto: https`` (the header the settings trust, SECURE_PROXY_SSL_HEADER), so no redirect to
HTTPS happens and the secure cookies are sent back as a browser behind the proxy would send them.
"""

from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urlsplit

QUERY_HEADER = "x-vbe-queries"  # vbe.core.query_count.HEADER, lower-cased as http.client reads it
QUERY_KEY = ""  # the run's VBE_BENCH_QUERIES, sent as X-VBE-Bench (vbe.core.query_count.KEY_HEADER)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def queries(self) -> int | None:
        value = self.headers.get(QUERY_HEADER)
        return int(value) if value is not None and value.isdigit() else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Link:
    """One keep-alive connection; the clients (sessions) of one simulated user share it, as the tabs of
    one browser would, so a user holds one connection however many roles it plays."""

    def __init__(self, host: str, port: int, timeout: float = 120) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.connection: http.client.HTTPConnection | None = None

    def open(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Client:
    """One browser session: its own cookies, over its own connection or one shared ``link``."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        cookies: dict[str, str] | None = None,
        timeout: float = 120,
        link: Link | None = None,
    ) -> None:
        self.authority = f"{host}:{port}"
        self.cookies: dict[str, str] = dict(cookies or {})
        self.link = link or Link(host, port, timeout)

    def close(self) -> None:
        self.link.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: list[tuple[str, str]]) -> Response:
        return self.request("POST", path, body=urlencode(data).encode())

    def request(self, method: str, path: str, body: bytes | None = None) -> Response:
        headers = {
            "Host": self.authority,
            "X-Forwarded-Proto": "https",
            "User-Agent": "vbe-bench",
            "Accept": "text/html,*/*",
        }
        if QUERY_KEY:
            headers["X-VBE-Bench"] = QUERY_KEY
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            # What a browser sends with a form post; Django's CSRF check compares it with the host.
            headers["Origin"] = f"https://{self.authority}"
            headers["Referer"] = f"https://{self.authority}{path}"
        # A kept-alive connection the server has closed in the meantime fails on first use: retry once
        # on a fresh connection, which cannot have that problem (a second failure is a real error).
        for attempt in (1, 2):
            reused = self.link.connection is not None
            connection = self.link.open()
            start = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                raw = connection.getresponse()
                payload = raw.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                self.close()
                if reused and attempt == 1:
                    continue
                raise ConnectionError(f"{method} {path}: {exc!r}") from exc
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise ConnectionError(f"{method} {path}: {exc!r}") from exc
            seconds = time.perf_counter() - start
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, payload, seconds)
            self._remember(raw.msg.get_all("Set-Cookie") or [])
            if raw.will_close:
                self.close()
            return response
        raise AssertionError("unreachable")

    def _remember(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            jar = SimpleCookie()
            try:
                jar.load(line)
            except CookieError:
                continue
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel.value == "" and morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def wait_for(host: str, port: int, path: str, *, timeout: float, alive=lambda: True) -> None:
    """Until ``path`` answers 200 (a freshly started server), or TimeoutError."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the server exited while starting")
        client = Client(host, port, timeout=5)
        try:
            response = client.get(path)
            if response.status == 200:
                return
            last = f"status {response.status}"
        except ConnectionError as exc:
            last = str(exc)
        finally:
            client.close()
        time.sleep(0.25)
    raise TimeoutError(f"{path} did not answer 200 within {timeout:.0f} s ({last})")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Forms ----------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser would send as it stands
    radios: dict[str, list[str]] = field(default_factory=dict)  # every radio group's values, in order
    selects: dict[str, list[str]] = field(default_factory=dict)  # every select's option values, in order

    def names(self) -> set[str]:
        return {name for name, _value in self.fields} | set(self.radios) | set(self.selects)

    def filled(self, values: dict[str, str], *, pick: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """The form's own values with ``values`` put in (replacing), the first non-empty option of each
        drop-down in ``pick``, and a choice for every radio group nothing is checked in (its first value,
        as a person picking one would)."""
        chosen = dict(values)
        for name in pick:
            options = [o for o in self.selects.get(name, []) if o]
            if not options:
                raise LookupError(f"the drop-down {name!r} has no option to pick")
            chosen.setdefault(name, options[0])
        data = [(name, value) for name, value in self.fields if name not in chosen]
        data += list(chosen.items())
        present = {name for name, _value in data}
        for name, options in self.radios.items():
            if name not in present and options:
                data.append((name, options[0]))
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str], bool] | None = None  # name, options, selected, multiple
        self._option: str | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "radio":
                self._form.radios.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind == "checkbox":
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "image", "reset", "file"}:
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, [], [], "multiple" in a)
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._option = value
            if value is not None:
                self._select[1].append(value)
                if "selected" in a:
                    self._select[2].append(value)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._select is not None and self._option is None and data.strip():
            # <option>text</option> without a value attribute sends its text.
            self._select[1].append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            name, options, selected, multiple = self._select
            if self._form is not None:
                self._form.selects[name] = options
                # A single select sends its first option when none is selected; a multiple one nothing.
                chosen = selected if multiple else (selected[-1:] or options[:1])
                self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, parts = self._textarea
            if self._form is not None:
                text = "".join(parts)
                self._form.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with(html: str, field_name: str) -> Form:
    """The page's form that has a field called ``field_name`` (a page also has its sign-out form)."""
    for form in parse_forms(html):
        if field_name in form.names():
            return form
    raise LookupError(f"no form with a field {field_name!r} on the page")


def resolve(base_path: str, action: str) -> str:
    """A form's action as a path: empty means the page itself."""
    if not action:
        return base_path
    parts = urlsplit(action)
    if parts.path.startswith("/"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return base_path.rsplit("/", 1)[0] + "/" + parts.path
