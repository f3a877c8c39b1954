from pathlib import Path

import pytest

from lookback.auth.users import UserStore


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "users.json"


@pytest.fixture
def store(users_file: Path) -> UserStore:
    return UserStore(users_file)
