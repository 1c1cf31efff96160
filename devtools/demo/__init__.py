"""The demo clinic, one module per product app, built in order by `manage.py seed_demo`:
clinic (people, front office, schedule), then assessments, then treatments."""
