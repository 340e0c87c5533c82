"""Fake SigmaMind and Sarvam servers for the tests: real HTTP on 127.0.0.1 (http.server in a thread, so that no
test dependency is needed beyond the standard library), implementing the documented contract — the X-API-Key
header (401 without it), create's multipart fields, PATCH bodies, pagination, Sarvam's status rules and its
asynchronous cohorts — and scripted faults (a 503 before an answer, a create that answers too late)."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

KEY = "sk-test-SECRET-0123456789"
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


def multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    """Form fields of a multipart body: name -> (file name or None, bytes)."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[name] = (part.get_filename(), part.get_payload(decode=True))
    return parts


class Fake:
    """What every fake shares: the server, the log of requests, scripted answers."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict]] = []  # (status, headers) answered before the real answer, GETs only
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlparse(self.path)
                fake.requests.append({"method": self.command, "path": url.path, "query": parse_qs(url.query),
                                      "headers": dict(self.headers), "body": body})
                if self.headers.get("X-API-Key") != KEY:
                    return self._answer(401, {"message": "Unauthorized: missing or invalid X-API-Key"})
                if self.command == "GET" and fake.script:
                    status, headers = fake.script.pop(0)
                    return self._answer(status, {"message": "try again"}, headers)
                status, answer, *rest = fake.handle(self.command, url.path, parse_qs(url.query), self.headers, body)
                self._answer(status, answer, rest[0] if rest else {})

            def _answer(self, status, answer, headers=None):
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                kind = "text/csv" if isinstance(answer, bytes) else "application/json"
                for name, value in {"Content-Type": kind, **(headers or {})}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def handle(self, method, path, query, headers, body):  # pragma: no cover - each fake has its own
        raise NotImplementedError


class FakeSigmaMind(Fake):
    """``row_base``: how its errors count rows, ``header`` (the header is row 1) or ``data``; it refuses a number
    in ``refuse_numbers`` and a row whose column ``required`` is empty. ``create_fault``: ``late`` (creates, then
    answers after ``delay`` seconds) or ``503`` (creates, then answers 503)."""

    def __init__(self, row_base="header", refuse_numbers=(), required=(), create_fault=None, delay=1.0) -> None:
        super().__init__()
        self.campaigns: dict[str, dict] = {}
        self.row_base, self.refuse_numbers, self.required = row_base, set(refuse_numbers), tuple(required)
        self.create_fault, self.delay = create_fault, delay
        self.uploads: list[dict] = []

    def handle(self, method, path, query, headers, body):
        if path == "/v1/campaigns" and method == "POST":
            return self.create(headers, body)
        if path == "/v1/campaigns" and method == "GET":
            page, size = int(query.get("page", ["0"])[0]), int(query.get("size", ["10"])[0])
            status = query.get("status", [None])[0]
            items = [c for c in self.campaigns.values() if status is None or c["campaignStatus"] == status]
            chunk = items[page * size:(page + 1) * size]
            pages = max(1, -(-len(items) // size))
            return 200, {"data": chunk, "page": page, "size": size, "totalCount": len(items), "totalPages": pages,
                         "hasNext": page + 1 < pages, "hasPrevious": page > 0}
        match = re.fullmatch(r"/v1/campaigns/([^/]+)", path)
        if not match or match.group(1) not in self.campaigns:
            return 404, {"message": "Campaign not found"}
        record = self.campaigns[match.group(1)]
        if method == "GET":
            return 200, record
        if method == "PATCH":
            if headers.get("Content-Type", "").split(";")[0] != "application/json":
                return 415, {"message": "PATCH takes application/json"}
            change = json.loads(body)
            if "variables" in change:
                return 422, {"message": "unknown field 'variables' (the update names it dynamicVariables)"}
            for key, value in change.items():
                record[{"isScheduled": "scheduled"}.get(key, key)] = value
            return 200, record
        return 405, {"message": "method not allowed"}

    def create(self, headers, body):
        if not headers.get("Content-Type", "").startswith("multipart/form-data"):
            return 415, {"message": "create takes multipart/form-data"}
        form = multipart(headers["Content-Type"], body)
        missing = [f for f in ("campaignName", "sipPhoneNumber", "agentId", "file") if f not in form]
        if missing:
            return 400, {"message": f"missing required fields: {', '.join(missing)}"}
        fields = {k: v.decode() for k, (filename, v) in form.items() if filename is None}
        if any(c["campaignName"] == fields["campaignName"] for c in self.campaigns.values()):
            return 409, {"message": f"a campaign named '{fields['campaignName']}' already exists"}
        if "variables" in fields:
            json.loads(fields["variables"])  # sent as a JSON string
        rows = list(csv.reader(io.StringIO(form["file"][1].decode("utf-8"))))
        header, data = rows[0], rows[1:]
        errors = []
        phone = header.index("Phone Number") if "Phone Number" in header else 0
        for index, row in enumerate(data):
            number = index + (2 if self.row_base == "header" else 1)
            if row[phone] in self.refuse_numbers or not E164.match(row[phone]):
                errors.append(f"Row {number}: invalid phone number '{row[phone]}'")
            for name in self.required:
                if name not in header or not row[header.index(name)].strip():
                    errors.append(f"Row {number}: missing required variable '{name}'")
        campaign_id = f"camp_{len(self.campaigns) + 1:04d}"
        scheduled = fields.get("isScheduled") == "true"
        record = {"campaignId": campaign_id, "campaignName": fields["campaignName"],
                  "campaignStatus": "scheduled" if scheduled else "live",
                  "scheduledDate": fields.get("scheduledDate") if scheduled else None,
                  "concurrentCalls": int(fields.get("concurrentCalls", 1)), "agent": {"agentId": fields["agentId"]},
                  "phoneNumber": {"sipPhoneNumber": fields["sipPhoneNumber"]}, "errors": errors,
                  "scheduled": scheduled}
        self.campaigns[campaign_id] = record
        self.uploads.append({"fields": fields, "file": form["file"]})
        if self.create_fault == "late":
            self.create_fault = None
            time.sleep(self.delay)
        elif self.create_fault == "503":
            self.create_fault = None
            return 503, {"message": "upstream timeout"}
        return 200, record
