"""The schema of a questionnaire file: these models ARE the file format.

A questionnaire is versioned data. A response is tied to the version it answered, and a
published version is never edited: a change of wording, weights or families is a new file
with a new ``version``. ``schema.json`` next to this module is generated from these models
(``python -m deformations_diagnosis.content.loader --schema``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

from deformations_contracts.themes import Theme
from deformations_contracts.types import Modality, TimeSlot

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Version = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-v[0-9]+$")]
# How much one answer pushes one axis, towards its high pole when positive.
Weight = Annotated[int, Field(ge=-3, le=3)]
Coordinate = Annotated[float, Field(ge=0, le=100)]


class RuleBroken(ValueError):
    """A rule of the file format: English for developers, French for the operator who
    uploads a version (``content.upload`` reads ``french``)."""

    def __init__(self, english: str, french: str) -> None:
        super().__init__(english)
        self.french = french


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemKind(StrEnum):
    QUIZ = "quiz"
    PORTRAIT = "portrait"  # « portrait chinois »: si vous étiez…
    THEMES = "themes"
    SITUATION = "situation"
    TIME = "time"


class ItemRole(StrEnum):
    """What a non-axis item tells us; the scoring reads answers by role, not by item id."""

    AXES = "axes"
    PRIORITY_THEMES = "priority_themes"
    PROFESSION = "profession"
    MANDATE = "mandate"
    DELEGATION = "delegation"
    FIRST_MANDATE = "first_mandate"
    TIME_BUDGET = "time_budget"
    TIME_SLOTS = "time_slots"
    MODALITY = "modality"


class Axis(_Frozen):
    code: Slug
    label: str
    low_label: str = Field(description="Pole at score 0, e.g. « vision ingénieur »")
    high_label: str = Field(description="Pole at score 100, e.g. « vision solidaire »")
    low_description: str
    high_description: str


class Option(_Frozen):
    id: Slug
    text: str
    weights: dict[Slug, Weight] = Field(default_factory=dict)
    themes: tuple[Theme, ...] = ()
    # Machine meaning of situation and time answers.
    value: str | None = None
    minutes_per_month: int | None = Field(default=None, ge=0)


class Item(_Frozen):
    id: Slug
    kind: ItemKind
    role: ItemRole = ItemRole.AXES
    prompt: str
    help: str | None = None
    multiple: bool = False
    max_choices: int | None = Field(default=None, ge=1)
    required: bool = True
    options: tuple[Option, ...] = Field(min_length=2)
    _by_id: dict[str, Option] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._by_id = {o.id: o for o in self.options}

    @model_validator(mode="after")
    def _coherent(self) -> Item:
        ids = [o.id for o in self.options]
        if len(ids) != len(set(ids)):
            raise RuleBroken(
                f"item {self.id}: duplicate option ids",
                f"question {self.id} : deux réponses ont le même id",
            )
        if self.multiple and any(o.weights for o in self.options):
            # Axis ranges are computed from one choice per item.
            raise RuleBroken(
                f"item {self.id}: a multiple-choice item cannot weight axes",
                f"question {self.id} : une question à choix multiples ne pèse pas sur les axes",
            )
        if not self.multiple and self.max_choices not in (None, 1):
            raise RuleBroken(
                f"item {self.id}: max_choices needs multiple: true",
                f"question {self.id} : max_choices demande multiple: true",
            )
        if self.role is ItemRole.AXES and not any(o.weights for o in self.options):
            raise RuleBroken(
                f"item {self.id}: an axes item must weight at least one axis",
                f"question {self.id} : une question de rôle axes doit peser sur au moins un axe",
            )
        if self.role is ItemRole.TIME_BUDGET and any(
            o.minutes_per_month is None for o in self.options
        ):
            raise RuleBroken(
                f"item {self.id}: every time budget option needs minutes_per_month",
                f"question {self.id} : chaque réponse de temps demande minutes_per_month",
            )
        if self.role is ItemRole.TIME_SLOTS:
            for option in self.options:
                TimeSlot(option.value or "")
        if self.role is ItemRole.MODALITY:
            for option in self.options:
                Modality(option.value or "")
        return self

    @property
    def limit(self) -> int:
        """How many options may be chosen."""
        if not self.multiple:
            return 1
        return self.max_choices or len(self.options)

    def option(self, option_id: str) -> Option:
        # Read the private storage directly: pydantic's __getattr__ for private attributes
        # was a third of the scoring time (looked up for every answer of every item).
        by_id: dict[str, Option] = self.__pydantic_private__["_by_id"]  # type: ignore[index]
        return by_id[option_id]


class Section(_Frozen):
    """One short page of the quiz."""

    id: Slug
    title: str
    intro: str | None = None
    items: tuple[Slug, ...] = Field(min_length=1)


class Family(_Frozen):
    code: Slug
    name: str
    tagline: str
    centroid: dict[Slug, Coordinate]
    portrait: str
    already_doing: tuple[str, ...] = Field(
        min_length=1, description="What they already do: « vous avez déjà un pied dedans »"
    )
    how_to_progress: tuple[str, ...] = Field(min_length=1)
    themes: tuple[Theme, ...] = Field(min_length=3, description="Default priority themes")


class NextStepFormat(_Frozen):
    """A format an élu can take up alone, mapped to a booklet recipe or idea."""

    code: Slug
    title: str
    description: str
    recipe_code: str
    min_minutes_per_month: int = Field(ge=0)
    modality: Modality
    slots: tuple[TimeSlot, ...] = Field(default=(), description="Suited slots; empty = any")
    families: tuple[Slug, ...] = Field(description="Families it suits best, best first")


class Questionnaire(_Frozen):
    version: Version
    title: str
    intro: str
    min_collective_responses: int = Field(default=3, ge=3)
    axes: tuple[Axis, ...] = Field(min_length=2)
    sections: tuple[Section, ...]
    items: tuple[Item, ...] = Field(min_length=20, max_length=30)
    families: tuple[Family, ...] = Field(min_length=6, max_length=7)
    formats: tuple[NextStepFormat, ...] = Field(min_length=1)
    _items: dict[str, Item] = PrivateAttr(default_factory=dict)
    _families: dict[str, Family] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._items = {i.id: i for i in self.items}
        self._families = {f.code: f for f in self.families}

    @model_validator(mode="after")
    def _consistent(self) -> Questionnaire:
        axis_codes = {a.code for a in self.axes}
        item_ids = [i.id for i in self.items]
        if len(item_ids) != len(set(item_ids)):
            raise RuleBroken("duplicate item ids", "deux questions ont le même id")
        paged = [i for s in self.sections for i in s.items]
        if sorted(paged) != sorted(item_ids):
            raise RuleBroken(
                "every item must appear on exactly one section page",
                "chaque question doit figurer dans une et une seule section",
            )
        for item in self.items:
            for option in item.options:
                unknown = set(option.weights) - axis_codes
                if unknown:
                    raise RuleBroken(
                        f"{item.id}/{option.id}: unknown axes {sorted(unknown)}",
                        f"{item.id}/{option.id} : axes inconnus {', '.join(sorted(unknown))}",
                    )
        for axis in self.axes:
            if not any(axis.code in o.weights for i in self.items for o in i.options):
                raise RuleBroken(
                    f"axis {axis.code} is weighted by no answer",
                    f"l'axe {axis.code} n'est pesé par aucune réponse",
                )
        family_codes = {f.code for f in self.families}
        for family in self.families:
            if set(family.centroid) != axis_codes:
                raise RuleBroken(
                    f"family {family.code}: centroid must give every axis",
                    f"famille {family.code} : le centroïde doit donner chaque axe",
                )
        for fmt in self.formats:
            if not set(fmt.families) <= family_codes:
                raise RuleBroken(
                    f"format {fmt.code}: unknown families",
                    f"format {fmt.code} : familles inconnues",
                )
        if not any(
            f.min_minutes_per_month == 0 and f.modality is Modality.EITHER for f in self.formats
        ):
            raise RuleBroken(
                "one format must fit anyone: no minimum time, either modality",
                "un format doit convenir à tous : sans temps minimum, modalité « either »",
            )
        for role in (ItemRole.TIME_BUDGET, ItemRole.TIME_SLOTS, ItemRole.MODALITY):
            if sum(1 for i in self.items if i.role is role) != 1:
                raise RuleBroken(
                    f"exactly one item must have role {role}",
                    f"une et une seule question doit avoir le rôle {role}",
                )
        return self

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def family(self, code: str) -> Family:
        return self._families[code]

    def axis(self, code: str) -> Axis:
        for axis in self.axes:
            if axis.code == code:
                return axis
        raise KeyError(code)

    def items_with_role(self, role: ItemRole) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.role is role)
