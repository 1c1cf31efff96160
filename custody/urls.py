"""Records custody: backups, retention, access requests and the breach register."""

app_name = "custody"

urlpatterns: list = []
