"""Data in and out: exports, imports and calendar feeds."""

from django.urls import path

from interop.views import calendar_feeds

app_name = "interop"

urlpatterns: list = [
    # The token is the credential (interop.services.calendar_feeds).
    path("calendar/<str:token>.ics", calendar_feeds.calendar_feed, name="calendar_feed"),
    path("calendar/schedule/", calendar_feeds.schedule_feed, name="schedule_feed"),
    path("portal/calendar/", calendar_feeds.portal_calendar_feed, name="portal_calendar_feed"),
]
