"""Production mode refuses an insecure configuration; the deploy check is clean."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

BASE_DIR = settings.BASE_DIR


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for their own process
        }
    }
    environment["DJANGO_ENV_FILE"] = ""  # judge the environment alone, not a local .env
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_a_secret_key_refuses_to_start_with_a_clear_message():
    result = run_manage("check", DEBUG="0", ALLOWED_HOSTS="clinic.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = run_manage("check", DEBUG="0", SECRET_KEY="x" * 64)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY="y" * 64,
        ALLOWED_HOSTS="clinic.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_reports_no_warnings_in_production_mode():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "k3y" * 16,
        ALLOWED_HOSTS="clinic.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_embedded_defaults_without_redis():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])",
        DEBUG="1",
        REDIS_URL="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True LocMemCache"


def test_redis_url_turns_on_the_broker_and_the_shared_cache():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
        "s.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])",
        DEBUG="1",
        REDIS_URL="redis://cache.internal:6379/2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False redis://cache.internal:6379/2 RedisCache"


def test_database_url_selects_postgresql_with_health_checks():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['CONN_HEALTH_CHECKS'])",
        DEBUG="1",
        DATABASE_URL="postgres://clinic:pw@db.internal:5432/clinicdb",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql clinicdb True"


def test_patient_documents_stay_in_a_private_directory_or_a_private_bucket():
    show = (
        "from django.conf import settings as s; d = s.STORAGES['default']; "
        "print(d['BACKEND'].rsplit('.', 1)[-1], d['OPTIONS'].get('bucket_name'), "
        "d['OPTIONS'].get('default_acl'), d['OPTIONS'].get('base_url', 'x'), "
        "str(s.STATIC_ROOT) in str(d['OPTIONS'].get('location')))"
    )
    local = run_manage("shell", "--no-imports", "-c", show, DEBUG="1")
    assert local.returncode == 0, local.stderr
    assert local.stdout.split() == ["PrivateFileSystemStorage", "None", "None", "x", "False"]
    bucket = run_manage(
        "shell", "--no-imports", "-c", show, DEBUG="1", PRIVATE_STORAGE_S3_BUCKET="clinic-docs"
    )
    assert bucket.returncode == 0, bucket.stderr
    assert bucket.stdout.split()[:3] == ["S3Storage", "clinic-docs", "private"]
