"""The one road to a campaign platform's API: httpx (sync), explicit timeouts, TLS verified, ``User-Agent:
csvprep/<version>``, the API key in its header and nowhere else, bounded retries with backoff that honour
``Retry-After``, errors as one line with the platform's own message, and a dry run that prints each request (the
key redacted) instead of sending it.

Only idempotent requests (GET) are retried on 429, 5xx and connection errors; any other request is retried only on
429, which says it was not carried out. A request that may have been carried out without an answer saying so (a
timeout, a 5xx) raises :class:`~csvprep.errors.PlatformError` with ``uncertain`` set, for the caller to find out
before deciding (a create lists the campaigns)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import PlatformError

REDACTED = "***"
DRY_RUN = object()  # what a request returns when it was only printed


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"csvprep/{version('csvprep')}"
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without installing
        return "csvprep/0"


@dataclass(frozen=True)
class Policy:
    """How long to wait and how often to try again: ``timeout`` seconds per request; ``retries`` more attempts of
    a retryable one, ``backoff`` seconds before the first (doubled each time), never more than ``max_wait`` (a
    ``Retry-After`` longer than that gives up instead); ``sleep`` waits (tests pass one that does not)."""

    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = time.sleep


@dataclass
class Upload:
    """A file of a multipart request: its field, the name it is sent under, its bytes, its content type."""

    name: str
    content: bytes
    content_type: str = "text/csv"

    @classmethod
    def of(cls, path: Path, content_type: str = "text/csv") -> Upload:
        return cls(path.name, path.read_bytes(), content_type)


@dataclass
class Http:
    """A platform's API at ``base_url``, the key sent in ``key_header``. ``title`` names the platform in messages;
    ``echo`` gets each request's description in a dry run."""

    title: str
    base_url: str
    key_header: str
    key: str
    policy: Policy = field(default_factory=Policy)
    dry_run: bool = False
    echo: Callable[[str], None] = print
    transport: Any = None  # an httpx transport (tests)

    def __post_init__(self) -> None:
        self._client = None

    def client(self):
        import httpx

        if self._client is None:
            self._client = httpx.Client(base_url=self.base_url.rstrip("/"), timeout=self.policy.timeout,
                                        verify=True, transport=self.transport, follow_redirects=False,
                                        headers={"User-Agent": user_agent(), "Accept": "application/json"})
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def redact(self, text: str) -> str:
        return text.replace(self.key, REDACTED) if self.key else text

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, json_body: Any = None,
                fields: dict[str, str] | None = None, files: dict[str, Upload] | None = None,
                raw: bool = False) -> Any:
        """Send one request; the answer's JSON (``raw``: its bytes and content type), or :data:`DRY_RUN`."""
        params = {k: v for k, v in (params or {}).items() if v is not None}
        if self.dry_run:
            self.echo(self.describe(method, path, params, json_body, fields, files))
            return DRY_RUN
        import httpx

        attempt = 0
        while True:
            try:
                response = self.client().request(
                    method, path, params=params or None, json=json_body, data=fields,
                    files={name: (f.name, f.content, f.content_type) for name, f in (files or {}).items()} or None,
                    headers={self.key_header: self.key})
            except httpx.TransportError as exc:
                sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                reason = self.redact(str(exc) or type(exc).__name__)
                if (method == "GET" or not sent) and attempt < self.policy.retries:
                    self._wait(attempt, None)
                    attempt += 1
                    continue
                what = "no answer in time" if isinstance(exc, httpx.TimeoutException) else \
                    "the connection failed" if sent else "cannot connect"
                raise PlatformError(f"{self.title}: {method} {path}: {what} ({reason})", None,
                                    uncertain=sent and method != "GET") from None
            status = response.status_code
            retryable = status == 429 or (method == "GET" and status >= 500)
            if retryable and attempt < self.policy.retries:
                wait = retry_after(response.headers.get("Retry-After"))
                if wait is None or wait <= self.policy.max_wait:
                    self._wait(attempt, wait)
                    attempt += 1
                    continue
            if status >= 400:
                raise PlatformError(f"{self.title}: {method} {path}: HTTP {status}: "
                                    f"{self.redact(platform_message(response))}", status,
                                    uncertain=status >= 500 and method != "GET") from None
            if raw:
                return response.content, response.headers.get("content-type", "")
            if not response.content:
                return None
            try:
                return response.json()
            except ValueError:
                raise PlatformError(f"{self.title}: {method} {path}: the answer is not JSON "
                                    f"({self.redact(response.text[:80])!r})", status) from None

    def _wait(self, attempt: int, retry_after_seconds: float | None) -> None:
        delay = self.policy.backoff * 2 ** attempt
        if retry_after_seconds is not None:
            delay = max(delay, retry_after_seconds)
        self.policy.sleep(min(delay, self.policy.max_wait))

    def describe(self, method: str, path: str, params: dict[str, Any], json_body: Any,
                 fields: dict[str, str] | None, files: dict[str, Upload] | None) -> str:
        """A request as a dry run prints it: method, URL, headers (the key redacted), then the body."""
        import httpx

        url = httpx.URL(self.base_url.rstrip("/") + path, params=params or None)
        lines = [f"{method} {url}", f"  {self.key_header}: {REDACTED}", f"  User-Agent: {user_agent()}"]
        if json_body is not None:
            lines += ["  Content-Type: application/json", "  " + json.dumps(json_body, ensure_ascii=False)]
        if fields or files:
            lines.append("  Content-Type: multipart/form-data")
            lines += [f"  {name}={value}" for name, value in (fields or {}).items()]
            lines += [f"  {name}=@{f.name} ({len(f.content):,} bytes, {f.content_type})"
                      for name, f in (files or {}).items()]
        return self.redact("\n".join(lines))


