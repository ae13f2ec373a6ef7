"""``{% ladder_explain contact %}``: the person page's ladder block (stage, score, why)."""

from __future__ import annotations

from django import template

from contacts.selectors.ladder import ladder_explanation, milestone_labels
from contacts.services.ladder import can_set_stage

register = template.Library()


@register.inclusion_tag("contacts/_ladder_explain.html", takes_context=True)
def ladder_explain(context, contact) -> dict:
    explanation = ladder_explanation(contact)
    return {
        "contact": contact,
        "x": explanation,
        "met_labels": milestone_labels(explanation.met),
        "missing_labels": milestone_labels(explanation.missing),
        "can_set_stage": can_set_stage(context["request"].user, contact),
    }
