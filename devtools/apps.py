from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo and benchmark machinery: the demo clinic (`seed_demo`, `totp_code`), the
    synthetic benchmark clinic (`seed_bench`) and the benchmarks (`bench`, `bench_*`).

    It sits above every product app (it imports clinic, assessments and treatments; none of
    them imports it) and is installed only in development (DEBUG on) or when CLINIC_DEVTOOLS=1
    asks for it, so a production site has none of these commands.
    """

    name = "devtools"
    verbose_name = "Demo and benchmark tools"
