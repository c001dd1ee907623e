"""OpenAI-style errors: `{"error": {"message", "type", "param", "code"}}` with OpenAI's status codes."""

from __future__ import annotations

import json
import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tunesmith.errors import InputError
from tunesmith.serve.schemas import ErrorDetail, ErrorResponse

log = logging.getLogger("tunesmith.serve")

# For the OpenAPI document: what every route may answer with besides its own response model.
ERROR_RESPONSES: dict = {"default": {"model": ErrorResponse, "description": "An error, in OpenAI's shape."}}


class APIError(Exception):
    """An error the API answers with: HTTP status plus OpenAI's error fields."""

    def __init__(
        self,
        status: int,
        message: str,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | int | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code
        self.headers = headers

    def body(self) -> dict:
        """The JSON body OpenAI's clients parse (an ErrorResponse)."""
        detail = ErrorDetail(message=redact_paths(self.message), type=self.type, param=self.param, code=self.code)
        return ErrorResponse(error=detail).model_dump()

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)

    async def send(self, send) -> None:
        """Answer at the ASGI level (for middleware that runs before any route)."""
        payload = json.dumps(self.body()).encode("utf-8")
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in (self.headers or {}).items()]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


# An absolute path on this machine: `/`, then at least two name parts (so `/v1/models`-style routes, which have no
# dotted or home-like part, are not what it is for: they are let through by ROUTE below).
_PATH = re.compile(r"(?<![\w.:/-])(?:~/|/)(?:[^\s/'\"`:,;()<>]+/)+[^\s/'\"`:,;()<>]*")
_ROUTE = re.compile(r"/(?:v1|admin|health|metrics)(?:/[\w{}.:-]*)*")


def redact_paths(message: str) -> str:
    """`message` with every server file path replaced by `<path>`: clients never learn the server's layout, even
    from an error text that quoted a path by mistake. API routes (`/v1/...`, `/admin/...`) are kept."""
    return _PATH.sub(lambda m: m.group(0) if _ROUTE.fullmatch(m.group(0)) else "<path>", message)


def invalid(message: str, param: str | None = None, code: str | None = "invalid_value") -> APIError:
    """400: a request parameter is wrong."""
    return APIError(400, message, param=param, code=code)


def model_not_found(name: str) -> APIError:
    """404 with OpenAI's `model_not_found` code."""
    message = f"The model `{name}` does not exist or you do not have access to it."
    return APIError(404, message, param="model", code="model_not_found")


def unauthorized() -> APIError:
    """401 for a missing or wrong API key (the key itself is never echoed)."""
    message = "Incorrect API key provided. Send it as `Authorization: Bearer <key>`."
    return APIError(401, message, code="invalid_api_key")


def forbidden(admin_configured: bool) -> APIError:
    """403 on `/admin/*` for a key that is not an admin key (or for anyone, when the server has no keys)."""
    if admin_configured:
        message = "This key may not use the admin API; it needs an admin key."
    else:
        message = "The admin API is closed: the server was started without an admin key."
    return APIError(403, message, code="insufficient_permissions")


def too_many(message: str, code: str, retry_after: int) -> APIError:
    """429: rate limit or full queue; `Retry-After` says when to try again."""
    return APIError(429, message, type="requests", code=code, headers={"Retry-After": str(retry_after)})


def shutting_down() -> APIError:
    """503 for the requests still in the server when it stops."""
    return APIError(503, "The server is shutting down.", type="server_error")


def too_large(limit: int) -> APIError:
    """413: the body is over the server's limit."""
    return APIError(413, f"Request body is larger than {limit} bytes.", code="request_too_large")


def install_handlers(app: FastAPI) -> None:
    """Answer every error, including FastAPI's own, with an OpenAI-style body."""
    app.add_exception_handler(APIError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(InputError, _input_error)
    app.add_exception_handler(Exception, _server_error)


async def _api_error(request: Request, exc: APIError) -> JSONResponse:
    return exc.response()


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Malformed JSON and wrong parameters are 400s (FastAPI would say 422)."""
    errors = exc.errors()
    first = errors[0] if errors else {}
    if first.get("type") == "json_invalid":
        message = "We could not parse the JSON body of your request. Send valid JSON."
        return invalid(message, code="invalid_json").response()
    loc = [str(part) for part in first.get("loc", ()) if part != "body"]
    param = ".".join(loc) or None
    if first.get("type") == "missing" and param:
        return invalid(f"Missing required parameter: '{param}'.", param, "missing_required_parameter").response()
    what = f"Invalid value for '{param}'" if param else "Invalid request body"  # a check of the whole body
    return invalid(f"{what}: {first.get('msg', 'invalid')}.", param).response()


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed"}
    error = APIError(exc.status_code, str(exc.detail), code=codes.get(exc.status_code))
    return error.response()


async def _input_error(request: Request, exc: InputError) -> JSONResponse:
    return invalid(str(exc)).response()


async def _server_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s", request.url.path)
    message = "The server had an error while processing your request."
    return APIError(500, message, type="server_error", code="internal_error").response()
