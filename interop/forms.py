"""Forms of the interop pages: parsing and field validation only."""

from __future__ import annotations

from django import forms

from interop.models import ImportKind, ImportPreset, ImportSource
from interop.services.import_presets import FIELDS

ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ImportUploadForm(forms.Form):
    source = forms.ChoiceField(label="Exported from", choices=ImportSource.choices)
    kind = forms.ChoiceField(label="The file lists", choices=ImportKind.choices)
    preset = forms.ChoiceField(
        label="Column mapping",
        required=False,
        help_text="The built-in mapping for the software above, or one you saved.",
    )
    file = forms.FileField(
        label="Export file",
        help_text="CSV or Excel (.xlsx), with a header row, up to 50 MB.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", "Built-in for that software")] + [
            (str(preset.pk), f"{preset.name} ({preset.get_source_display()}, {preset.kind})")
            for preset in ImportPreset.objects.all()
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("Choose a .csv or .xlsx file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB; split it in parts.")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload

    def clean_preset(self):
        value = self.cleaned_data.get("preset") or ""
        if not value:
            return None
        return ImportPreset.objects.filter(pk=int(value)).first() if value.isdigit() else None


class ImportMappingForm(forms.Form):
    """One choice per field: which of the file's headers feeds it; and an optional name to
    keep the mapping as a preset."""

    save_as = forms.CharField(
        label="Save this mapping as",
        max_length=80,
        required=False,
        help_text="Optional: a name, to choose it again for the next file.",
    )

    def __init__(self, *args, kind: str, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "(not in the file)")] + [(h, h) for h in headers if h]
        self.mapping_fields = []
        for spec in FIELDS[kind]:
            name = f"map_{spec.key}"
            self.fields[name] = forms.ChoiceField(
                label=spec.label, choices=choices, required=spec.required
            )
            self.mapping_fields.append(name)
        # The name box comes last.
        self.order_fields([*self.mapping_fields, "save_as"])

    @property
    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("map_"): self.cleaned_data[name]
            for name in self.mapping_fields
            if self.cleaned_data.get(name)
        }

    def mapping_rows(self):
        return [self[name] for name in self.mapping_fields]
