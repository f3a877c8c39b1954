from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from lookback.auth import assertions
from lookback.auth.fastapi import check, current_user, require
from lookback.auth.policy import Action, Scope
from lookback.auth.users import Role, User, UserStore


def make_app(store: UserStore | None) -> FastAPI:
    app = FastAPI()
    if store is not None:
        app.state.users = store

    @app.get("/reports")
    def reports(user: Annotated[User, Depends(require(Action.READ_REPORTS))]) -> dict[str, str]:
        return {"actor": user.actor}

    @app.post("/cases/{village}/{unit}/start")
    def start(village: str, unit: str, user: Annotated[User, Depends(current_user)]) -> dict[str, str]:
        check(user, Action.START, Scope(village, unit))
        return {"actor": user.actor}

    return app


@pytest.fixture
def tokens(store: UserStore) -> dict[str, str]:
    return {
        "station": store.add("zhan", Role.STATION),
        "cadre": store.add("li", Role.VILLAGE, village="石门村"),
        "auditor": store.add("sun", Role.AUDITOR),
    }


@pytest.fixture
def client(store: UserStore, tokens: dict[str, str]) -> TestClient:
    return TestClient(make_app(store))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic emhhbjpzZWNyZXQ="}, {"Authorization": "Bearer"}])
def test_no_token_is_401(client: TestClient, headers: dict[str, str]):
    response = client.get("/reports", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"].startswith("需要令牌 / a bearer token is required")


def test_a_bad_token_is_401_and_not_echoed(client: TestClient, tokens: dict[str, str]):
    wrong = tokens["station"][:-2] + "xx"
    response = client.get("/reports", headers=bearer(wrong))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"detail": "令牌无效 / invalid or revoked token"}
    assert wrong not in response.text


def test_a_role_without_the_action_is_403(client: TestClient, tokens: dict[str, str]):
    response = client.get("/reports", headers=bearer(tokens["cadre"]))
    assert response.status_code == 403
    assert response.json() == {"detail": "无权执行 / not allowed: read_reports"}
    assert client.post("/cases/石门村/县教育局/start", headers=bearer(tokens["auditor"])).status_code == 403


def test_a_foreign_case_is_403(client: TestClient, tokens: dict[str, str]):
    response = client.post("/cases/桃园村/县教育局/start", headers=bearer(tokens["cadre"]))
    assert response.status_code == 403


def test_allowed_requests_pass_with_the_token_s_user_as_actor(client: TestClient, tokens: dict[str, str]):
    assert client.get("/reports", headers=bearer(tokens["auditor"])).json() == {"actor": "user:sun"}
    response = client.post("/cases/石门村/县教育局/start", headers=bearer(tokens["cadre"]), json={"actor": "user:zhan"})
    assert response.status_code == 200
    assert response.json() == {"actor": "user:li"}


def test_a_rotated_token_stops_working_without_a_restart(client: TestClient, store: UserStore, tokens: dict[str, str]):
    assert client.get("/reports", headers=bearer(tokens["station"])).status_code == 200
    new = store.rotate("zhan")
    assert client.get("/reports", headers=bearer(tokens["station"])).status_code == 401
    assert client.get("/reports", headers=bearer(new)).status_code == 200


def test_without_a_store_the_environment_names_the_file(
    users_file: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LOOKBACK_USERS_FILE", str(users_file))
    client = TestClient(make_app(None))
    assert client.get("/reports", headers=bearer(tokens["station"])).status_code == 200


def test_openapi_shows_the_bearer_scheme(client: TestClient):
    schema = client.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["token"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "lookback users add" in scheme["description"]
    assert schema["paths"]["/reports"]["get"]["security"] == [{"token": []}]
    assert schema["paths"]["/cases/{village}/{unit}/start"]["post"]["security"] == [{"token": []}]


def test_an_assertion_signed_with_the_workbench_key_acts_as_its_person(store: UserStore, tokens: dict[str, str]):
    app = make_app(store)
    app.state.assertion_key = b"k" * 32
    client = TestClient(app)
    good = assertions.sign("li", b"k" * 32)
    assert client.post("/cases/石门村/x/start", headers=bearer(good)).json() == {"actor": "user:li"}
    assert client.get("/reports", headers=bearer(good)).status_code == 403  # the policy still decides
    forged = assertions.sign("zhan", b"other key")
    assert client.get("/reports", headers=bearer(forged)).status_code == 401
    store.remove("li")
    assert client.post("/cases/石门村/x/start", headers=bearer(good)).status_code == 401
