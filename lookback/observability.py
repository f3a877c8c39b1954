"""Metrics every service exports, and logging that never carries personal data.

Labels are bounded: service and consumer names, event types from the contracts. No subject, no
household number, no name ever becomes a label.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Gauge, Histogram

EVENTS_HANDLED = Counter("lookback_events_handled_total", "Events applied by a consumer", ["service", "consumer"])
EVENTS_FAILED = Counter(
    "lookback_events_failed_total", "Events sent to the dead-letter stream", ["service", "consumer"]
)
EVENTS_PUBLISHED = Counter("lookback_events_published_total", "Events appended to the log", ["service"])
BATCH_SECONDS = Histogram(
    "lookback_handler_seconds",
    "Time to handle one batch: decide, publish outputs, commit rows and position",
    ["service", "consumer"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LAG = Gauge(
    "lookback_consumer_lag_events", "Stream last sequence minus the consumer's position", ["service", "consumer"]
)
POSITION = Gauge("lookback_consumer_position", "Last stream sequence applied", ["service", "consumer"])


def setup_logging(service: str) -> logging.Logger:
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s")
    return logging.getLogger(f"lookback.{service}")
