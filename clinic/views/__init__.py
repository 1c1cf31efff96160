"""Views of the front office, one module per area (imported by clinic.urls)."""
