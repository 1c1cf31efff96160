"""Signing a clinical note (an assessment, an IMS session note) as an action: check, then
execute.

`check(user)` names every reason the note cannot be signed now: the user is not its author,
it is already signed, and each signing precondition of its kind. Pages show these reasons as
the sign panel. `execute(user)` locks the row, checks again under the lock (another tab may
have signed it; a consent may have changed since the page was drawn) and writes.

A kind of note subclasses SigningAction and gives its model, its two refusals, its
preconditions and what signing writes.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Self, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.shortcuts import get_object_or_404

from clinic.models import Practitioner, User

Note = TypeVar("Note", bound=models.Model)


class SigningRefused(Exception):
    """A write or a signature refused for who or what the note is; `message` is shown."""

    message: ClassVar[str] = ""

    def __str__(self) -> str:
        return self.message


class NoteLocked(SigningRefused):
    """The note is signed: it only takes addenda."""


class NotTheAuthor(SigningRefused):
    """Only the practitioner who wrote the note edits or signs it."""


def author_practitioner(user: User) -> Practitioner:
    """The practitioner a new note is written by: the signed-in user's, else 403."""
    practitioner = getattr(user, "practitioner", None)
    if practitioner is None:
        raise PermissionDenied("Your account is not set up as a practitioner.")
    return practitioner


class SigningAction(Generic[Note]):
    """Signing one note. Subclasses set the class attributes and the two hooks below."""

    model: ClassVar[type[models.Model]]
    # Read with the note, for the checks and for what signing writes.
    related: ClassVar[tuple[str, ...]] = ("practitioner",)
    Locked: ClassVar[type[NoteLocked]] = NoteLocked
    NotAuthor: ClassVar[type[NotTheAuthor]] = NotTheAuthor

    def __init__(self, note: Note) -> None:
        self.note = note

    @classmethod
    def of_author(cls, pk: int, user: User) -> Self:
        """The action on note `pk` for its author (the views' guard): 404 for no such note,
        403 with the kind's not-the-author message for anyone else."""
        action = cls(get_object_or_404(cls.model.objects.select_related(*cls.related), pk=pk))
        if not action.is_author(user):
            raise PermissionDenied(cls.NotAuthor.message)
        return action

    def is_author(self, user: User) -> bool:
        return self.note.practitioner.user_id == user.pk

    def can_edit(self, user: User) -> bool:
        """The user's own draft: they may still change and sign it."""
        return not self.note.is_signed and self.is_author(user)

    def check(self, user: User, **known: Any) -> list[str]:
        """Every reason `user` cannot sign the note as it is read now; empty when they can.
        A signed note gives no preconditions: it cannot be signed again whatever they say.
        `known` passes what the page has just read to the preconditions (e.g. readiness)."""
        reasons = []
        if not self.is_author(user):
            reasons.append(self.NotAuthor.message)
        if self.note.is_signed:
            reasons.append(self.Locked.message)
        else:
            reasons.extend(self.preconditions(self.note, **known))
        return reasons

    @transaction.atomic
    def execute(self, user: User) -> Note:
        """Sign: lock the row, refuse (NoteLocked, NotTheAuthor, or a ValidationError listing
        every failed precondition) on what the lock reads, then write."""
        current = self.lock()
        self._refuse_change(current, user)
        problems = self.preconditions(current)
        if problems:
            raise ValidationError(problems)
        self.note = self.write(current, user)
        return self.note

    def lock(self) -> Note:
        """Re-read the note for signing, with a row lock (held until the transaction ends);
        a kind may lock more (a session locks its patient too)."""
        return self._locked_note()

    def locked_draft(self, user: User) -> Note:
        """The note re-read under its row lock for a change to the draft (inside the
        caller's transaction): NoteLocked once signed, NotTheAuthor for anyone else."""
        current = self._locked_note()
        self._refuse_change(current, user)
        return current

    def _locked_note(self) -> Note:
        return (
            self.model.objects.select_for_update(of=("self",))
            .select_related(*self.related)
            .get(pk=self.note.pk)
        )

    def _refuse_change(self, note: Note, user: User) -> None:
        if note.is_signed:
            raise self.Locked
        if note.practitioner.user_id != user.pk:
            raise self.NotAuthor

    # --- For each kind of note -----------------------------------------------------------

    def preconditions(self, note: Note, **known: Any) -> list[str]:
        """Each signing precondition `note` fails, as a message naming it."""
        raise NotImplementedError

    def write(self, note: Note, user: User) -> Note:
        """Mark the locked, checked `note` signed by `user`, with what signing entails."""
        raise NotImplementedError
