"""Each province's rule for how long a physiotherapy record is kept, as data.

A record may be destroyed once `years` have passed since the later of (a) the last entry
in it and (b) the day the patient reached the age of majority. Every year step below moves
29 February to 28 February, so a rule is exactly two date comparisons the database can make
(custody.selectors.retention.past_retention).

Sources (and where they disagree):

- British Columbia: 16 years from the date of the last entry or from the age of majority
  (19 in BC, Age of Majority Act, RSBC 1996 c. 7, s. 1), whichever is later. The figure
  follows BC's Limitation Act, SBC 2012 c. 13 (in force 1 June 2013: a 15-year ultimate
  limitation period, running from majority for a minor); the health-profession colleges
  of BC set their bylaws to it, e.g. the College of Physicians and Surgeons of BC, "Record
  retention: 16 years", College Connector 2013 vol. 1 no. 1 (cpsbc.ca), and the College of
  Physical Therapists of BC (now the College of Health and Care Professionals of BC),
  bylaws part VI and its record-keeping standard. The BC occupational therapy college
  states the same 16 years from the later of last entry or age 19.
- Alberta: 10 years after the last date of service; for a minor, 10 years after their
  18th birthday (age of majority 18, Age of Majority Act, RSA 2000 c. A-6). Physiotherapy
  Alberta College + Association, Standards of Practice (2017), "Documentation and Record
  Keeping: Retention and disposal". Disagreement: the College's 2025 revised standards and
  the 2026 designation of physiotherapists as custodians under the Health Information Act
  do not restate a period, and Alberta's occupational therapy college asks for 11 years
  and 3 months; the 10-year figure is the physiotherapy standard still cited by the
  College, so it is used here, and a clinic wanting more should place legal holds.
- Ontario: 10 years after the last interaction (entry); for a minor, 10 years after the
  day they turned or would have turned 18. College of Physiotherapists of Ontario, Record
  Keeping Standard (collegept.org/standard/record-keeping-standard; "Keeping a Paper
  Trail", 2023). Disagreement: some Ontario institutions keep physiotherapy files 15 years
  from the same trigger to cover the Limitations Act, 2002 (SO 2002 c. 24 Sch. B, s. 15)
  ultimate period, and summaries elsewhere cite "7 or 10 years"; the regulator's 10 years
  is the minimum used here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RetentionRule:
    province: str
    years: int
    age_of_majority: int
    summary: str
    source: str

    def majority_on(self, date_of_birth: dt.date) -> dt.date:
        return add_years(date_of_birth, self.age_of_majority)

    def retention_until(self, *, last_entry: dt.date, date_of_birth: dt.date) -> dt.date:
        """The last day the record must still be kept."""
        return add_years(max(last_entry, self.majority_on(date_of_birth)), self.years)

    def is_past(self, *, last_entry: dt.date, date_of_birth: dt.date, today: dt.date) -> bool:
        """Past retention on `today`: retention_until(...) < today, written as the two
        comparisons the database makes (they agree except around 29 February)."""
        entry_cutoff, birth_cutoff = self.cutoffs(today)
        return last_entry < entry_cutoff and date_of_birth < birth_cutoff

    def cutoffs(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """(latest last entry, latest date of birth) still before which a record is past
        retention on `today`: last entry < the first and date of birth < the second."""
        entry_cutoff = add_years(today, -self.years)
        return entry_cutoff, add_years(entry_cutoff, -self.age_of_majority)


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


RULES: dict[str, RetentionRule] = {
    "BC": RetentionRule(
        province="BC",
        years=16,
        age_of_majority=19,
        summary="16 years after the last entry or after the patient turned 19, whichever is later",
        source=(
            "BC Limitation Act (SBC 2012 c. 13) as applied by the BC health-profession "
            "colleges' record-retention bylaws (CPTBC / CHCPBC; CPSBC 2013)"
        ),
    ),
    "AB": RetentionRule(
        province="AB",
        years=10,
        age_of_majority=18,
        summary=(
            "10 years after the last service or after the patient turned 18, whichever is later"
        ),
        source=(
            "Physiotherapy Alberta College + Association, Standards of Practice: "
            "Documentation and Record Keeping (retention and disposal)"
        ),
    ),
    "ON": RetentionRule(
        province="ON",
        years=10,
        age_of_majority=18,
        summary="10 years after the last entry or after the patient turned 18, whichever is later",
        source="College of Physiotherapists of Ontario, Record Keeping Standard",
    ),
}
