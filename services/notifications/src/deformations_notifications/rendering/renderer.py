"""Render a notification from a plain dict with the French templates (text and HTML).

The renderer knows nothing of events' classes: the service layer maps an event's data
(and the names it keeps in its read models) to the context documented per template in
``templates/README.md``. Missing keys are errors (StrictUndefined), never blank text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from deformations_common.vocabulary import french
from deformations_notifications.domain.digest import DigestGroup

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
# Without PLATFORM_NAME/PLATFORM_COLOUR: the portal's neutral platform, as its pages say.
PLATFORM_NAME = "Déformations"
PLATFORM_COLOUR = "#1b5e40"

_SUBJECTS: dict[str, str] = {
    "diagnosis.completed": "Votre autodiagnostic : {{ family_label }}",
    "diagnosis.team_updated": "Résultat collectif mis à jour : {{ team_name }}",
    "match.proposed": (
        "{% if kind == 'peer_group' %}Un groupe d'entraide vous est proposé"
        "{% elif kind == 'pair' %}Un binôme vous est proposé"
        "{% elif kind == 'need_offer' %}Une compétence correspond à un besoin"
        "{% else %}Une rencontre vous est proposée{% endif %}"
        "{% if theme is defined %} : {{ theme }}{% endif %}"
    ),
    "match.group_formed": "Votre groupe d'entraide est formé : {{ theme }}",
    "loan.action_requested": (
        "Un prêt attend {{ 'votre réponse' if personal else 'votre accord' }} : {{ skill_label }}"
    ),
    "loan.agreed": "Mise à disposition convenue : {{ skill_label }}",
    "loan.completed": "Mise à disposition terminée : {{ skill_label }}",
    "loan.cancelled": "Mise à disposition annulée : {{ skill_label }}",
    "session.scheduled": "Invitation : {{ title }}, {{ start | datetime_fr }}",
    "session.rescheduled": "Nouvel horaire : {{ title }}, {{ start | datetime_fr }}",
    "session.cancelled": "Annulé : {{ title }}, {{ start | datetime_fr }}",
    "session.reminder": "Rappel : {{ title }}, {{ when }}",
    "speed_dating.marks_due": "Atomes crochus : qui aimeriez-vous revoir ?",
    "enrolment.confirmed": "Inscription confirmée : « {{ theme }} »",
    "enrolment.waitlisted": "Liste d'attente, position {{ position }} : « {{ theme }} »",
    "enrolment.promoted": "Une place s'est libérée, vous êtes inscrit·e : « {{ theme }} »",
    "enrolment.cancelled": "Inscription annulée : « {{ theme }} »",
    "rebond.proposed": "Et après ? Une suite à votre formation : « {{ theme }} »",
    "evaluation.due": (
        "{% if reminder %}Rappel – {% endif %}{{ evaluation_label }} : « {{ theme }} »"
    ),
    "programme.invited": "Invitation au programme : {{ recipe_title }}",
    "programme.review_due": "Votre bilan du programme : {{ recipe_title }}",
    "content.hidden": "Votre publication est masquée : {{ content_label }}",
    "digest": (
        "Votre récapitulatif {{ 'de la semaine' if frequency == 'weekly' else 'du jour' }}"
        " : {{ groups | length }} sujet{{ 's' if groups | length > 1 }}"
    ),
    "relay.message": "Message via {{ platform_name }} : {{ subject }}",
}

# One line per notification inside a digest.
_SUMMARIES: dict[str, str] = {
    "diagnosis.completed": "Votre autodiagnostic est prêt : {{ family_label }}.",
    "diagnosis.team_updated": "Le résultat collectif compte {{ respondents }} réponse(s).",
    "match.proposed": "Nouvelle proposition{% if theme is defined %} ({{ theme }}){% endif %}.",
    "match.group_formed": "Groupe d'entraide formé ({{ theme }}) : les autres sont invités.",
    "loan.action_requested": "Un prêt attend votre accord : {{ action_label }}.",
    "loan.agreed": "Mise à disposition convenue ({{ half_days }} demi-journée(s)).",
    "loan.completed": "Mise à disposition terminée : {{ hours | hours_fr }}.",
    "loan.cancelled": "Mise à disposition annulée.",
    "session.scheduled": "Séance programmée {{ start | datetime_fr }}.",
    "session.rescheduled": "Séance déplacée {{ start | datetime_fr }}.",
    "session.cancelled": "Séance du {{ start | date_fr }} annulée.",
    "session.reminder": "Rappel : séance {{ start | datetime_fr }}.",
    "speed_dating.marks_due": "Qui aimeriez-vous revoir après la soirée du {{ start | date_fr }} ?",
    "enrolment.confirmed": "Inscription confirmée (« {{ theme }} »).",
    "enrolment.waitlisted": "Liste d'attente, position {{ position }} (« {{ theme }} »).",
    "enrolment.promoted": "Une place s'est libérée : inscription confirmée (« {{ theme }} »).",
    "enrolment.cancelled": "Inscription annulée (« {{ theme }} »).",
    "rebond.proposed": "Une suite vous est proposée : {{ rebond_label }} (« {{ theme }} »).",
    "evaluation.due": "{{ evaluation_label }} à remplir (« {{ theme }} »).",
    "programme.invited": "Invitation au programme « {{ recipe_title }} ».",
    "programme.review_due": "Bilan du programme « {{ recipe_title }} » à remplir.",
    "relay.message": "Message de {{ sender_label }} : {{ subject }}.",
    "content.hidden": "Publication masquée par l'équipe de la plateforme : {{ reason }}.",
}

# Keys a template reads but the caller may leave out.
_OPTIONAL: dict[str, tuple[str, ...]] = {
    "diagnosis.completed": ("family_description", "priority_themes", "next_steps"),
    "diagnosis.team_updated": ("families", "priority_themes"),
    "match.proposed": ("reasons", "group_size", "partner_label"),
    "match.group_formed": ("reasons",),
    "loan.action_requested": ("action_url", "personal"),
    "loan.agreed": ("agent_label",),
    "loan.cancelled": ("reason",),
    "session.scheduled": ("location", "join_url", "modality"),
    "session.rescheduled": ("location", "join_url", "modality"),
    "session.cancelled": ("reason",),
    "session.reminder": ("location", "join_url", "modality"),
    "rebond.proposed": ("offer_url",),
    "digest": ("platform_url",),
    "relay.message": ("reply_url", "report_url"),
}

TEMPLATE_NAMES: frozenset[str] = frozenset(_SUBJECTS)


class UnknownTemplateError(KeyError):
    pass


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


def _one_line(text: str) -> str:
    # A subject goes into a header: no line breaks, no runs of spaces.
    return re.sub(r"\s+", " ", text).strip()


class Renderer:
    def __init__(
        self,
        templates_dir: Path = TEMPLATES_DIR,
        *,
        defaults: Mapping[str, Any] | None = None,
    ) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates_dir),
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html.j2",), default_for_string=False
            ),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self._env.filters.update(
            date_fr=french.date_fr,
            time_fr=french.time_fr,
            datetime_fr=french.datetime_fr,
            hours_fr=french.hours_fr,
        )
        self._defaults: dict[str, Any] = {
            "platform_name": PLATFORM_NAME,
            "platform_colour": PLATFORM_COLOUR,
            "recipient_name": None,
            "preferences_url": None,
            "unsubscribe_url": None,
        }
        self._defaults.update(defaults or {})

    def _context(self, context: Mapping[str, Any]) -> dict[str, Any]:
        return {**self._defaults, **context}

    def render(self, name: str, context: Mapping[str, Any]) -> RenderedMessage:
        if name not in TEMPLATE_NAMES:
            raise UnknownTemplateError(name)
        ctx = {**dict.fromkeys(_OPTIONAL.get(name, ())), **self._context(context)}
        subject = _one_line(self._env.from_string(_SUBJECTS[name]).render(ctx))
        ctx["mail_subject"] = subject
        text = self._env.get_template(f"{name}.txt.j2").render(ctx)
        html = self._env.get_template(f"{name}.html.j2").render(ctx)
        return RenderedMessage(subject=subject, text=text, html=html)

    def summary(self, name: str, context: Mapping[str, Any]) -> str:
        if name not in _SUMMARIES:
            raise UnknownTemplateError(name)
        return _one_line(self._env.from_string(_SUMMARIES[name]).render(self._context(context)))

    def render_digest(
        self, groups: Sequence[DigestGroup], frequency: str, context: Mapping[str, Any]
    ) -> RenderedMessage:
        """A digest from grouped entries; each entry's ``context`` feeds its one-line summary."""
        view = [
            {
                "item_title": group.item_title,
                "entries": [
                    {
                        "occurred_at": entry.occurred_at,
                        "summary": self.summary(entry.event_type, entry.context),
                    }
                    for entry in group.entries
                ],
            }
            for group in groups
        ]
        return self.render("digest", {**context, "groups": view, "frequency": frequency})
