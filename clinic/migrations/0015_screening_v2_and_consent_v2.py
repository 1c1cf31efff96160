"""Screening v2 (issue 17): "acutely unwell / medical emergency today" as a contraindication
and six precautions; consent text version 2 naming infection and a broken or retained needle.

Sources for the list (the wording of labels and notes is ours):
- Australian Society of Acupuncture Physiotherapists (ASAP). Guidelines for Safe Acupuncture
  and Dry Needling Practice. ASAP, 2007; revised 2013. Lists as ABSOLUTE contraindications
  the unwilling or needle-phobic patient, a patient in a medical emergency or acutely unwell,
  and needling a limb with lymphoedema; as RELATIVE ones (precautions) abnormal bleeding
  tendency, compromised immunity, vascular disease, diabetes, pregnancy, children, the frail
  patient, epilepsy, psychological status and allergies. (A 2017 revision is cited by some
  courses; we could not confirm its text, so nothing here rests on it.)
- McEvoy J, et al. Guidelines for Safe Dry Needling Practice for Chartered Physiotherapists.
  Irish Society of Chartered Physiotherapists, 2012; summarised in McEvoy J. "Trigger point
  dry needling: safety guidelines", ch. in Dommerholt J, Fernandez-de-las-Penas C (eds).
  Trigger Point Dry Needling: An Evidence and Clinical-Based Approach. Churchill Livingstone
  Elsevier, 2013. Same absolute/relative split as ASAP (it draws on ASAP 2007 and the
  Canadian Physiotherapy Association's 2007 guidance).
- Brady S, McEvoy J, Dommerholt J, Doody C. Adverse events following trigger point dry
  needling: a prospective survey of chartered physiotherapists. J Man Manip Ther.
  2014;22(3):134-140. Mild events common (bruising, bleeding, pain); significant ones rare,
  none serious in 7,629 treatments; screening for the above is its premise.
- Halle JS, Halle RJ. Pertinent dry needling considerations for minimizing adverse effects,
  part one. Int J Sports Phys Ther. 2016;11(4):651-662: pneumothorax risk over the thorax is
  higher with a thin chest wall and with lung disease (e.g. emphysema/COPD), and a previous
  pneumothorax calls for care.
- Kearns G, Fernandez-de-las-Penas C, Brismee J-M, Gan J, Doidge J. New perspectives on dry
  needling following a medical model: are we screening our patients sufficiently? J Man Manip
  Ther. 2019;27(3):172-179 (doi:10.1080/10669817.2019.1567011): medical screening, including
  psychological factors and systemic disease, before needling.
- APTA. Description of Dry Needling in Clinical Practice: An Educational Resource Paper.
  American Physical Therapy Association, 2013: contraindications and precautions are left to
  the clinician's screening; it does not give a fixed absolute/relative list.
The College of Physical Therapists of British Columbia's dry-needling guidance was not
checked for this list (unconfirmed); a BC clinician should compare it.

Where the sources disagree:
- Needle phobia / unwilling patient: ABSOLUTE in ASAP and McEvoy; this clinic (migration
  0003) already treats a severe fear as a contraindication that a physiotherapist may clear
  when the patient chooses to proceed, and lesser anxiety as the "psychological state"
  precaution below. Impaired capacity to consent is absolute when the patient cannot
  consent at all ("cannot-consent", 0003); fluctuating or partial capacity is a precaution.
- Children: RELATIVE in ASAP and McEvoy; some regulators also require a parent or
  guardian's consent below a legal age, which is a consent matter, not encoded here.
- Lung disease, previous pneumothorax and thin build over the thorax are not on the ASAP
  contraindication lists; Halle & Halle (2016) and McEvoy (2013) treat them as anatomical
  risk factors for pneumothorax, i.e. a precaution for technique (depth, direction, avoid
  the chest wall), not a reason to refuse needling.

Existing intakes are not cleared: every intake whose screening step was answered before
this migration gets the items that existed then as "asked"; the new items stay unanswered
until answered (clinic.selectors.screening_for). Both texts stay admin-editable afterwards.
"""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models
from django.utils import timezone

CONTRAINDICATION = "contraindication"
PRECAUTION = "precaution"

# code, label (as the patient reads it), severity, clinical note, order
ITEMS = [
    ("acutely-unwell", "I am acutely unwell today or have a medical emergency (e.g. fever, "
     "chest pain, new shortness of breath)", CONTRAINDICATION,
     "ASAP 2007/2013, McEvoy 2012: absolute contraindication. Do not needle today; refer "
     "for medical care if needed. Asked again at every visit's re-screen.", 55),
    ("vascular-disease", "Circulation or blood-vessel disease (e.g. poor circulation in the "
     "legs, peripheral vascular disease, aneurysm)", PRECAUTION,
     "ASAP, McEvoy: relative (vascular disease). Slower healing and infection risk in "
     "ischaemic limbs; avoid needling near diseased vessels.", 165),
    ("under-18", "Under 18 years old", PRECAUTION,
     "Worked out from the date of birth, never asked. ASAP, McEvoy: children are a relative "
     "contraindication; check a parent or guardian's consent and explain in plain words.",
     170),
    ("frailty", "I am frail (e.g. falls, weight loss, or everyday tasks are hard because of "
     "weakness)", PRECAUTION,
     "ASAP, McEvoy: relative (frail patient). Fewer needles, lying down, lighter dose; "
     "watch for vasovagal reactions.", 175),
    ("psychological-state", "Strong anxiety about needles or treatment, a mental-health "
     "condition, or difficulty understanding what I am agreeing to", PRECAUTION,
     "ASAP, McEvoy: relative (psychological status); Kearns et al. 2019. Check understanding "
     "and consent each visit; a patient who cannot consent is a contraindication.", 180),
    ("lung-disease", "Lung disease (e.g. COPD, emphysema, severe asthma) or a collapsed lung "
     "(pneumothorax) in the past", PRECAUTION,
     "Halle & Halle 2016; McEvoy 2013: higher pneumothorax risk and poorer tolerance of one. "
     "Over the thorax: shallow or angled away from the lung, or do not needle there.", 185),
    ("thin-build", "I have a slim build with little muscle or fat over my ribs", PRECAUTION,
     "Halle & Halle 2016: a thin chest wall brings the pleura within needle reach. Judge it "
     "on examination; over the thorax needle over a rib or angle tangentially.", 190),
]
NEW_CODES = [code for code, *_ in ITEMS]

