"""Views of the treatments app, one module per area (imported by treatments.urls)."""
