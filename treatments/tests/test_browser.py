import pytest
from assessments.tests.factories import add_sign, make_assessment, practitioner_for
from clinic.tests.browser import sign_in
from treatments.tests.factories import credential_for, ready_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_explore(physio, page_for):
    patient = ready_patient(physio)
    credential_for(physio)
    a = make_assessment(physio, patient=patient)
    add_sign(a, physio, segment="C6", region="peripheral", sign="Motor point tenderness", muscle="Supinator")
    page = page_for()
    sign_in(page, "physio")
    page.goto(page.base + f"/treatments/patients/{patient.pk}/chart/")
    open("/tmp/explore/chart.html", "w").write(page.content())
    page.get_by_role("button", name="New session").click()
    page.wait_for_load_state("networkidle")
    open("/tmp/explore/edit.html", "w").write(page.content())
    print(page.url, page.console_errors)
