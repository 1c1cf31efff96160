"""Corrections to the muscle catalogue of seed/muscles.py after the issue 17 safety review.

Read by data migration assessments 0005_chest_wall_and_innervation_corrections (and so by
assessments.services.reference_data_ensure after a flush, which replays 0002 and then this).
Each entry names the value the earlier seed set (`previous`) and the corrected one: the
migration changes a clinic's row only where it still holds `previous`, so a clinic admin's
own decision stands (the rule is in the migration's docstring). Frozen once released, like
seed/muscles.py: a later correction goes in a later module and migration.

Pure Python (no Django imports) so migrations can import it safely.

Sources (full references; page numbers are not given here, and where a textbook's segment
list is quoted from our reading rather than re-checked for this change it says so: a
clinician should confirm against the clinic's copy and edit in the admin if it differs):
  [GRAY]    Standring S (ed.). Gray's Anatomy: The Anatomical Basis of Clinical Practice,
            42nd ed. Elsevier, 2021.
  [MOORE]   Moore KL, Dalley AF, Agur AMR. Clinically Oriented Anatomy, 7th ed.
            Lippincott Williams & Wilkins, 2014.
  [KENDALL] Kendall FP, McCreary EK, Provance PG, Rodgers MM, Romani WA. Muscles: Testing
            and Function with Posture and Pain, 5th ed. Lippincott Williams & Wilkins, 2005.
  [DOMM]    Dommerholt J, Fernández-de-las-Peñas C (eds). Trigger Point Dry Needling: An
            Evidence and Clinical-Based Approach. Churchill Livingstone/Elsevier, 2013.
  [BRADY]   Brady S, McEvoy J, Dommerholt J, Doody C. Adverse events following trigger
            point dry needling: a prospective survey of chartered physiotherapists. J Man
            Manip Ther. 2014;22(3):134-140. doi:10.1179/2042618613Y.0000000044
  [BOYCE]   Boyce D, Wempe H, Campbell C, et al. Adverse events associated with therapeutic
            dry needling. Int J Sports Phys Ther. 2020;15(1):103-113.
            doi:10.26603/ijspt20200103
  [SAWYER]  Sawyer FK, Stefanik JJ, Lufler RS. The branching and innervation pattern of the
            radial nerve in the forearm: clarifying the literature and understanding
            variations and their clinical implications. Diagnostics. 2020;10(6):366.
            doi:10.3390/diagnostics10060366
  [BRANOV]  "The innervation pattern of the radial nerve at the elbow and in the forearm"
            (60 cadaver forearms; J Hand Surg Br, 1998, first author Branovacki G). Title and
            findings confirmed from its abstract; authors and journal details from memory,
            unconfirmed.
  [MACCHI]  Macchi V, Tiengo C, Porzionato A, et al. Medial and lateral pectoral nerves:
            course and branches. Clin Anat. 2007;20(2):157-162.
  [LOUKAS]  Loukas M, Louis RG Jr, Fitzsimmons J, Colborn G. The surgical anatomy of the
            ansa pectoralis. Clin Anat. 2006;19(8):685-693.
"""

from __future__ import annotations

from typing import NamedTuple

Innervation = tuple[tuple[str, bool], ...]  # (segment code, primary?) as in MuscleSeed


class ChestWallCorrection(NamedTuple):
    name: str
    previous: bool  # what seed/muscles.py set
    corrected: bool


class InnervationCorrection(NamedTuple):
    name: str
    previous: Innervation  # exactly what seed/muscles.py set
    corrected: Innervation


REASON = "Issue 17 safety review (assessments/seed/corrections.py)"

