from datetime import date
from decimal import Decimal

import pytest

from services.rules.domain.settings import RuleSettings


def test_defaults_are_the_plans():
    settings = RuleSettings()
    assert settings.line_for(date(2019, 12, 1)) == Decimal(4000)
    assert settings.strict_x is False


def test_the_line_can_differ_by_year_and_falls_back_to_the_default():
    settings = RuleSettings(income_line=Decimal(3800), income_lines_by_year={2020: Decimal(4200)})
    assert settings.line_for(date(2020, 1, 1)) == Decimal(4200)
    assert settings.line_for(date(2019, 12, 31)) == Decimal(3800)


def test_settings_are_a_value():
    lines = {2019: Decimal(4000)}
    settings = RuleSettings(income_lines_by_year=lines)
    lines[2019] = Decimal(1)
    assert settings.line_for(date(2019, 6, 1)) == Decimal(4000)
    assert settings == RuleSettings(income_lines_by_year={2019: Decimal(4000)})
    with pytest.raises(AttributeError):
        settings.strict_x = True  # type: ignore[misc]
