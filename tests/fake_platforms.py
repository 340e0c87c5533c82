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
                if url.path.startswith("/download/"):  # storage, not the API: no key wanted
                    return self._answer(*fake.download(url.path))
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

    def download(self, path):
        return 404, b"not found"

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


class FakeSarvam(Fake):
    """Sarvam's scheduling API for one workspace: campaigns born ``scheduled``, updates refused (422) unless paused
    or scheduled, status actions, cohorts processed asynchronously (``processing`` for ``polls`` GETs), rows
    rejected for an invalid phone or an empty required column, the rejected rows as CSV with ``rejected_reason``
    (``as_url``: JSON naming a URL to it, as Sarvam may answer)."""

    ORG, WORKSPACE = "org_1", "ws_1"

    def __init__(self, polls=2, refuse_numbers=(), as_url=False) -> None:
        super().__init__()
        self.campaigns: dict[str, dict] = {}
        self.cohorts: dict[str, dict] = {}
        self.polls, self.refuse_numbers, self.as_url = polls, set(refuse_numbers), as_url
        self.prefix = f"/v1/orgs/{self.ORG}/workspaces/{self.WORKSPACE}"

    def handle(self, method, path, query, headers, body):
        if not path.startswith(self.prefix):
            return 404, {"error": {"message": "not found", "type": "not_found", "code": 404}}
        path = path[len(self.prefix):]
        if path == "/campaigns" and method == "POST":
            data = json.loads(body)
            campaign_id = f"sc_{len(self.campaigns) + 1:03d}"
            self.campaigns[campaign_id] = {"campaign_id": campaign_id, "name": data["name"], "status": "scheduled",
                                           "app_id": data.get("app_config", {}).get("app_id", "")}
            return 200, self.campaigns[campaign_id]
        if path == "/campaigns" and method == "GET":
            offset, limit = int(query.get("offset", ["0"])[0]), int(query.get("limit", ["10"])[0])
            if limit > 100:
                return 422, {"error": {"message": "limit must be at most 100", "type": "validation", "code": 422}}
            status = query.get("campaign_status", [None])[0]
            items = [c for c in self.campaigns.values() if status is None or c["status"] == status]
            page = items[offset:offset + limit]
            more = offset + limit < len(items)
            return 200, {"items": page, "total": len(items), "limit": limit, "offset": offset,
                         "next_page_uri": f"/campaigns?offset={offset + limit}" if more else None,
                         "prev_page_uri": None}
        match = re.fullmatch(r"/campaigns/([^/]+)(/.*)?", path)
        if not match or match.group(1) not in self.campaigns:
            return 404, {"error": {"message": "campaign not found", "type": "not_found", "code": 404}}
        campaign, rest = self.campaigns[match.group(1)], match.group(2) or ""
        if rest == "" and method == "GET":
            return 200, campaign
        if rest == "" and method == "PATCH":
            if campaign["status"] not in ("paused", "scheduled"):
                return 422, {"error": {"message": "Campaign can only be updated in paused or scheduled status",
                                       "type": "invalid_state", "code": 422, "data": {"details": campaign["status"]}}}
            campaign.update({k: v for k, v in json.loads(body).items() if k in ("name", "description")})
            return 200, campaign
        if rest == "/status" and method == "PUT":
            action = json.loads(body).get("action")
            moves = {("pause", "active"): "paused", ("resume", "paused"): "active", ("resume", "scheduled"): "active",
                     ("cancel", "active"): "cancelled", ("cancel", "paused"): "cancelled",
                     ("cancel", "scheduled"): "cancelled"}
            if (action, campaign["status"]) not in moves:
                return 422, {"error": {"message": f"cannot {action} a {campaign['status']} campaign",
                                       "type": "invalid_state", "code": 422}}
            campaign["status"] = moves[(action, campaign["status"])]
            return 200, campaign
        if rest == "/cohorts/upload" and method == "POST":
            return self.upload(campaign, headers, body)
        if rest == "/cohorts" and method == "GET":
            items = [c for c in self.cohorts.values() if c["campaign_id"] == campaign["campaign_id"]]
            return 200, {"items": [self.public(c) for c in items], "total": len(items), "limit": 100, "offset": 0}
        cohort_match = re.fullmatch(r"/cohorts/([^/]+)(/files)?", rest)
        if cohort_match and cohort_match.group(1) in self.cohorts:
            cohort = self.cohorts[cohort_match.group(1)]
            if cohort_match.group(2):
                if query.get("file_type") != ["rejected_records"]:
                    return 422, {"error": {"message": "file_type must be given", "code": 422}}
                if self.as_url:
                    return 200, {"file_type": "rejected_records", "url": f"{self.url}/download/{cohort['cohort_id']}"}
                return 200, cohort["rejected_csv"]
            cohort["polled"] += 1
            if cohort["polled"] > self.polls:
                cohort["status"] = "completed"
            return 200, self.public(cohort)
        return 404, {"error": {"message": "no such endpoint", "code": 404}}

    def download(self, path):
        cohort = self.cohorts.get(path.rsplit("/", 1)[-1])
        return (200, cohort["rejected_csv"]) if cohort else (404, b"not found")

    @staticmethod
    def public(cohort):
        return {k: v for k, v in cohort.items() if k not in ("rejected_csv", "polled", "files")}

    def upload(self, campaign, headers, body):
        form = multipart(headers["Content-Type"], body)
        if "name" not in form or "cohort_file" not in form:
            return 422, {"error": {"message": "name and cohort_file are required", "code": 422}}
        rows = list(csv.DictReader(io.StringIO(form["cohort_file"][1].decode("utf-8"))))
        cohort_id = f"coh_{len(self.cohorts) + 1:03d}"
        category = form.get("cohort_category", (None, b""))[1].decode() or None
        rejected = []
        if category != "stop_file":
            mapping = json.loads(form["cohort_transformation_file"][1])
            columns = [mapping["phone_number"]["column_name"], mapping["user_identifier"]["column_name"]]
            columns += [v["column_name"] for v in mapping.get("app_variables", {}).values()]
            header = list(rows[0]) if rows else []
            missing = [c for c in columns if c not in header]
            if missing or not rows:
                return 422, {"error": {"message": f"columns not in the file: {missing}" if missing else "no rows",
                                       "type": "validation", "code": 422}}
            phone = mapping["phone_number"]["column_name"]
            for row in rows:
                if row[phone] in self.refuse_numbers or not E164.match(row[phone]):
                    rejected.append({**row, "rejected_reason": "invalid_phone_number"})
        text = io.StringIO()
        if rejected:
            writer = csv.DictWriter(text, fieldnames=list(rejected[0]))
            writer.writeheader()
            writer.writerows(rejected)
        self.cohorts[cohort_id] = {"cohort_id": cohort_id, "campaign_id": campaign["campaign_id"],
                                   "name": form["name"][1].decode(), "category": category, "status": "processing",
                                   "result": {"total_records": len(rows), "valid_records": len(rows) - len(rejected),
                                              "rejected_records": len(rejected)},
                                   "rejected_csv": text.getvalue().encode(), "polled": 0,
                                   "files": {k: v for k, v in form.items()}}
        self.uploaded = form
        return 200, self.public(self.cohorts[cohort_id])
