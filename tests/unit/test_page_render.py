"""The workspace's template environment (api/web/render.py): a dict's keys read as attributes
without Jinja's failed getattr first, with the same answers, and an event's fields as the
timeline shows them."""

from __future__ import annotations

from collections import OrderedDict

from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment, select_autoescape

from api.web import render

PLAIN = Environment(autoescape=select_autoescape(("html",), default_for_string=True))
FAST = render._Templates(autoescape=select_autoescape(("html",), default_for_string=True))
FAST.filters["event_data"] = render.event_data
READS = "{{ d.name }}|{{ d.items is callable }}|{{ d.get('name') }}|{{ d.missing is defined }}"

names = st.sampled_from(["name", "items", "get", "keys", "values", "copy", "pop", "missing"])
values = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                   st.lists(st.text(max_size=4), max_size=3))


@given(st.dictionaries(names, values, max_size=6))
def test_a_dict_reads_as_jinja_reads_it_keys_named_like_methods_included(d: dict):
    assert FAST.from_string(READS).render(d=d) == PLAIN.from_string(READS).render(d=d)


def test_a_dict_subclass_and_an_object_take_jinjas_own_path():
    class Row:
        name = "对象"

    assert FAST.from_string(READS).render(d=OrderedDict(name="有序")) == "有序|True|有序|False"
    reads = "{{ d.name }}|{{ d.missing is defined }}"
    assert FAST.from_string(reads).render(d=Row()) == PLAIN.from_string(reads).render(d=Row())


EVENT_FIELDS = ("{% for k, v in e|event_data %}{{ k }}={{ v }};{% endfor %}")
JINJA_FIELDS = ("{% for k, v in e.items()|rejectattr(0, 'in', ['seq', 'at', 'kind', 'actor']) %}"
                "{{ k }}={{ v|join('、') if v is iterable and v is not string and v is not mapping "
                "else v }};{% endfor %}")

event_values = st.one_of(values, st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
                         st.lists(st.one_of(st.integers(), st.booleans(), st.none()), max_size=3))


@given(st.dictionaries(st.sampled_from(["seq", "at", "kind", "actor", "recipients", "note",
                                        "<b>", "amount"]), event_values, max_size=8))
def test_an_events_fields_show_as_the_templates_filters_showed_them(e: dict):
    assert FAST.from_string(EVENT_FIELDS).render(e=e) == PLAIN.from_string(JINJA_FIELDS).render(e=e)