def created_once(send: Callable[[], Any], name: Any, find: Callable[[Any], dict[str, Any] | None]
                 ) -> tuple[Any, dict[str, Any] | None]:
    """A create sent never twice: ``(send()'s answer, None)``; after an error that leaves it unknown whether the
    platform created it (a timeout, a 5xx), ``(None, the campaign named name that find gives, marked
    _recovered)``. A :class:`PlatformError` when the list has no such campaign, or there is no name to look for."""
    try:
        return send(), None
    except PlatformError as exc:
        if not exc.uncertain or not name:
            raise
        found = find(name)
        if found is None:
            raise PlatformError(f"{exc} — the campaign list has no campaign named '{name}', so it was not created: "
                                "run again", exc.status) from None
        return None, {**found, "_recovered": True}


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def platform_message(response) -> str:
    """The platform's own message in an error answer, one line: Sarvam's ``{"error": {"message", "data":
    {"details"}}}``, a 422's ``detail`` list, a ``message`` or ``error`` string; else the body's first line."""
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text.split())
        return text[:200] or response.reason_phrase or "no message"
    return " ".join(_message(body).split())[:500] or response.reason_phrase or "no message"


def _message(body: Any) -> str:
    if isinstance(body, str):
        return body
    if isinstance(body, list):
        return "; ".join(_message(item) for item in body[:10])
    if not isinstance(body, dict):
        return json.dumps(body)
    error = body.get("error")
    if isinstance(error, dict):
        text = str(error.get("message") or error.get("type") or "")
        details = (error.get("data") or {}).get("details") if isinstance(error.get("data"), dict) else None
        return f"{text} ({_message(details)})" if details else text
    if "detail" in body:  # a 422's validation errors: [{loc, msg}]
        detail = body["detail"]
        if isinstance(detail, list):
            return "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" if isinstance(d, dict)
                             else str(d) for d in detail[:10])
        return _message(detail)
    for key in ("message", "error", "errors", "title"):
        if body.get(key):
            return _message(body[key])
    return json.dumps(body)[:200]
