from django import forms, template

register = template.Library()


@register.filter
def bs_widget(bound_field):
    """Render a form field's widget with Bootstrap classes and error state."""
    widget = bound_field.field.widget
    if isinstance(widget, (forms.Select, forms.SelectMultiple)) and not isinstance(
        widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)
    ):
        css = "form-select"
    elif isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)):
        css = ""
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.id_for_label}-errors"
    if bound_field.help_text and not bound_field.errors:
        attrs["aria-describedby"] = f"{bound_field.id_for_label}-help"
    return bound_field.as_widget(attrs=attrs)
