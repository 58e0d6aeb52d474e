"""A form's errors as the sentences a refusal shows (docs/architecture.md, "Refusals"): each error with its
field's label ("作废理由：这个字段是必填项。"), so that a view whose form came back invalid shows them the one way
(`show_form_problems`, through refusals.show_refusal) rather than looping over the errors itself."""

from django.core.exceptions import ValidationError

from .refusals import show_refusal


def form_problems(form) -> list[str]:
    problems: list[str] = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems.extend(f"{label}：{error}" if label else str(error) for error in errors)
    return problems


def show_form_problems(request, form) -> None:
    show_refusal(request, ValidationError(form_problems(form)))