CONSENT_V2 = """\
Intramuscular stimulation (IMS) is a treatment for chronic muscle and nerve pain. Your \
physiotherapist places a very fine, sterile, single-use needle into tight bands of muscle. A \
tight muscle often twitches or cramps for a moment and then relaxes; you may feel a deep ache \
while this happens.

Common effects: soreness or aching for one or two days after treatment, small bruises where \
the needle went in, and tiredness or drowsiness on the day of treatment.

Uncommon effects: feeling faint or light-headed during or after treatment, and a brief \
increase in your usual pain.

Rare: an infection where the needle went in. Needles are sterile and used once, and the skin \
is cleaned first, but tell us or your doctor if a needle site becomes red, hot, swollen or \
painful, or you develop a fever.

Rare: a needle can break, or a piece of needle can be left in the body. Your physiotherapist \
counts and checks every needle when it is removed. If a needle breaks, keep still; it may need \
to be removed by a doctor, sometimes with a small procedure.

Rare but serious: when muscles over the chest wall are treated, the needle can puncture the \
lining of the lung (pneumothorax). Signs can appear hours later: shortness of breath, chest \
pain, or pain when breathing in. If this happens, go to the nearest emergency department and \
tell them you had needling.

Treatments are usually no more than once a week. You may ask questions at any time, and you \
may stop a treatment or withdraw this consent at any time without affecting the rest of your \
care. Tell your physiotherapist before each visit about any change in your health, \
medications (especially blood thinners), or pregnancy, and if you feel unwell that day.

By typing your full legal name below, you confirm that you have read and understood this \
information, that your questions have been answered, and that you agree to receive IMS \
treatment."""


def forwards(apps, schema_editor):
    ScreeningItem = apps.get_model("clinic", "ScreeningItem")
    ConsentVersion = apps.get_model("clinic", "ConsentVersion")
    Intake = apps.get_model("clinic", "Intake")
    # The list as it was before: what every already-answered intake was asked.
    earlier = list(ScreeningItem.objects.exclude(code__in=NEW_CODES).values_list("pk", flat=True))
    for code, label, severity, note, order in ITEMS:
        # get_or_create: an item the admin already added under this code keeps their wording.
        ScreeningItem.objects.get_or_create(
            code=code,
            defaults={"label": label, "severity": severity, "clinical_note": note,
                      "order": order},
        )
    through = Intake.screening_asked.through
    answered = Intake.objects.filter(screening_reviewed=True).exclude(
        pk__in=through.objects.values("intake_id")
    ).values_list("pk", flat=True)
    through.objects.bulk_create(
        [through(intake_id=intake_id, screeningitem_id=item_id)
         for intake_id in answered.iterator() for item_id in earlier],
        batch_size=2000,
    )
    # Published as the next version: from now on every earlier signature is stale (the
    # current version is the newest published one, clinic.selectors.consent_version_current).
    if not ConsentVersion.objects.filter(body=CONSENT_V2).exists():
        latest = ConsentVersion.objects.order_by("-version").first()
        ConsentVersion.objects.create(
            version=(latest.version if latest else 0) + 1,
            title="Consent to intramuscular stimulation (IMS)",
            body=CONSENT_V2,
            published_at=timezone.now(),
        )


def backwards(apps, schema_editor):
    """Withdraw the new version if nobody signed it, and retire (not delete) new items that
    intakes or clearances refer to, so no answer is lost; unused ones are removed."""
    ScreeningItem = apps.get_model("clinic", "ScreeningItem")
    ConsentVersion = apps.get_model("clinic", "ConsentVersion")
    Intake = apps.get_model("clinic", "Intake")
    ConsentVersion.objects.filter(body=CONSENT_V2, consents__isnull=True).delete()
    used = set(
        Intake.screening_items.through.objects.filter(
            screeningitem__code__in=NEW_CODES
        ).values_list("screeningitem_id", flat=True)
    )
    for item in ScreeningItem.objects.filter(code__in=NEW_CODES):
        if item.pk in used or apps.get_model("clinic", "ScreeningClearance").objects.filter(
            item=item
        ).exists():
            item.active = False
            item.save(update_fields=["active"])
        else:
            Intake.screening_asked.through.objects.filter(screeningitem=item).delete()
            item.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0014_needling_days_count_for_spacing'),
    ]

    operations = [
        migrations.AddField(
            model_name='intake',
            name='screening_asked',
            field=models.ManyToManyField(blank=True, help_text='An active item not here was added later and is still unanswered.', related_name='+', to='clinic.screeningitem', verbose_name='items on the list when it was answered'),
        ),
        migrations.CreateModel(
            name='HistoricalIntake_screening_asked',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='clinic.historicalintake')),
                ('intake', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='clinic.intake')),
                ('screeningitem', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='clinic.screeningitem')),
            ],
            options={
                'verbose_name': 'HistoricalIntake_screening_asked',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(forwards, backwards),
    ]
