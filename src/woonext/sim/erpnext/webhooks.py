"""Frappe's Webhook doctype: the controller, and the background delivery of its requests.

As `frappe/integrations/doctype/webhook` does it (15.92, samples 50–62, 75, 80–82, 107): a doc event
raised in a transaction is queued per (webhook, document) — the last instance wins — and only once
the transaction commits is one job per pair enqueued; a worker sends it a moment later. The body is
`json.dumps(data)` (Python's ", " and ": " separators; JSON even for "Form URL-Encoded"), sent without
a Content-Type by python-requests; with security on, `X-Frappe-Webhook-Signature` is
base64(HMAC-SHA256(secret, body)). A failed try (connection error or an HTTP error status) is logged
in a Webhook Request Log and tried again after 1 s and 4 s more — three tries, then it is dropped;
a successful one is logged too. Nobody running the worker means nobody delivers.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import jinja2.sandbox

from .base import Controller, Ctx, Doc, FrappeError, throw
from .serialize import jsonable

if TYPE_CHECKING:
    from .sim import ErpSim

SIGNATURE_HEADER = "X-Frappe-Webhook-Signature"
USER_AGENT = "python-requests/2.32.5"
NOT_SUBMITTABLE_EVENTS = ("on_submit", "on_cancel", "on_update_after_submit")
TRIES = 3
_jinja = jinja2.sandbox.SandboxedEnvironment()


def secret_of(ctx: Ctx | Any, name: str) -> str:
    """The stored secret (Frappe keeps Password fields apart, in `__Auth`; documents show stars)."""
    row = ctx.get("__Auth", f"Webhook:{name}:webhook_secret")
    return str(row.get("password") or "") if row else ""


class WebhookController(Controller):
    doctype = "Webhook"

    def autoname(self, doc: Doc, ctx: Ctx) -> str | None:
        name = str(doc.pop("__newname", "") or "").strip()
        if not name:  # naming "Prompt" (sample 50)
            raise throw("Please set the document name")
        return name

    def validate(self, doc: Doc, ctx: Ctx) -> None:
        meta = getattr(ctx, "meta", lambda _: None)(str(doc.get("webhook_doctype") or ""))
        if meta is not None and not meta.is_submittable and doc.get("webhook_docevent") in NOT_SUBMITTABLE_EVENTS:
            raise throw("DocType must be Submittable for the selected Doc Event")  # sample 51
        if not httpx.URL(str(doc.get("request_url") or "")).host:
            raise throw("Check Request URL")
        if doc.get("request_structure") == "Form URL-Encoded":
            doc["webhook_json"] = None
        elif doc.get("request_structure") == "JSON":
            try:
                _jinja.parse(str(doc.get("webhook_json") or ""))
            except jinja2.TemplateSyntaxError as exc:
                raise throw(f"Syntax error in template: {exc}") from None
            doc["webhook_data"] = []
        keys = [row.get("fieldname") for row in doc.get("webhook_data") or []]
        if len(keys) != len(set(keys)):
            raise throw("Same Field is entered more than once")
        secret = str(doc.get("webhook_secret") or "")
        if secret and set(secret) != {"*"}:
            ctx.txn.put(  # type: ignore[attr-defined]
                {"doctype": "__Auth", "name": f"Webhook:{doc['name']}:webhook_secret", "password": secret}
            )
            doc["webhook_secret"] = "*" * len(secret)
        doc["meets_condition"] = (
            "Yes" if not doc.get("condition") else "Select a document to check if it meets conditions."
        )
        doc["preview_request_body"] = "Select a document to preview request data"


def webhook_data(doc: Doc, webhook: Doc) -> Any:
    """`get_webhook_data`: the field map, or the rendered Jinja template parsed as JSON."""
    as_dict = jsonable(doc)
    if webhook.get("webhook_data"):
        return {row["key"]: as_dict.get(row["fieldname"]) for row in webhook["webhook_data"]}
    if webhook.get("webhook_json"):
        return json.loads(_jinja.from_string(str(webhook["webhook_json"])).render(doc=as_dict))
    return {}


def _meets(webhook: Doc, doc: Doc) -> bool:
    condition = str(webhook.get("condition") or "").strip()
    if not condition:
        return True
    try:  # `frappe.safe_eval(condition, eval_locals={"doc": doc})`
        return bool(_jinja.compile_expression(condition)(doc=jsonable(doc)))
    except jinja2.TemplateError:
        return False


@dataclass
class Job:
    webhook: str
    doc: Doc
    due: datetime
    tries: int = 0


@dataclass
class Delivery:
    webhook: str
    reference_document: str
    url: str
    headers: dict[str, str]
    body: bytes
    status_code: int | None
    error: str
    at: datetime


@dataclass
class WebhookQueue:
    """The RQ queue and its worker for webhook jobs."""

    sim: ErpSim
    delay_s: float = 0.15  # enqueue after commit → a worker picks it up (observed 0.1–0.7 s)
    retry_after_s: tuple[float, ...] = (1.0, 4.0)  # `sleep(3 * i + 1)` after the 1st and 2nd failed try
    transport: httpx.AsyncBaseTransport | None = None
    jobs: list[Job] = field(default_factory=list)
    log: list[Delivery] = field(default_factory=list)

    def after_commit(self, events: list[tuple[str, str, Doc]]) -> None:
        """`flush_webhook_execution_queue`: one job per (webhook, document), the last instance."""
        if not events:
            return
        hooks = [w for w in self.sim.db.tables.get("Webhook", {}).values() if int(w.get("enabled") or 0)]
        if not hooks:
            return
        due = self.sim.clock.now() + timedelta(seconds=self.delay_s)
        chosen: dict[tuple[str, str], Doc] = {}
        for doctype, event, doc in events:
            for hook in hooks:
                if (
                    hook.get("webhook_doctype") == doctype
                    and hook.get("webhook_docevent") == event
                    and _meets(hook, doc)
                ):
                    key = (hook["name"], str(doc.get("name")))
                    chosen.pop(key, None)  # re-inserted at the end: the last instance keeps its place
                    chosen[key] = jsonable(doc)
        self.jobs += [Job(name, doc, due) for (name, _), doc in chosen.items()]

    async def run(self, now: bool = True) -> list[Delivery]:
        """Run the queued jobs: all of them (`now`), or those due by the simulator's clock."""
        moment = self.sim.clock.now()
        due = [j for j in self.jobs if now or j.due <= moment]
        self.jobs = [j for j in self.jobs if j not in due]
        done = []
        for job in due:
            delivery = await self._try(job)
            if delivery is not None:
                done.append(delivery)
        return done

    async def _try(self, job: Job) -> Delivery | None:
        webhook = self.sim.db.get("Webhook", job.webhook)
        if webhook is None:
            return None
        data = webhook_data(job.doc, webhook)
        body = json.dumps(data, default=str).encode()
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate, br", "Accept": "*/*"}
        headers["Connection"] = "keep-alive"
        if int(webhook.get("enable_security") or 0):
            key = secret_of(self.sim.db, job.webhook).encode()
            signed = base64.b64encode(hmac.new(key, json.dumps(data).encode(), hashlib.sha256).digest())
            headers[SIGNATURE_HEADER] = signed.decode()
        for row in webhook.get("webhook_headers") or []:
            if row.get("key") and row.get("value"):
                headers[str(row["key"])] = str(row["value"])
        url = str(webhook.get("request_url") or "")
        status, text, error = await self._send(
            str(webhook.get("request_method") or "POST"), url, headers, body, webhook
        )
        job.tries += 1
        self._log_request(job, url, headers, data, text, error)
        delivery = Delivery(
            job.webhook, str(job.doc.get("name")), url, headers, body, status, error, self.sim.clock.now()
        )
        self.log.append(delivery)
        if error and job.tries < TRIES:
            wait = self.retry_after_s[min(job.tries - 1, len(self.retry_after_s) - 1)]
            job.due = self.sim.clock.now() + timedelta(seconds=wait)
            self.jobs.append(job)
        return delivery

    async def _send(
        self, method: str, url: str, headers: dict[str, str], body: bytes, webhook: Doc
    ) -> tuple[int | None, str | None, str]:
        timeout = float(webhook.get("timeout") or 5)
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=timeout) as client:
                response = await client.request(method, url, content=body, headers=headers)
                response.raise_for_status()
                return response.status_code, response.text, ""
        except httpx.HTTPStatusError as exc:
            return exc.response.status_code, exc.response.text, traceback.format_exc()
        except httpx.HTTPError:
            return None, None, traceback.format_exc()

    def _log_request(
        self, job: Job, url: str, headers: dict[str, str], data: Any, text: str | None, error: str
    ) -> None:
        """`log_request`: one Webhook Request Log per try (the signature as a list of byte values)."""
        shown: dict[str, Any] = dict(headers)
        for key in ("User-Agent", "Accept-Encoding", "Accept", "Connection"):
            shown.pop(key, None)  # requests adds these itself: they are not in the logged headers
        if SIGNATURE_HEADER in shown:
            shown[SIGNATURE_HEADER] = list(shown[SIGNATURE_HEADER].encode())
        with contextlib.suppress(FrappeError):  # a log that cannot be written does not stop the delivery
            self.sim.insert(
                "Webhook Request Log",
                {
                    "webhook": job.webhook,
                    "reference_document": str(job.doc.get("name")),
                    "user": "Administrator",
                    "url": url,
                    "headers": json.dumps(shown, indent=1, sort_keys=True) if shown else None,
                    "data": json.dumps(data, indent=1, sort_keys=True) if data else None,
                    "response": text,
                    "error": error,
                },
                events=False,
            )
