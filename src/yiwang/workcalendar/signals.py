"""Signals other areas listen to, so the calendar never imports them."""

from django.dispatch import Signal

# Sent after a transaction that loaded or replaced years of the holiday schedule commits.
# Argument: years (list[int]). Cases listen to recompute their provisional deadlines.
calendar_changed = Signal()
