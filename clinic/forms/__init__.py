"""Front-office forms: parsing and field validation only, one module per subject.

Import from the module that defines a form (``from clinic.forms.scheduling import
BookingForm``); this package re-exports nothing, so each name has one home.
"""
