"""interop models; each module is re-exported here."""

from interop.models.calendar_feeds import CalendarFeed

__all__ = ["CalendarFeed"]
