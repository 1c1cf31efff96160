"""Reads for Gunn assessments, each shaped for one page (and later the session form/PDF)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.urls import reverse

from assessments.models import (
    Assessment,
    AssessmentAddendum,
    Muscle,
    MuscleInnervation,
    RangeOfMotion,
    Region,
    Segment,
    Sign,
    SignFinding,
    SignTest,
    TautBand,
)
from clinic.models import Appointment, Patient, Practitioner
from clinic.reference_cache import ReferenceData, reference_token_subquery
from clinic.selectors import OpenNotesProvider, open_notes_rows

# --- Reference rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class FindingReference:
    """The reference rows findings name (segments, muscles, signs, tests, each by id, the
    retired ones too: they stay on old records) and what each segment supplies (its active
    muscles, paraspinal and peripheral, each list primary roots first, then by name; each
    muscle a row of its own with `primary_here`). Memoised per process against the
    reference version (clinic/reference_cache.py; AssessmentsConfig.ready watches these
    tables): reference data only, and never changed once built."""

    segments: dict[int, Segment]
    muscles: dict[int, Muscle]
    signs: dict[int, Sign]
    tests: dict[int, SignTest]
    supplied: dict[int, tuple[tuple[Muscle, ...], tuple[Muscle, ...]]]

    def names_all(self, findings) -> bool:
        """Whether every reference row these findings name is here (a row written without
        the save signal, by bulk_create or a migration, is not until the version changes)."""
        for finding in findings:
            if isinstance(finding, SignFinding) and not (
                finding.sign_id in self.signs
                and finding.test_id in self.tests
                and finding.segment_id in self.segments
            ):
                return False
            if finding.muscle_id is not None and finding.muscle_id not in self.muscles:
                return False
        return True


def _finding_reference_build() -> FindingReference:
    supplied: dict[int, tuple[list[Muscle], list[Muscle]]] = defaultdict(lambda: ([], []))
    innervations = (
        MuscleInnervation.objects.filter(muscle__active=True)
        .select_related("muscle")
        .order_by("-primary", "muscle__name")
    )
    for link in innervations:
        muscle = link.muscle
        muscle.primary_here = link.primary
        paraspinal, peripheral = supplied[link.segment_id]
        (paraspinal if muscle.is_paraspinal else peripheral).append(muscle)
    return FindingReference(
        segments=Segment.objects.in_bulk(),
        muscles=Muscle.objects.in_bulk(),
        signs=Sign.objects.in_bulk(),
        tests=SignTest.objects.in_bulk(),
        supplied={segment: (tuple(a), tuple(b)) for segment, (a, b) in supplied.items()},
    )


def finding_reference(reference: ReferenceData | None = None) -> FindingReference:
    """The reference rows of findings, from the page's memo (one query for the version
    token, none for the tables while they are unchanged)."""
    return (reference or ReferenceData()).get(
        "assessments.finding_reference", _finding_reference_build
    )


def _attach(findings, ref: FindingReference) -> None:
    """Give each finding its sign, test, segment and muscle from the reference rows (as
    select_related would, without the joins: the rows are shared, read-only)."""
    for finding in findings:
        if isinstance(finding, SignFinding):
            finding.sign = ref.signs[finding.sign_id]
            finding.test = ref.tests[finding.test_id]
            finding.segment = ref.segments[finding.segment_id]
        if finding.muscle_id is not None:
            finding.muscle = ref.muscles[finding.muscle_id]
        else:
            finding.muscle = None


# --- One assessment -----------------------------------------------------------------------


def assessment_detail(pk: int, reference: ReferenceData | None = None) -> Assessment:
    """One assessment with everything its page shows, in a fixed number of queries however
    many findings it holds (findings, their sign/test/segment/muscle, addenda).

    With the page's `reference` memo, the reference version is read with the assessment
    (one query fewer); the addenda are read only when there are some (`has_addenda`; a
    draft has none)."""
    assessment = _detail_read().get(pk=pk)
    if reference is not None:
        reference.settle(assessment.reference_version)
    lookups = [*_FINDINGS]
    if assessment.has_addenda:
        lookups.append(_ADDENDA)
    prefetch_related_objects([assessment], *lookups)
    # The findings' sign, test, segment and muscle from the reference memo instead of four
    # joins and a model per row for each (issue 18: the joins and their instances were most
    # of the findings' read).
    findings = [*assessment.sign_findings.all(), *assessment.taut_bands.all()]
    ref = finding_reference(reference)
    if not ref.names_all(findings):
        ref = _finding_reference_build()
    _attach(findings, ref)
    return assessment


@dataclass
class AssessmentRecord:
    """One assessment as its read page shows it: the assessment (with its patient,
    practitioner and signer, `visit_type` and `has_addenda`), its findings in their order,
    each with its sign, test, segment and muscle, its addenda and its segmental summary."""

    assessment: Assessment
    sign_findings: list[SignFinding]
    taut_bands: list[TautBand]
    range_findings: list[RangeOfMotion]
    addenda: list[AssessmentAddendum]
    summary: list[SegmentInvolvement]

    @property
    def has_findings(self) -> bool:
        return bool(self.sign_findings or self.taut_bands or self.range_findings)


def assessment_record(pk: int, reference: ReferenceData | None = None) -> AssessmentRecord:
    """The read page's assessment (AssessmentRecord): the assessment with the reference
    version, one plain read per kind of finding, the addenda only when there are some."""
    reference = reference or ReferenceData()
    assessment = _detail_read().get(pk=pk)
    reference.settle(assessment.reference_version)
    # Plain reads without ORDER BY, sorted below by the model's order (the sign findings
    # by segment position, from the memo): the prefetch machinery and the ORDER BY's join
    # and compile were a quarter of the page's reads (issue 18, bench data, CPU per page:
    # 3.6 -> 2.9 ms with the summary).
    signs = list(SignFinding.objects.filter(assessment_id=pk).order_by())
    bands = list(TautBand.objects.filter(assessment_id=pk).order_by())
    ranges = list(RangeOfMotion.objects.filter(assessment_id=pk).order_by())
    addenda = list(_ADDENDA.queryset.filter(assessment_id=pk)) if assessment.has_addenda else []
    ref = finding_reference(reference)
    if not ref.names_all([*signs, *bands]):
        ref = _finding_reference_build()
    _attach([*signs, *bands], ref)
    signs.sort(key=lambda finding: (finding.segment.position, finding.created_at, finding.pk))
    bands.sort(key=_created_order)
    ranges.sort(key=_created_order)
    return AssessmentRecord(
        assessment=assessment,
        sign_findings=signs,
        taut_bands=bands,
        range_findings=ranges,
        addenda=addenda,
        summary=_summary(signs, ref),
    )


def _created_order(finding) -> tuple:
    return (finding.created_at, finding.pk)  # _Finding.Meta.ordering


# The columns the assessment pages show of the rows read with the assessment (the patient
# has about thirty; issue 18: fewer columns to compile, send and convert).
_DETAIL_COLUMNS = (
    *(field.name for field in Assessment._meta.concrete_fields),
    "patient__legal_first_name",
    "patient__legal_last_name",
    "patient__preferred_name",
    "patient__date_of_birth",
    "practitioner__display_name",
    "practitioner__user",
    "signed_by__username",
    "signed_by__first_name",
    "signed_by__last_name",
)
_FINDINGS = (
    Prefetch(
        "sign_findings",
        queryset=SignFinding.objects.order_by("segment__position", "created_at", "pk"),
    ),
    "taut_bands",
    Prefetch("range_findings", queryset=RangeOfMotion.objects.all()),
)
# One query with their authors' names, not one for the addenda and one for the authors.
_ADDENDA = Prefetch(
    "addenda",
    queryset=AssessmentAddendum.objects.select_related("author")
    .only(
        "assessment", "created_at", "text", "author__username", "author__first_name",
        "author__last_name",
    )
    .order_by("created_at", "pk"),
)  # fmt: skip


def _detail_read() -> QuerySet[Assessment]:
    # Three joins and the visit's type as a subquery; the intake is read when a page shows
    # it (the entry page). On PostgreSQL, planning the six-table outer join took ~4 ms of
    # every request, forty times what running it took (EXPLAIN ANALYZE on the bench data,
    # issue 18).
    visit_type = Appointment.objects.filter(pk=OuterRef("appointment_id")).values("type__name")
    addenda = AssessmentAddendum.objects.filter(assessment=OuterRef("pk"))
    return (
        Assessment.objects.select_related("patient", "practitioner", "signed_by")
        .only(*_DETAIL_COLUMNS)
        .annotate(
            visit_type=Subquery(visit_type[:1]),
            has_addenda=Exists(addenda),
            reference_version=reference_token_subquery(),
        )
    )


def patient_assessments(patient: Patient) -> QuerySet[Assessment]:
    """The patient's assessments, newest first, with counts for a list."""
    return (
        Assessment.objects.filter(patient=patient)
        .select_related("practitioner")
        .annotate(
            n_signs=Count("sign_findings", distinct=True),
            n_bands=Count("taut_bands", distinct=True),
        )
        .order_by("-assessed_on", "-created_at")
    )


