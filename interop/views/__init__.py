"""Views of the interop app, one module per area (imported by interop.urls)."""
