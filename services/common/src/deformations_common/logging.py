"""structlog JSON logs with personal data redacted.

Every line passes the same redaction: the service's own (structlog) and those of the
libraries that log through the standard library (uvicorn, asyncpg, aio-pika,
FastStream), rendered by the same processors. Values of sensitive keys are dropped,
e-mail addresses, phone numbers and bearer tokens masked, and URLs scrubbed: the
values of query-string tokens (``token=``, ``code=``, ``state=``…) and passwords.
"""

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from opentelemetry import trace

REDACTED = "[redacted]"
_SENSITIVE_KEYS = frozenset(
    {
        "email",
        "e_mail",
        "mail",
        "phone",
        "telephone",
        "first_name",
        "last_name",
        "full_name",
        "name_of_person",
        "address",
        "password",
        "token",
        "authorization",
        "secret",
        "body_text",
    }
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_BEARER = re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]+")
# Query-string parameters that carry a capability (e-mail links, OAuth round trips).
_QUERY_SECRET = re.compile(
    r"(?i)([?&;](?:token|code|state|access_token|id_token|refresh_token|secret|password"
    r"|signature|sig|key)=)[^&;#\s\"'<>]*"
)
# The password of a URL's user information: scheme://user:password@host.
_URL_PASSWORD = re.compile(r"([a-z][a-z0-9+.-]*://[^:/?#@\s]+:)[^@/?#\s]+@", re.I)


def scrub_url(value: str) -> str:
    """``value`` with the values of query-string secrets and URL passwords masked."""
    if "=" in value:
        value = _QUERY_SECRET.sub(lambda m: m.group(1) + REDACTED, value)
    if "@" in value:
        value = _URL_PASSWORD.sub(lambda m: m.group(1) + "***@", value)
    return value


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        value = scrub_url(value)
        value = _EMAIL.sub(REDACTED, value)
        value = _PHONE.sub(REDACTED, value)
        return _BEARER.sub("Bearer " + REDACTED, value)
    if isinstance(value, dict):
        return {k: REDACTED if _is_sensitive(k) else _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def _is_sensitive(key: object) -> bool:
    return isinstance(key, str) and key.lower() in _SENSITIVE_KEYS


def redact_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Processor: drops values of sensitive keys and masks e-mails and phone numbers."""
    for key in list(event_dict):
        event_dict[key] = REDACTED if _is_sensitive(key) else _scrub(event_dict[key])
    return event_dict


def add_trace_context(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Processor: the trace and span of the current span, if any (an HTTP request's, an
    event's), so that a log line leads to its trace. Costs nothing per message: it runs
    only for lines actually logged."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", trace.format_trace_id(context.trace_id))
        event_dict.setdefault("span_id", trace.format_span_id(context.span_id))
    return event_dict


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    shared: list[Any] = [
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_personal_data,
        # After redaction: a hexadecimal id can look like a phone number.
        add_trace_context,
    ]
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, *shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    # Libraries log through the standard library: the same processors render their
    # records (message, arguments and traceback redacted alike), with the logger's name.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    logging.basicConfig(level=max(numeric, logging.WARNING), handlers=[handler], force=True)


def get_logger(**context: Any) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(**context)
    return logger
