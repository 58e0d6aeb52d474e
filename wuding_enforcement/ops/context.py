"""The request id and the user id of the request being served, for log lines and failure pages.

Context variables (not thread-locals or module dicts): each request, thread or task sees its own values.
"""

import contextvars
import re
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="")

# An id the proxy set (nginx's $request_id is 32 hex digits) is kept so that its access log and ours agree;
# anything else is replaced, so a client cannot write arbitrary text into every log line.
_ACCEPTED = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def new_request_id(incoming: str | None = None) -> str:
    if incoming and _ACCEPTED.match(incoming):
        return incoming
    return uuid.uuid4().hex[:16]
