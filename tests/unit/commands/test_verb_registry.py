"""The verb registry agrees with everything else that names a verb: the policy's actions, the
handlers, `help`, the option parser and the R5 matrix (PRODUCT.md's chat grammar, ACC-2, ACC-8).

A verb that is declared but unregistered, an action no verb asks for, a verb `help` never shows
to anyone, or a verb the R5 matrix does not try, each fails here rather than in production.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections import Counter
from dataclasses import dataclass

import pytest

import bot.commands
from bot.commands import escalate, list_cases, registry
from bot.commands.parser import OptionKind
from bot.commands.registry import HANDLERS, MODULES, VERBS
from bot.commands.verb import NoOptions, Verb
from bot.messages import YES_WORDS, Command, Help
from bot.policy import access
from bot.policy.access import Action

from . import test_r5_matrix
from .conftest import Person

CUSTOMER = "alice@acme.example"  # designated on acme: every customer verb
ANALYST = "ana@vendor.example"
COMMANDER = "ivan@vendor.example"
ADMIN = "adam@vendor.example"


def test_every_policy_action_is_asked_for_by_exactly_one_verb() -> None:
    asked = Counter(action for verb in VERBS.values() for action in verb.actions)
    assert {action: asked[action] for action in Action} == dict.fromkeys(Action, 1)


def test_every_verb_has_its_modules_handler_and_nothing_else_has_one() -> None:
    assert list(HANDLERS) == list(VERBS)
    for module in MODULES:
        assert HANDLERS[module.VERB.name] is module.handle


def test_acc_8_refusals_name_the_verb_as_it_is_typed() -> None:
    # The policy words its refusals with `Action.verb`; it must be what a person types.
    for verb in VERBS.values():
        assert verb.action.verb == verb.name
    assert Action.INCIDENT_DECLARE.verb == "incident declare"


def test_every_module_of_bot_commands_that_declares_a_verb_is_registered() -> None:
    declared = set()
    for info in pkgutil.iter_modules(bot.commands.__path__):
        module = importlib.import_module(f"bot.commands.{info.name}")
        verb = getattr(module, "VERB", None)
        if isinstance(verb, Verb):
            declared.add(verb.name)
    assert declared == set(VERBS)
    assert len(MODULES) == len(VERBS)  # no verb name is declared twice


def test_grammar_every_option_of_a_verb_is_in_its_usage_line_and_no_other() -> None:
    for verb in VERBS.values():
        in_usage = set(re.findall(r"--([a-z][a-z-]*)", verb.usage))
        assert in_usage == set(verb.kinds), verb.name


def test_r5_matrix_tries_every_verb_and_knows_the_level_each_customer_verb_needs() -> None:
    assert set(test_r5_matrix.COMMANDS) == set(VERBS)
    customer_verbs = {
        name for name, verb in VERBS.items() if access.required_level(verb.action) is not None
    }
    assert set(test_r5_matrix.NEEDS) == customer_verbs
    for name in customer_verbs:
        needed = access.required_level(VERBS[name].action)
        assert needed is not None and test_r5_matrix.NEEDS[name] == needed.value
    reads = {name for name, verb in VERBS.items() if verb.read_only}
    assert reads <= test_r5_matrix.READS  # a read verb changes nothing when allowed


async def _help(person: Person) -> dict[str, str]:
    reply = await person.say("help")
    assert isinstance(reply.body, Help)
    return {entry.verb: entry.usage for entry in reply.body.entries}


async def test_acc_2_acc_8_every_verb_is_in_help_with_its_usage_for_someone_allowed_to_use_it(
    chat,  # type: ignore[no-untyped-def]
) -> None:
    shown: dict[str, str] = {}
    for email in (CUSTOMER, ANALYST, COMMANDER, ADMIN):
        person = chat(email)
        listed = await _help(person)
        for name, usage in listed.items():
            assert usage == VERBS[name].usage
            one = await person.say(f"help {name}")
            assert isinstance(one.body, Help)
            assert [e.usage for e in one.body.entries] == [VERBS[name].usage]
        shown |= listed
    assert set(shown) == set(VERBS)
    # ... and in the registry's order, the order of `registry.MODULES`.
    analyst = list(await _help(chat(ANALYST)))
    assert analyst == [name for name in VERBS if name in analyst]


def test_registry_lookup_ignores_case_and_knows_no_other_words() -> None:
    assert registry.lookup("ESCALATE") is escalate.VERB
    assert registry.lookup("escalate-now") is None


@pytest.mark.parametrize("yes", sorted(YES_WORDS))
def test_esc_1_a_form_toggle_saying_yes_sets_the_flag(yes: str) -> None:
    # Teams toggles submit strings; Slack checkboxes and typed flags come as True.
    options = escalate.VERB.read(Command("escalate", ("1001",), {"rca": yes.upper()}))
    assert options == escalate.Options(rca=True)


def test_esc_1_a_toggle_left_off_or_saying_no_leaves_the_flag_unset() -> None:
    for value in ("false", "no", "", False):
        assert escalate.VERB.read(Command("escalate", options={"rca": value})).rca is False
    assert escalate.VERB.read(Command("escalate")) == escalate.Options()


def test_options_come_typed_and_only_the_verbs_own_are_read() -> None:
    command = Command(
        "list", options={"account": "acme", "closed": True, "page": "2", "summary": "x"}
    )
    options = list_cases.VERB.read(command)
    assert options == list_cases.Options(account="acme", closed=True, all=False, page="2")
    # A value option that a form sent as a toggle is not a value.
    assert list_cases.VERB.read(Command("list", options={"account": True})).account is None


def test_a_verb_declares_its_options_as_flags_or_values_with_dashes_in_chat() -> None:
    assert list_cases.VERB.kinds == {
        "account": OptionKind.VALUE,
        "closed": OptionKind.FLAG,
        "all": OptionKind.FLAG,
        "page": OptionKind.VALUE,
    }
    assert "all-users" in VERBS["report-incident"].kinds
    assert VERBS["show"].kinds == {}
    assert VERBS["show"].options is NoOptions


def test_an_option_that_is_neither_a_flag_nor_a_text_value_is_refused_at_declaration() -> None:
    @dataclass(frozen=True, slots=True)
    class Counted:
        page: int = 1

    with pytest.raises(TypeError, match=r"Counted\.page"):
        Verb("count", Action.LIST, "count [--page N]", "counts", Counted)
