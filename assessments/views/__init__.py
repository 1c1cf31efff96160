"""Views of the assessments app, one module per area (imported by assessments.urls)."""
