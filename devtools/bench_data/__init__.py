"""The large synthetic clinic of `manage.py seed_bench`, one module per product app: clinic
(the shared machinery and the front office), then assessments, then treatments."""
