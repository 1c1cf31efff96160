"""Accounts and roles."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.db import transaction

from clinic.models import User
from clinic.permissions import ROLE_PERMISSIONS, Role


@transaction.atomic
def roles_sync() -> dict[Role, Group]:
    """Make each role's group exist and hold exactly the permissions in ROLE_PERMISSIONS.

    Idempotent. Raises LookupError for a permission named in the table that no model
    defines, so a typo fails loudly at migrate time instead of silently granting nothing.
    """
    wanted: dict[tuple[str, str], Permission] = {}
    names = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    pairs = {tuple(name.split(".", 1)) for name in names}
    for perm in Permission.objects.select_related("content_type").filter(
        codename__in={codename for _, codename in pairs}
    ):
        wanted[(perm.content_type.app_label, perm.codename)] = perm
    missing = sorted(f"{a}.{c}" for a, c in pairs if (a, c) not in wanted)
    if missing:
        raise LookupError(f"ROLE_PERMISSIONS names unknown permissions: {', '.join(missing)}")

    groups: dict[Role, Group] = {}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.group_name)
        group.permissions.set(
            [wanted[tuple(name.split(".", 1))] for name in ROLE_PERMISSIONS[role]]
        )
        groups[role] = group
    return groups


def roles_sync_after_migrate(sender: Any, *, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: permissions of every app first (Django creates them in its
    own receivers, which may run after ours), then the role groups, then the reference
    data a flushed database lost (see reference_data_ensure)."""
    app_configs = kwargs.get("apps", global_apps)
    for app_config in global_apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using, apps=app_configs)
        create_permissions(app_config, verbosity=0, using=using, apps=app_configs)
    roles_sync()
    reference_data_ensure()


# Data migrations that seed reference data, and a model that is empty only when they have
# not run (or the database was flushed: `manage.py flush`, transactional tests), in
# migration order.
_REFERENCE_DATA = (
    ("clinic.migrations.0003_screening_items_and_consent_v1", "ScreeningItem"),
    ("clinic.migrations.0006_appointment_types", "AppointmentType"),
    ("clinic.migrations.0015_screening_v2_and_consent_v2", "ScreeningItem"),
)


def reference_data_ensure() -> None:
    """Re-seed reference tables that are empty, with their data migration's own code.

    Only empty tables are touched, so a clinic's edits (renamed types, retired screening
    items) are never overwritten; clinic admins cannot empty these tables (no delete)."""
    empty = {
        name
        for _, name in _REFERENCE_DATA
        if not global_apps.get_model("clinic", name).objects.exists()
    }
    for module_name, model_name in _REFERENCE_DATA:
        if model_name in empty:
            import_module(module_name).forwards(global_apps, None)


@transaction.atomic
def user_set_roles(*, user: User, roles: set[Role]) -> User:
    """Give `user` exactly `roles`. Clinic admins also get `is_staff` so that the Django
    admin (reference data, users) opens for them; no one else does."""
    groups = roles_sync()
    user.groups.set([groups[role] for role in roles])
    user.is_staff = Role.CLINIC_ADMIN in roles or user.is_superuser
    user.save(update_fields=["is_staff"])
    user._roles_cache = None
    return user
