"""Cross-app suites (journeys, the access matrix) and the helpers every app's tests share:
the world builder, the browser and end-to-end helpers, the real-worker starter."""
