"""The typed environment helpers every setting is read through."""

from __future__ import annotations

import pytest

from organizer.env import EnvError, env_bool, env_int, env_list, env_str


def test_unset_variables_give_the_default(monkeypatch):
    monkeypatch.delenv("ORG_TEST_VAR", raising=False)
    assert env_str("ORG_TEST_VAR", "fallback") == "fallback"
    assert env_str("ORG_TEST_VAR") == ""
    assert env_bool("ORG_TEST_VAR", True) is True
    assert env_int("ORG_TEST_VAR", 42) == 42
    assert env_list("ORG_TEST_VAR", ["a"]) == ["a"]
    assert env_list("ORG_TEST_VAR") == []


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " y "])
def test_env_bool_reads_true_spellings(monkeypatch, raw):
    monkeypatch.setenv("ORG_TEST_VAR", raw)
    assert env_bool("ORG_TEST_VAR", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_reads_false_spellings(monkeypatch, raw):
    monkeypatch.setenv("ORG_TEST_VAR", raw)
    assert env_bool("ORG_TEST_VAR", True) is False


def test_env_bool_refuses_a_value_it_cannot_read_naming_the_variable(monkeypatch):
    monkeypatch.setenv("ORG_TEST_VAR", "maybe")
    with pytest.raises(EnvError, match="ORG_TEST_VAR"):
        env_bool("ORG_TEST_VAR", False)


def test_env_int_parses_and_treats_empty_as_default(monkeypatch):
    monkeypatch.setenv("ORG_TEST_VAR", " 25 ")
    assert env_int("ORG_TEST_VAR", 1) == 25
    monkeypatch.setenv("ORG_TEST_VAR", "")
    assert env_int("ORG_TEST_VAR", 7) == 7


def test_env_int_refuses_a_non_number_naming_the_variable(monkeypatch):
    monkeypatch.setenv("ORG_TEST_VAR", "sixty")
    with pytest.raises(EnvError, match="ORG_TEST_VAR"):
        env_int("ORG_TEST_VAR", 60)


def test_env_list_splits_trims_and_drops_empty_items(monkeypatch):
    monkeypatch.setenv("ORG_TEST_VAR", " example.org, .example.net ,, ")
    assert env_list("ORG_TEST_VAR") == ["example.org", ".example.net"]
    monkeypatch.setenv("ORG_TEST_VAR", "")
    assert env_list("ORG_TEST_VAR", ["default"]) == []


def test_env_str_returns_the_value_as_is(monkeypatch):
    monkeypatch.setenv("ORG_TEST_VAR", "postgresql://u@h/db")
    assert env_str("ORG_TEST_VAR", "x") == "postgresql://u@h/db"
