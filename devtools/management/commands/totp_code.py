"""Print the code a staff member's authenticator shows now (development and demo only)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current two-step sign-in code of USERNAME (only with DEBUG on)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("totp_code is a development helper; it runs only with DEBUG=1.")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no confirmed authenticator.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        seconds_left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}  (valid {seconds_left} s more)")
