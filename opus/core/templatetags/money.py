"""{{ amount_in_pence|pounds }} → £12.50, through the money engine."""

from django import template

from opus.engines.money import pounds as format_pounds

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    return "" if pence is None else format_pounds(int(pence))
