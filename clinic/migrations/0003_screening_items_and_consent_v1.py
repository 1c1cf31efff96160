"""Reference data: the pre-needling screening checklist and the first consent text.

Both are clinic-admin editable afterwards; this is the starting point from the clinical
domain notes (DOMAIN.md "Screening before needling", "Informed consent").
"""

from django.db import migrations
from django.utils import timezone

CONTRAINDICATION = "contraindication"
PRECAUTION = "precaution"

ITEMS = [
    ("cannot-consent", "I do not want needling, or I cannot give consent", CONTRAINDICATION,
     "Patient refuses or lacks capacity to consent."),
    ("needle-phobia", "I have a severe fear of needles", CONTRAINDICATION,
     "Severe needle phobia: needling only if the patient chooses to proceed."),
    ("local-infection", "An infection, wound or skin condition where I have pain",
     CONTRAINDICATION, "Local infection or skin lesion at the site to be needled."),
    ("lymphedema", "Lymphedema (swelling from the lymph system) in an arm or leg",
     CONTRAINDICATION, "Do not needle a limb with lymphedema."),
    ("acute-trauma", "A recent injury (days old) in the painful area", CONTRAINDICATION,
     "Acute trauma at the site."),
    ("anticoagulants", "I take blood thinners or have a bleeding disorder", PRECAUTION,
     "Bleeding risk: apply pressure after needling; avoid deep sites near vessels."),
    ("pregnancy", "I am pregnant or may be pregnant", PRECAUTION,
     "Avoid abdomen, low back and sacral points per clinic policy."),
    ("immunocompromised", "A weakened immune system (condition or medication)", PRECAUTION,
     "Infection risk: strict asepsis."),
    ("diabetes", "Diabetes", PRECAUTION, "Skin healing and infection risk; check feet."),
    ("epilepsy", "Epilepsy or seizures", PRECAUTION, "Treat lying down; know the seizure plan."),
    ("metal-allergy", "An allergy to metals such as nickel", PRECAUTION,
     "Consider alternative needles."),
    ("implanted-device", "A pacemaker or other implanted electrical device", PRECAUTION,
     "No electrical stimulation; avoid needling near the device."),
    ("implants", "Breast or joint implants", PRECAUTION,
     "Avoid needling over implants; pneumothorax caution over breast implants."),
    ("recent-surgery", "Surgery in the last 6 months", PRECAUTION,
     "Avoid the surgical site; check for infection."),
    ("vasovagal", "I have fainted with needles, injections or blood tests", PRECAUTION,
     "Treat lying down; monitor closely."),
    ("cancer", "Cancer, now or in the past", PRECAUTION,
     "Avoid sites of active disease; check with the oncology team when in doubt."),
]

CONSENT_V1 = """\
Intramuscular stimulation (IMS) is a treatment for chronic muscle and nerve pain. Your \
physiotherapist places a very fine, sterile, single-use needle into tight bands of muscle. A \
tight muscle often twitches or cramps for a moment and then relaxes; you may feel a deep ache \
while this happens.

Common effects: soreness or aching for one or two days after treatment, small bruises where \
the needle went in, and tiredness or drowsiness on the day of treatment.

Uncommon effects: feeling faint or light-headed during or after treatment, and a brief \
increase in your usual pain.

Rare but serious: when muscles over the chest wall are treated, the needle can puncture the \
lining of the lung (pneumothorax). Signs can appear hours later: shortness of breath, chest \
pain, or pain when breathing in. If this happens, go to the nearest emergency department and \
tell them you had needling.

Treatments are usually no more than once a week. You may ask questions at any time, and you \
may stop a treatment or withdraw this consent at any time without affecting the rest of your \
care. Tell your physiotherapist before each visit about any change in your health, \
medications (especially blood thinners), or pregnancy.

By typing your full legal name below, you confirm that you have read and understood this \
information, that your questions have been answered, and that you agree to receive IMS \
treatment."""


def forwards(apps, schema_editor):
    ScreeningItem = apps.get_model("clinic", "ScreeningItem")
    ConsentVersion = apps.get_model("clinic", "ConsentVersion")
    for order, (code, label, severity, note) in enumerate(ITEMS, start=1):
        ScreeningItem.objects.update_or_create(
            code=code,
            defaults={"label": label, "severity": severity, "clinical_note": note,
                      "order": order * 10},
        )
    ConsentVersion.objects.get_or_create(
        version=1,
        defaults={
            "title": "Consent to intramuscular stimulation (IMS)",
            "body": CONSENT_V1,
            "published_at": timezone.now(),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_patient_search_trigram_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
