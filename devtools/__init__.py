"""Demo and benchmark tools, kept out of the product apps (see devtools.apps)."""
