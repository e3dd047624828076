"""Any recipe of the booklet run as a programme (issue 15).

A facilitator starts a programme from a recipe of the catalogue for a territory (a SIREN of
the COG), invites participants, plans dated sessions on the recipe's steps, follows the
steps one by one and collects the material each step produces (notes, links, files as
text). When the programme closes, each participant who took part answers a closing review
whose questions are the recipe's « On sera content si… » criteria.

The programme is one aggregate: every change goes through its methods, which check the
rules and return nothing but raise a ``DomainError`` with a French message on refusal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from deformations_common.vocabulary.collectivites import known_name
from deformations_common.vocabulary.roles import Role
from deformations_contracts.catalogue.programmes import RecipeProgramme, load_programmes
from deformations_contracts.catalogue.recipes import load_catalogue
from deformations_training.domain.codev import CODEV
from deformations_training.domain.errors import (
    Forbidden,
    InvalidTrainingInput,
    InvalidTransition,
    NotFound,
)
from deformations_training.domain.policy import Actor

FACILITATORS = (Role.ELECTED, Role.TRAINER, Role.HR, Role.SECRETARY, Role.OPERATOR)
MAX_PARTICIPANTS = 60
MAX_MATERIALS = 500
MATERIAL_MAX_CHARS = 20_000
SCORES = (1, 2, 3, 4)  # pas du tout, plutôt non, plutôt oui, tout à fait


class ProgrammeStatus(StrEnum):
    RUNNING = "running"
    CLOSED = "closed"


class InvitationStatus(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class StepStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    SKIPPED = "skipped"


class MaterialKind(StrEnum):
    NOTE = "note"
    LINK = "link"
    FILE = "file"


@dataclass(slots=True)
class Participant:
    person_id: str
    collectivite_siren: str | None
    invited_at: datetime
    status: InvitationStatus = InvitationStatus.INVITED
    answered_at: datetime | None = None
    # When the person accepted the recipe's charter (co-dev des formateurs), if it has one.
    charter_accepted_at: datetime | None = None


@dataclass(slots=True)
class StepState:
    key: str
    status: StepStatus = StepStatus.TODO
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(slots=True)
class Material:
    id: UUID
    step_key: str
    author_id: str
    kind: MaterialKind
    title: str
    body: str
    added_at: datetime


@dataclass(slots=True)
class ProgrammeSession:
    id: UUID
    step_key: str
    title: str
    starts_at: datetime
    ends_at: datetime
    remote: bool
    place_label: str | None
    place_insee: str | None
    sequence: int = 0
    cancelled_at: datetime | None = None


@dataclass(slots=True)
class ReviewAnswer:
    criterion: str
    score: int
    comment: str | None


@dataclass(slots=True)
class Review:
    person_id: str
    answers: list[ReviewAnswer]
    answered_at: datetime


@dataclass(slots=True)
class Programme:
    id: UUID
    recipe_code: str
    title: str
    territory_siren: str
    facilitator_id: str
    started_at: datetime
    status: ProgrammeStatus = ProgrammeStatus.RUNNING
    closed_at: datetime | None = None
    participants: list[Participant] = field(default_factory=list)
    steps: list[StepState] = field(default_factory=list)
    sessions: list[ProgrammeSession] = field(default_factory=list)
    materials: list[Material] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)

    # -- reading ------------------------------------------------------------------------

    @property
    def recipe(self) -> RecipeProgramme:
        return load_programmes().find(self.recipe_code)

    def participant(self, person_id: str) -> Participant | None:
        return next((p for p in self.participants if p.person_id == person_id), None)

    def accepted(self) -> list[Participant]:
        return [p for p in self.participants if p.status is InvitationStatus.ACCEPTED]

    def is_member(self, person_id: str) -> bool:
        """The facilitator and the participants who accepted."""
        if person_id == self.facilitator_id:
            return True
        found = self.participant(person_id)
        return found is not None and found.status is InvitationStatus.ACCEPTED

    def step(self, key: str) -> StepState:
        for state in self.steps:
            if state.key == key:
                return state
        raise NotFound("Cette étape n'existe pas dans ce programme.", step=key)

    def session(self, session_id: UUID) -> ProgrammeSession:
        for found in self.sessions:
            if found.id == session_id:
                return found
        raise NotFound("Cette séance n'existe pas dans ce programme.")

    def progress(self) -> float:
        """Share of the steps done or skipped, from 0 to 1."""
        finished = sum(1 for s in self.steps if s.status in (StepStatus.DONE, StepStatus.SKIPPED))
        return finished / len(self.steps)

    def review_questions(self) -> tuple[str, ...]:
        return self.recipe.happy_if

    # -- rules ----------------------------------------------------------------------------

    def _running(self) -> None:
        if self.status is not ProgrammeStatus.RUNNING:
            raise InvalidTransition("Ce programme est clos.")

    def require_facilitator(self, actor: Actor) -> None:
        if actor.operator or actor.person_id == self.facilitator_id:
            return
        raise Forbidden("Seul l'animateur du programme peut faire cela.")

    def require_member(self, actor: Actor) -> None:
        if actor.operator or self.is_member(actor.person_id):
            return
        raise Forbidden("Ce programme ne concerne que ses participants.")

    # -- changes --------------------------------------------------------------------------

    def invite(self, person_id: str, collectivite_siren: str | None, at: datetime) -> bool:
        """Invite a person; True if newly invited (inviting twice changes nothing)."""
        self._running()
        if not person_id.strip() or len(person_id) > 128:
            raise InvalidTrainingInput("Identifiant de personne invalide.")
        if person_id == self.facilitator_id:
            raise InvalidTrainingInput("L'animateur fait déjà partie du programme.")
        if collectivite_siren is not None and known_name(collectivite_siren) is None:
            raise InvalidTrainingInput(
                "Collectivité inconnue du code officiel géographique.", siren=collectivite_siren
            )
        existing = self.participant(person_id)
        if existing is not None:
            if existing.status is InvitationStatus.DECLINED:
                existing.status = InvitationStatus.INVITED
                existing.invited_at, existing.answered_at = at, None
                return True
            return False
        if len(self.participants) >= MAX_PARTICIPANTS:
            raise InvalidTransition(f"Un programme compte au plus {MAX_PARTICIPANTS} personnes.")
        self.participants.append(Participant(person_id, collectivite_siren, at))
        return True

    def answer_invitation(
        self, person_id: str, accept: bool, at: datetime, *, charter_accepted: bool = False
    ) -> None:
        self._running()
        found = self.participant(person_id)
        if found is None:
            raise NotFound("Vous n'êtes pas invité à ce programme.")
        if found.status is not InvitationStatus.INVITED:
            raise InvalidTransition("Vous avez déjà répondu à cette invitation.")
        if accept and self.recipe_code == CODEV:
            if not charter_accepted:
                raise InvalidTrainingInput(
                    "Rejoindre le co-dev, c'est accepter sa charte : transparence, "
                    "bienveillance, non-concurrence, écoute."
                )
            found.charter_accepted_at = at
        found.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        found.answered_at = at

    def start_step(self, key: str, at: datetime) -> None:
        self._running()
        state = self.step(key)
        if state.status is not StepStatus.TODO:
            raise InvalidTransition("Cette étape est déjà commencée ou terminée.")
        state.status, state.started_at = StepStatus.IN_PROGRESS, at

    def finish_step(self, key: str, at: datetime, *, skipped: bool = False) -> None:
        self._running()
        state = self.step(key)
        if state.status in (StepStatus.DONE, StepStatus.SKIPPED):
            raise InvalidTransition("Cette étape est déjà terminée.")
        if not skipped and state.status is StepStatus.TODO:
            raise InvalidTransition("Commencez l'étape avant de la terminer.")
        state.status = StepStatus.SKIPPED if skipped else StepStatus.DONE
        state.finished_at = at

    def add_material(self, material: Material) -> None:
        self._running()
        self.step(material.step_key)
        title, body = material.title.strip(), material.body.strip()
        if not 3 <= len(title) <= 200:
            raise InvalidTrainingInput("Le titre compte de 3 à 200 caractères.")
        if not body or len(body) > MATERIAL_MAX_CHARS:
            raise InvalidTrainingInput(
                f"Le contenu est requis et compte au plus {MATERIAL_MAX_CHARS} caractères."
            )
        if material.kind is MaterialKind.LINK and not body.startswith(("https://", "http://")):
            raise InvalidTrainingInput("Un lien commence par https:// ou http://.")
        if len(self.materials) >= MAX_MATERIALS:
            raise InvalidTransition("Ce programme a atteint le nombre maximal de contenus.")
        material.title, material.body = title, body
        self.materials.append(material)

    def plan_session(self, session: ProgrammeSession, now: datetime) -> None:
        self._running()
        self.step(session.step_key)
        if not self.recipe.step(session.step_key).with_session:
            raise InvalidTrainingInput("Cette étape de la recette ne se tient pas en séance.")
        _check_slot(session.starts_at, session.ends_at, now)
        if not session.remote and session.place_label is None and session.place_insee is None:
            raise InvalidTrainingInput("Une séance sur place a un lieu.")
        if not 3 <= len(session.title.strip()) <= 200:
            raise InvalidTrainingInput("Le titre de la séance compte de 3 à 200 caractères.")
        self.sessions.append(session)

    def reschedule_session(
        self, session_id: UUID, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> datetime:
        """Move a session; returns its previous start."""
        self._running()
        found = self._live_session(session_id)
        _check_slot(starts_at, ends_at, now)
        previous = found.starts_at
        found.starts_at, found.ends_at = starts_at, ends_at
        found.sequence += 1
        return previous

    def cancel_session(self, session_id: UUID, now: datetime) -> ProgrammeSession:
        self._running()
        found = self._live_session(session_id)
        found.cancelled_at = now
        found.sequence += 1
        return found

    def close(self, at: datetime) -> None:
        """Close the programme: the closing review opens to the accepted participants."""
        self._running()
        self.status, self.closed_at = ProgrammeStatus.CLOSED, at
        for state in self.steps:
            if state.status is StepStatus.TODO:
                state.status, state.finished_at = StepStatus.SKIPPED, at

    def answer_review(
        self, person_id: str, answers: list[tuple[int, str | None]], at: datetime
    ) -> Review:
        """Answers are (score 1–4, optional comment), one per criterion, in order."""
        if self.status is not ProgrammeStatus.CLOSED:
            raise InvalidTransition("Le bilan s'ouvre à la clôture du programme.")
        found = self.participant(person_id)
        if found is None or found.status is not InvitationStatus.ACCEPTED:
            raise Forbidden("Seuls les participants du programme répondent à son bilan.")
        if any(r.person_id == person_id for r in self.reviews):
            raise InvalidTransition("Vous avez déjà répondu au bilan.")
        questions = self.review_questions()
        if len(answers) != len(questions):
            raise InvalidTrainingInput(
                f"Le bilan attend une réponse pour chacun des {len(questions)} critères."
            )
        for score, comment in answers:
            if score not in SCORES:
                raise InvalidTrainingInput("Chaque réponse est notée de 1 à 4.")
            if comment is not None and len(comment) > 2000:
                raise InvalidTrainingInput("Un commentaire compte au plus 2000 caractères.")
        review = Review(
            person_id,
            [
                ReviewAnswer(q, score, (comment or "").strip() or None)
                for q, (score, comment) in zip(questions, answers, strict=True)
            ],
            at,
        )
        self.reviews.append(review)
        return review

    def review_summary(self) -> list[tuple[str, float | None, int]]:
        """Per criterion: mean score and number of answers."""
        out: list[tuple[str, float | None, int]] = []
        for index, question in enumerate(self.review_questions()):
            scores = [r.answers[index].score for r in self.reviews]
            out.append((question, sum(scores) / len(scores) if scores else None, len(scores)))
        return out

    def forget(self, person_id: str, pseudonym: str) -> None:
        """Erasure: the person's id goes everywhere in the programme; what the group
        produced together stays, under a pseudonym that links to no other record."""
        if self.facilitator_id == person_id:
            self.facilitator_id = pseudonym
        for participant in self.participants:
            if participant.person_id == person_id:
                participant.person_id = pseudonym
        for material in self.materials:
            if material.author_id == person_id:
                material.author_id = pseudonym
        for review in self.reviews:
            if review.person_id == person_id:
                review.person_id = pseudonym

    def _live_session(self, session_id: UUID) -> ProgrammeSession:
        found = self.session(session_id)
        if found.cancelled_at is not None:
            raise InvalidTransition("Cette séance est annulée.")
        return found


def _check_slot(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidTrainingInput("Les dates portent leur fuseau horaire.")
    if ends_at <= starts_at:
        raise InvalidTrainingInput("Une séance se termine après avoir commencé.")
    if starts_at <= now:
        raise InvalidTrainingInput("Une séance se planifie dans le futur.")
    if (ends_at - starts_at).days >= 3:
        raise InvalidTrainingInput("Une séance dure moins de trois jours.")


def start_programme(
    *,
    programme_id: UUID,
    recipe_code: str,
    territory_siren: str,
    facilitator: Actor,
    title: str | None,
    at: datetime,
) -> Programme:
    if not facilitator.has(*FACILITATORS):
        raise Forbidden(
            "Seuls un élu, un formateur, les RH ou le secrétariat animent un programme."
        )
    try:
        recipe = load_programmes().find(recipe_code)
    except KeyError:
        raise NotFound("Recette inconnue du catalogue.", recipe=recipe_code) from None
    if recipe.tool is not None:
        raise InvalidTransition(
            f"Cette recette se mène avec son outil : {recipe.tool.note}", tool=recipe.tool.tool
        )
    territory = known_name(territory_siren)
    if territory is None:
        raise InvalidTrainingInput(
            "Territoire inconnu du code officiel géographique.", siren=territory_siren
        )
    chosen = (title or "").strip() or f"{load_catalogue().title_of(recipe_code)} — {territory}"
    if not 3 <= len(chosen) <= 300:
        raise InvalidTrainingInput("Le titre compte de 3 à 300 caractères.")
    return Programme(
        id=programme_id,
        recipe_code=recipe_code,
        title=chosen,
        territory_siren=territory_siren,
        facilitator_id=facilitator.person_id,
        started_at=at,
        steps=[StepState(s.key) for s in recipe.steps],
    )
