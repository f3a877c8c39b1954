"""FastAPI dependencies that turn a bearer token into a `User` and refuse what the policy does not allow.

The bearer credential is a token (the CLI's) or an assertion the workbench signed for the person
signed in there (`lookback.auth.assertions`): the workbench acts for people through the same API.

Handlers take the actor for events from the `User` these return (`user.actor`), never from the request.
The store is `app.state.users`; a service that sets nothing gets the store named by the environment,
and tests set their own.

    @router.post("/import")
    def import_roster(user: Annotated[User, Depends(require(Action.IMPORT_ROSTER))]) -> ...

    @router.post("/cases/{case_id}/start")
    def start(case_id: str, user: Annotated[User, Depends(current_user)]) -> ...:
        case = load(case_id)
        check(user, Action.START, Scope(case.village, case.lead_unit))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lookback.auth import assertions
from lookback.auth.policy import Action, Scope, allowed
from lookback.auth.users import User, UserStore, default_users_file

# auto_error=False: HTTPBearer's own error is a 403 without WWW-Authenticate; a missing token is a 401.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="`lookback users add NAME --role …` prints a token; send it as `Authorization: Bearer <token>`.",
)


def user_store(request: Request) -> UserStore:
    store: UserStore | None = getattr(request.app.state, "users", None)
    if store is None:
        store = request.app.state.users = UserStore(default_users_file())
    return store


def assertion_key(request: Request) -> bytes | None:
    """The workbench's signing key, kept once found (tests set `app.state.assertion_key`)."""
    key: bytes | None = getattr(request.app.state, "assertion_key", None)
    if key is None:
        key = request.app.state.assertion_key = assertions.read_key()
    return key


def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    store: Annotated[UserStore, Depends(user_store)],
) -> User:
    """The caller, or 401. Sync on purpose: FastAPI runs it in a thread, where the file `stat` may block."""
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "需要令牌 / a bearer token is required (Authorization: Bearer <token>)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    user = store.verify(credentials.credentials)
    if user is None and (key := assertion_key(request)) is not None:
        name = assertions.verify(credentials.credentials, key)
        user = store.get(name) if name else None  # a user removed meanwhile is refused at once
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "令牌无效 / invalid or revoked token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return user


def check(user: User, action: Action, scope: Scope | None = None) -> None:
    """Raise 403 unless allowed; for handlers that must load the case before they know its scope."""
    if not allowed(user, action, scope):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"无权执行 / not allowed: {action.value}")


def require(action: Action) -> Callable[[User], User]:
    """A dependency for town-wide actions: the caller if the role may do `action` anywhere, else 403."""

    def dependency(user: Annotated[User, Depends(current_user)]) -> User:
        check(user, action)
        return user

    return dependency
