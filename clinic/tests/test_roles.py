"""The role groups hold exactly the permissions the table in clinic.permissions gives."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from clinic import services
from clinic.permissions import ROLE_PERMISSIONS, Role


def perms_of(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_migrate_creates_one_group_per_role_with_its_permissions():
    for role in Role:
        group = Group.objects.get(name=role.group_name)
        assert perms_of(group) == set(ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_roles_sync_removes_permissions_granted_by_hand():
    group = Group.objects.get(name=Role.PATIENT.group_name)
    extra = Group.objects.get(name=Role.CLINIC_ADMIN.group_name).permissions.first()
    group.permissions.add(extra)
    services.roles_sync()
    assert perms_of(group) == set()


@pytest.mark.django_db
def test_a_misspelt_permission_fails_loudly(monkeypatch):
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.PATIENT, ("clinic.view_pateint",))
    with pytest.raises(LookupError, match="clinic.view_pateint"):
        services.roles_sync()


@pytest.mark.django_db
def test_only_clinic_admins_are_staff(make_user):
    admin = make_user(Role.CLINIC_ADMIN)
    desk = make_user(Role.FRONT_DESK)
    assert admin.is_staff
    assert not desk.is_staff
    services.user_set_roles(user=admin, roles={Role.FRONT_DESK})
    admin.refresh_from_db()
    assert not admin.is_staff
    assert admin.roles == frozenset({Role.FRONT_DESK})
    assert admin.has_perm("clinic.add_patient")
    assert not admin.has_perm("clinic.view_accesslog")
