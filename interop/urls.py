"""Data in and out: exports, imports and calendar feeds."""

app_name = "interop"

urlpatterns: list = []
