"""FastAPI's request validation errors, answered in Chinese and English without echoing the request.

FastAPI's own 422 repeats each refused value (`input`) and pydantic's English message: a body with an
ID number, a name and a phone came back with all three. Here each error keeps only where it is (`loc`)
and what kind it is (`type`), with a fixed bilingual sentence per kind. The key of an unknown field is
left out of its `loc` too, since a client may have put anything there.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填项", "required"),
    "extra_forbidden": ("不认识的字段", "unknown field"),
    "string_type": ("应为文本", "must be text"),
    "string_pattern_mismatch": ("格式不符", "does not have the expected form"),
    "string_too_short": ("太短", "too short"),
    "string_too_long": ("太长", "too long"),
    "int_type": ("应为整数", "must be a whole number"),
    "int_parsing": ("应为整数", "must be a whole number"),
    "float_type": ("应为数字", "must be a number"),
    "float_parsing": ("应为数字", "must be a number"),
    "bool_type": ("应为是或否", "must be true or false"),
    "bool_parsing": ("应为是或否", "must be true or false"),
    "date_type": ("应为日期 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "date_parsing": ("应为日期 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "date_from_datetime_parsing": ("应为日期 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "date_from_datetime_inexact": ("应为日期 YYYY-MM-DD", "must be a date, YYYY-MM-DD"),
    "datetime_type": ("应为时间", "must be an ISO date-time"),
    "datetime_parsing": ("应为时间", "must be an ISO date-time"),
    "enum": ("不在可选值中", "is not one of the allowed values"),
    "literal_error": ("不在可选值中", "is not one of the allowed values"),
    "greater_than_equal": ("太小", "too small"),
    "less_than_equal": ("太大", "too large"),
    "json_invalid": ("不是有效的 JSON", "is not valid JSON"),
    "model_attributes_type": ("应为对象", "must be an object"),
    "dict_type": ("应为对象", "must be an object"),
    "list_type": ("应为列表", "must be a list"),
}
_OTHER = ("取值无效", "invalid value")


def describe(error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error as the client reads it: where, what kind, and why in both languages."""
    kind = str(error.get("type", ""))
    loc = list(error.get("loc", ()))
    if kind == "extra_forbidden" and loc:
        loc = loc[:-1]
    zh, en = _MESSAGES.get(kind, _OTHER)
    where = ".".join(str(part) for part in loc[1:]) or (str(loc[0]) if loc else "request")
    return {"loc": loc, "type": kind, "zh": f"{where}：{zh}", "en": f"{where}: {en}"}


async def _answer(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": [describe(dict(e)) for e in exc.errors()]}, status_code=422)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _answer)
