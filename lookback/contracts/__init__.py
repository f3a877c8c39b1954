"""The event contracts, defined once and imported by all four services.

Importing this package registers every event type, so `decode` can turn any stored message back
into its typed payload.
"""

from lookback.contracts import intake, rectify, reporting, rules  # noqa: F401  (registers the event types)
from lookback.contracts.envelope import Envelope, Event, decode, event_types, new_envelope

__all__ = ["Envelope", "Event", "decode", "event_types", "new_envelope"]