# --- Pneumothorax (chest-wall) flag -----------------------------------------------------
# The flag asks the physiotherapist to acknowledge the pneumothorax precaution for the site
# (and the visit summary tells the patient what breathlessness means); it blocks nothing.
# Where a muscle's usual needling can reach the pleura the flag is set; the earlier rule
# ("the bony scapula is a backstop"; "below the costal margin") was too generous:
#
# Supraspinatus: needled in the supraspinous fossa with the needle aimed down onto the fossa
#   floor; aimed forwards past the superior border of the scapula it heads towards the front
#   of the scapula and the lung apex, which rises above the clavicle [MOORE, pleural cupula;
#   DOMM, needling of supraspinatus]. Flagged.
# Infraspinatus: the infraspinous fossa floor is thin, translucent or perforated in a
#   minority of scapulae, more so with age and osteoporosis, so the bone is not a reliable
#   depth stop; under it lie subscapularis, serratus anterior, ribs and pleura [DOMM;
#   AAP Education, "Infraspinatus safety & technique", 2015, cites ~8% defective fossa
#   floors: a practitioner blog, the figure's primary study unconfirmed]. Pneumothorax is
#   the most serious dry-needling adverse event in the prospective surveys [BRADY, BOYCE].
#   Flagged.
# External oblique: arises by digitations from the outer surfaces of the lower eight ribs
#   (5-12), interdigitating with serratus anterior and latissimus dorsi [GRAY; MOORE]; over
#   those ribs the needle is over the costodiaphragmatic recess of the pleura, which reaches
#   about the 8th rib in the midclavicular line and the 10th in the midaxillary line
#   [MOORE, surface markings of the pleura]. Flagged.
# Quadratus lumborum: inserts on the medial half of the lower border of the 12th rib; the
#   parietal pleura crosses the 12th rib posteriorly and near the vertebral column may lie
#   below it, the known pneumothorax risk of posterior approaches to the kidney [MOORE;
#   GRAY]. Its usual site at L3 is below the pleura, its costal fibres are not. Flagged.
# Teres major (reviewed, NOT flagged): from the dorsal surface of the inferior angle and
#   lower lateral border of the scapula to the humerus, forming the posterior axillary fold
#   [GRAY; MOORE]; it is usually needled in pincer grip with the needle directed along the
#   fold, away from the thorax (technique as taught in dry-needling texts such as [DOMM];
#   not re-checked for this change). None of the sources above names it as a pneumothorax
#   risk. A clinic that needles it flat over the inferior angle can set the flag in the
#   admin.
CHEST_WALL_CORRECTIONS: tuple[ChestWallCorrection, ...] = (
    ChestWallCorrection("Supraspinatus", previous=False, corrected=True),
    ChestWallCorrection("Infraspinatus", previous=False, corrected=True),
    ChestWallCorrection("External oblique", previous=False, corrected=True),
    ChestWallCorrection("Quadratus lumborum", previous=False, corrected=True),
)

# --- Innervation ------------------------------------------------------------------------
# Segments drive the suggested muscles (assessments.selectors.segmental_summary: every
# active muscle a segment supplies, its primary muscles first) and a needling site's segment
# must be one of its muscle's segments. So corrections only ADD a segment or mark one
# primary: nothing offered before disappears, and no recorded site is made invalid.
#
# Extensor carpi radialis brevis: nerve = deep branch of the radial nerve / posterior
#   interosseous [MOORE; GRAY]; the branch varies: from the posterior interosseous nerve in
#   45%, the superficial radial nerve in 25%, their bifurcation in 30% [BRANOV]; see also
#   [SAWYER]. Segments: C7, C8 in [MOORE] and [GRAY]; C6, C7 (with C5, C8 minor) in [KENDALL]
#   (our reading of the tables, not re-checked here). The seed's C6, C7 (both primary) is
#   kept, which keeps ECRB with the C6 lateral-elbow group of DOMAIN.md, and C8 is added as
#   a minor root so both textbooks' ranges are covered.
# Pectoralis minor: medial pectoral nerve (C8, T1) [MOORE]; medial pectoral with a
#   contribution from the lateral pectoral nerve (C5-C7) through the ansa pectoralis [GRAY;
#   MACCHI; LOUKAS]; C(6), 7, 8, T1 in [KENDALL] (our reading, not re-checked). The seed had
#   T1 as a minor root although the medial pectoral nerve, the muscle's main supply in every
#   source above, carries C8 and T1: T1 is made primary; C6 (minor) and C7 (primary) stay
#   for the lateral pectoral contribution.
INNERVATION_CORRECTIONS: tuple[InnervationCorrection, ...] = (
    InnervationCorrection(
        "Extensor carpi radialis brevis",
        previous=(("C6", True), ("C7", True)),
        corrected=(("C6", True), ("C7", True), ("C8", False)),
    ),
    InnervationCorrection(
        "Pectoralis minor",
        previous=(("C6", False), ("C7", True), ("C8", True), ("T1", False)),
        corrected=(("C6", False), ("C7", True), ("C8", True), ("T1", True)),
    ),
)

# Reviewed and left as seeded (textbooks differ; the seed already spans both):
# Obturator externus: obturator nerve (posterior branch), L3, L4 [MOORE; GRAY]; the seed's
#   L3, L4 agree with both; no change.
# Sartorius: femoral nerve, L2, L3 [MOORE; GRAY]; the seed's L2, L3 agree with both; no
#   change.
# Adductor magnus: dual supply, adductor part by the obturator nerve (L2-L4) and hamstring
#   (ischiocondylar) part by the tibial part of the sciatic nerve (L4) [MOORE; GRAY];
#   [KENDALL] gives L2-S1 in our reading. The seed (L3, L4 primary; L2, L5, S1 minor)
#   spans both.
# Flexor hallucis brevis: medial plantar nerve [MOORE; GRAY; KENDALL]; segments differ by
#   source: S2, S3 [MOORE], S1, S2 [GRAY], L5, S1 [KENDALL] (segment lists from our reading,
#   not re-checked). The app's segments stop at S2 (DOMAIN.md); the seed's S1 primary with
#   L5 and S2 minor spans the three.
