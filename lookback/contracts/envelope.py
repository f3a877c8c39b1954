"""One envelope for every event in the log.

The envelope carries what an auditor needs to replay a decision (who, when it happened in the
village, when the system learnt it, what caused it) around a typed payload. Payload classes register
themselves by their `event_type`, so a consumer decodes any message without knowing its producer.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PrivateAttr

from lookback.clock import moved_now, utcnow

_registry: dict[str, type[Event]] = {}

E = TypeVar("E", bound="Event")


class Event(BaseModel):
    """A payload: a past-tense fact about one aggregate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    aggregate_type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            if cls.event_type in _registry:
                raise TypeError(f"event type {cls.event_type} declared twice")
            _registry[cls.event_type] = cls

    def aggregate_id(self) -> str:
        raise NotImplementedError


class Envelope(BaseModel):
    """What is stored in the stream for every event."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(description="Event id; also the Nats-Msg-Id, so a retried publish is stored once")
    type: str = Field(description="Event type, e.g. household.recorded")
    schema_version: int = Field(1, description="Version of the payload's model")
    aggregate_type: str
    aggregate_id: str
    business_time: AwareDatetime = Field(description="When it happened in the village (roster as-of, action date)")
    recorded_time: AwareDatetime = Field(description="When the system learnt it")
    recorded_business_time: AwareDatetime | None = Field(
        None,
        description="The business clock (LOOKBACK_NOW) when the system learnt it, in a campaign run on a moved "
        "clock; none when the business clock is the wall clock. recorded_time stays the true instant.",
    )
    actor: str = Field(description="Authenticated user or service that caused it")
    causation_id: uuid.UUID | None = Field(None, description="The event or command this one answers")
    correlation_id: uuid.UUID | None = Field(None, description="The import or workflow it belongs to")
    prev_hash: str | None = Field(
        None, description="Hash of the previous event of the same aggregate (contracts/chain.py): tamper evidence"
    )
    payload: dict[str, Any]
    _event: Event | None = PrivateAttr(default=None)

    @property
    def subject(self) -> str:
        from lookback.contracts.subjects import subject_for

        return subject_for(self.type, self.aggregate_id)

    @property
    def known_since(self) -> datetime:
        """When the system learnt it on the business clock: what "as known at" a business instant compares."""
        return self.recorded_business_time or self.recorded_time

    def payload_as(self, cls: builtins.type[E]) -> E:
        """The payload as `cls`, raised from an older schema version by its upcasters like `decode`."""
        from lookback.contracts.upcasters import upcast

        return cls.model_validate(upcast(self.type, self.schema_version, cls.schema_version, self.payload))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Envelope:
        copy = super().model_copy(update=update, deep=deep)
        if update and "payload" in update:
            copy._event = None  # a new payload decodes anew
        return copy

    def event(self) -> Event:
        """The typed payload, decoded once: the consumer checks it and the handler uses the same object.

        Read through `__pydantic_private__`: `self._event` goes through pydantic's `__getattr__`, which
        cost 4–5 µs a call here (11 % of rules' CPU), and every handler calls this in its loop."""
        private: dict[str, Any] = self.__pydantic_private__  # type: ignore[assignment]  # set: the model has a private attribute
        event = private["_event"]
        if event is None:
            event = private["_event"] = decode(self)
        return event


def new_envelope(
    event: Event,
    *,
    actor: str,
    business_time: datetime,
    caused_by: Envelope | None = None,
    correlation_id: uuid.UUID | None = None,
    event_id: uuid.UUID | None = None,
    recorded_time: datetime | None = None,
    prev_hash: str | None = None,
) -> Envelope:
    """Wrap a payload; ids derived by the caller make a retried publish idempotent."""
    if correlation_id is None and caused_by is not None:
        correlation_id = caused_by.correlation_id or caused_by.id
    return Envelope(
        id=event_id or uuid.uuid4(),
        type=event.event_type,
        schema_version=event.schema_version,
        aggregate_type=event.aggregate_type,
        aggregate_id=event.aggregate_id(),
        business_time=business_time,
        recorded_time=recorded_time or utcnow(),
        recorded_business_time=moved_now(),
        actor=actor,
        causation_id=caused_by.id if caused_by else None,
        correlation_id=correlation_id,
        prev_hash=prev_hash,
        payload=event.model_dump(mode="json"),
    )


class UnknownEventType(ValueError):
    pass


def decode(envelope: Envelope) -> Event:
    """The typed payload; one stored by an older model is first raised to today's by its upcasters."""
    from lookback.contracts.upcasters import upcast

    cls = _registry.get(envelope.type)
    if cls is None:
        raise UnknownEventType(f"unknown event type {envelope.type!r}")
    return cls.model_validate(upcast(envelope.type, envelope.schema_version, cls.schema_version, envelope.payload))


def event_types() -> dict[str, type[Event]]:
    return dict(_registry)


def derived_id(*parts: object) -> uuid.UUID:
    """A stable id from the parts that identify a fact, so re-deriving it gives the same id."""
    return uuid.uuid5(_NAMESPACE, "|".join(str(p) for p in parts))


def fact_id(content_id: uuid.UUID, prev_hash: str | None) -> uuid.UUID:
    """The id of one fact: what it says (`content_id`) at one place in its aggregate's chain (`prev_hash`).

    The same content can happen twice (a household removed and re-added unchanged); the chain's head is
    different the second time, so the id is too, and JetStream's duplicate window keeps it. A retried
    publish is derived from the same head and keeps its id."""
    return derived_id(content_id, prev_hash or "")


_NAMESPACE = uuid.UUID("6f1c2a5e-3b7d-4c1e-9a0b-1d2e3f405162")
