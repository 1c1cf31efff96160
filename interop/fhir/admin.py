"""Organization, Location, Practitioner and PractitionerRole: who and where."""

from __future__ import annotations

from django.conf import settings

from interop.fhir.base import CS, IDENTIFIER_TYPE, Resource, coding, concept, day, ref, resource

ORGANIZATION_KEY = "clinic"


def organization() -> Resource:
    """The clinic itself (one per installation)."""
    return resource(
        "Organization",
        ORGANIZATION_KEY,
        active=True,
        name=settings.CLINIC_NAME,
        type=[concept(coding("http://terminology.hl7.org/CodeSystem/organization-type", "prov",
                             "Healthcare Provider"))],
    )  # fmt: skip


def organization_ref() -> dict[str, str]:
    return ref("Organization", ORGANIZATION_KEY, settings.CLINIC_NAME)


def location(place) -> Resource:
    return resource(
        "Location",
        str(place.pk),
        identifier=[{"system": CS["identifier-location"], "value": str(place.pk)}],
        status="active" if place.active else "inactive",
        name=place.name,
        telecom=[{"system": "phone", "value": place.phone, "use": "work"}] if place.phone else [],
        address={"text": place.address} if place.address else None,
        managingOrganization=organization_ref(),
    )


def practitioner(person, credentials) -> Resource:
    """A practitioner with their needling registrations (college roster numbers) as
    identifiers: each names its college as the assigner and its validity as the period."""
    user = person.user
    identifiers = [{"system": CS["identifier-practitioner"], "value": str(person.pk)}]
    for credential in credentials:
        identifiers.append(
            {
                "use": "official",
                "type": concept(coding(IDENTIFIER_TYPE, "LN", "License number")),
                "system": CS["identifier-practitioner"] + "/college-registration",
                "value": credential.roster_number,
                "period": {"start": day(credential.valid_from), "end": day(credential.expires_on)},
                "assigner": {"display": credential.college},
            }
        )
    name = {"use": "official", "family": user.last_name, "given": [user.first_name]}
    if not user.last_name:
        name = {"text": person.display_name}
    return resource(
        "Practitioner",
        str(person.pk),
        identifier=identifiers,
        active=person.active and user.is_active,
        # No telecom: staff accounts' e-mail addresses are theirs, not the clinic's to hand
        # out in every patient's Bundle.
        name=[name, {"use": "usual", "text": person.display_name}],
    )


def practitioner_ref(practitioner_id: int, display: str = "") -> dict[str, str]:
    return ref("Practitioner", str(practitioner_id), display)


def practitioner_role(person, location_ids) -> Resource:
    return resource(
        "PractitionerRole",
        str(person.pk),
        active=person.active,
        practitioner=practitioner_ref(person.pk, person.display_name),
        organization=organization_ref(),
        code=[concept(text="Physiotherapist")],
        location=[ref("Location", str(pk)) for pk in sorted(location_ids)],
    )


def user_ref(user) -> dict[str, str]:
    """A reference to the practitioner behind a staff account, or the account's name when
    the account is not a practitioner's (an admin)."""
    if user is None:
        return {}
    person = getattr(user, "practitioner", None)
    if person is not None:
        return practitioner_ref(person.pk, person.display_name)
    return {"display": user.get_full_name() or user.username}
