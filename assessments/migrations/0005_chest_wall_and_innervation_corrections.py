"""Issue 17: the pneumothorax (chest-wall) flag on supraspinatus, infraspinatus, external
oblique and quadratus lumborum, and two innervation corrections (ECRB gains C8 as a minor
root; T1 becomes a primary root of pectoralis minor). The values and their sources are in
assessments/seed/corrections.py.

Which rows change ("the admin has not changed it"):
- chest-wall flag: the muscle (found by its seed name) still has the flag the earlier seed
  set, AND its simple_history record holds no version with another value. A muscle whose
  flag an admin toggled and set back has a history version with the other value and is left
  alone: that was a decision. Edits of other fields (lay name, active) do not count. Each
  change writes a history version with the reason REASON, so the admin's History page shows
  it (and this migration's own versions are not mistaken for an admin's).
- innervation: the muscle's (segment, primary) rows are exactly the earlier seed's.
  MuscleInnervation has no history, so any difference (a segment added or removed, a primary
  flag moved) means the admin edited it and the row set is left alone.
A muscle renamed or missing is skipped. Reversing restores the earlier values where the rows
still hold the corrected ones (same rules the other way, without the history check).

assessments.services.reference_data_ensure replays 0002 and then this migration after a
flush, so a fresh database and a migrated one end up the same.
"""

from django.db import migrations
from django.utils import timezone

from assessments.seed.corrections import (
    CHEST_WALL_CORRECTIONS,
    INNERVATION_CORRECTIONS,
    REASON,
)


def _chest_wall(apps, *, undo: bool) -> None:
    Muscle = apps.get_model("assessments", "Muscle")
    HistoricalMuscle = apps.get_model("assessments", "HistoricalMuscle")
    for correction in CHEST_WALL_CORRECTIONS:
        before, after = correction.previous, correction.corrected
        if undo:
            before, after = after, before
        muscle = Muscle.objects.filter(name=correction.name).first()
        if muscle is None or muscle.chest_wall != before:
            continue
        versions = HistoricalMuscle.objects.filter(id=muscle.pk)
        if (
            not undo
            and versions.exclude(chest_wall=before).exclude(history_change_reason=REASON).exists()
        ):
            continue  # an admin set it to the other value at some time: their decision
        Muscle.objects.filter(pk=muscle.pk).update(chest_wall=after)
        HistoricalMuscle.objects.create(
            id=muscle.pk,
            name=muscle.name,
            lay_name=muscle.lay_name,
            body_region=muscle.body_region,
            kind=muscle.kind,
            chest_wall=after,
            active=muscle.active,
            history_date=timezone.now(),
            history_change_reason=REASON,
            history_type="~",
            history_user=None,
        )


def _innervation(apps, *, undo: bool) -> None:
    Muscle = apps.get_model("assessments", "Muscle")
    Segment = apps.get_model("assessments", "Segment")
    MuscleInnervation = apps.get_model("assessments", "MuscleInnervation")
    for correction in INNERVATION_CORRECTIONS:
        before, after = correction.previous, correction.corrected
        if undo:
            before, after = after, before
        muscle = Muscle.objects.filter(name=correction.name).first()
        if muscle is None:
            continue
        current = set(
            MuscleInnervation.objects.filter(muscle=muscle).values_list("segment__code", "primary")
        )
        if current != set(before):
            continue  # edited in the admin: leave the clinic's version
        wanted = dict(after)
        for link in MuscleInnervation.objects.filter(muscle=muscle).select_related("segment"):
            code = link.segment.code
            if code not in wanted:
                link.delete()  # only on undo: the corrections only add
            elif link.primary != wanted[code]:
                link.primary = wanted[code]
                link.save(update_fields=["primary"])
        have = {code for code, _ in current}
        for code, primary in after:
            if code not in have:
                MuscleInnervation.objects.create(
                    muscle=muscle, segment=Segment.objects.get(code=code), primary=primary
                )


def forwards(apps, schema_editor):
    _chest_wall(apps, undo=False)
    _innervation(apps, undo=False)


def backwards(apps, schema_editor):
    _chest_wall(apps, undo=True)
    _innervation(apps, undo=True)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_date_windows_and_text_limits")]

    operations = [migrations.RunPython(forwards, backwards)]
