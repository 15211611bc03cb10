"""Form helpers every app's views share."""

from django.core.exceptions import ValidationError


def add_service_errors(form, exc: ValidationError, *, field: str | None = None, rename: dict | None = None) -> None:
    """Show a service's ``ValidationError`` on ``form``: on its fields where they exist, else on the form.

    ``rename`` maps a service's field names to the form's; an error without fields goes on ``field``.
    """
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            name = (rename or {}).get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, exc)
