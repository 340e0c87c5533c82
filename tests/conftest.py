from pathlib import Path

import pytest

import csvprep

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
RULES = HERE / "rules"
ROOT = HERE.parent


@pytest.fixture
def basic_rules() -> csvprep.Rules:
    return csvprep.load_rules(RULES / "basic.toml")


@pytest.fixture
def typed_rules() -> csvprep.Rules:
    return csvprep.load_rules(RULES / "typed.toml")