def assessment_latest(patient: Patient) -> Assessment | None:
    """The assessment the next session starts from: the latest signed one, else the
    latest draft."""
    return _latest_first(Assessment.objects.filter(patient=patient)).first()


def _latest_first(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return assessments.order_by("-status", "-assessed_on", "-created_at")  # "signed" > "draft"


# --- Segmental summary ------------------------------------------------------------------


@dataclass
class SegmentInvolvement:
    """One involved segment: where its signs were found and what to consider needling."""

    segment: Segment
    paraspinal: bool = False
    peripheral: bool = False
    findings: list[SignFinding] = field(default_factory=list)
    paraspinal_muscles: list[Muscle] = field(default_factory=list)
    peripheral_muscles: list[Muscle] = field(default_factory=list)

    @property
    def where(self) -> str:
        if self.paraspinal and self.peripheral:
            return "Paraspinal and peripheral"
        return "Paraspinal" if self.paraspinal else "Peripheral"

    @property
    def suggested_muscles(self) -> list[Muscle]:
        """Paraspinal at the level first, then the limb muscles it supplies (Gunn treats
        the whole segment, proximal before distal)."""
        return [*self.paraspinal_muscles, *self.peripheral_muscles]


def segmental_summary(
    assessment: Assessment, reference: ReferenceData | None = None
) -> list[SegmentInvolvement]:
    """The involved segments, cranial to caudal, from the assessment's sign findings.

    A segment is involved when at least one sign was found there (severity above 0); a
    finding of severity 0 records a sign looked for and not found. Suggested muscles come
    from the reference data: every active muscle the segment supplies, paraspinal first,
    then peripheral ones with this segment as a primary root, then the rest, by name.
    Uses the assessment's prefetched findings when present; the segments and muscles come
    from the reference memo (`finding_reference`: one query for its version).
    """
    findings = assessment.sign_findings.all()
    if not any(finding.severity > 0 for finding in findings):
        return []
    ref = finding_reference(reference)
    if any(finding.segment_id not in ref.segments for finding in findings):
        ref = _finding_reference_build()
    return _summary(findings, ref)


def _summary(findings, ref: FindingReference) -> list[SegmentInvolvement]:
    found = [finding for finding in findings if finding.severity > 0]
    involved: dict[int, SegmentInvolvement] = {}
    for finding in found:
        entry = involved.get(finding.segment_id)
        if entry is None:
            segment = ref.segments[finding.segment_id]
            paraspinal, peripheral = ref.supplied.get(segment.pk, ((), ()))
            entry = involved[segment.pk] = SegmentInvolvement(
                segment, paraspinal_muscles=list(paraspinal), peripheral_muscles=list(peripheral)
            )
        entry.findings.append(finding)
        if finding.region == Region.PARASPINAL:
            entry.paraspinal = True
        else:
            entry.peripheral = True
    return sorted(involved.values(), key=lambda entry: entry.segment.position)


def suggested_muscles(patient: Patient) -> list[Muscle]:
    """Muscles to offer first when recording needling for this patient: the segmental
    summary of their latest assessment, in segment order, each muscle once."""
    # One query: the active muscles supplied by the segments where the latest assessment
    # found a sign (the findings and the assessment as subqueries), in segment order, each
    # segment's primary roots first, then by name; as `_summary` orders them, paraspinal
    # first within a segment, below.
    latest = _latest_first(Assessment.objects.filter(patient=patient)).values("pk")[:1]
    involved = SignFinding.objects.filter(assessment=Subquery(latest), severity__gt=0).values(
        "segment_id"
    )
    innervations = (
        MuscleInnervation.objects.filter(segment_id__in=involved, muscle__active=True)
        .select_related("muscle")
        .order_by("segment__position", "segment_id", "-primary", "muscle__name")
    )
    segments: dict[int, tuple[list[Muscle], list[Muscle]]] = {}
    for link in innervations:
        muscle = link.muscle
        muscle.primary_here = link.primary
        paraspinal, peripheral = segments.setdefault(link.segment_id, ([], []))
        (paraspinal if muscle.is_paraspinal else peripheral).append(muscle)
    seen: set[int] = set()
    muscles = []
    for paraspinal, peripheral in segments.values():
        for muscle in (*paraspinal, *peripheral):
            if muscle.pk not in seen:
                seen.add(muscle.pk)
                muscles.append(muscle)
    return muscles


# --- Pickers ------------------------------------------------------------------------------


def signs_by_group() -> list[tuple[str, list[Sign]]]:
    """Active signs grouped sensory / autonomic / trophic / motor, with their tests."""
    groups: dict[str, list[Sign]] = defaultdict(list)
    for sign in Sign.objects.filter(active=True).prefetch_related("tests"):
        groups[sign.get_group_display()].append(sign)
    order = [label for _, label in Sign.Group.choices]
    return [(label, groups[label]) for label in order if groups[label]]


def muscle_choices(segment: Segment | None = None) -> list[tuple[str, list[Muscle]]]:
    """Active muscles for a picker, grouped. With a segment: the muscles it supplies first
    (paraspinal, then peripheral), then every other muscle; without one: by body region."""
    muscles = list(Muscle.objects.filter(active=True).prefetch_related("innervations__segment"))
    if segment is None:
        groups: dict[str, list[Muscle]] = defaultdict(list)
        for muscle in muscles:
            groups[muscle.get_body_region_display()].append(muscle)
        return sorted(groups.items())
    supplied = [m for m in muscles if any(i.segment_id == segment.pk for i in m.innervations.all())]
    supplied.sort(key=lambda m: (not m.is_paraspinal, m.name))
    others = [m for m in muscles if m not in supplied]
    return [(f"Supplied by {segment.code}", supplied), ("Other muscles", others)]


def open_draft_assessments(practitioner: Practitioner | None, patient: Patient | None) -> QuerySet:
    """Unsigned assessments, of the practitioner and/or the patient, as rows of clinic's
    `open_notes` for My day and the chart (registered in AssessmentsConfig.ready)."""
    drafts = Assessment.objects.filter(status=Assessment.Status.DRAFT)
    return open_notes_rows(
        DRAFT_ASSESSMENTS,
        drafts,
        practitioner,
        patient,
        on="assessed_on",
        since="created_at",
        appointment=None,
    )


DRAFT_ASSESSMENTS = "assessments.draft_assessments"
OPEN_NOTES_PROVIDER = OpenNotesProvider(
    kind="Assessment",
    rows=open_draft_assessments,
    url=lambda pk, patient_id: reverse("assessments:edit", args=[pk]),
)
