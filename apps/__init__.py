"""The applications above the services: the `lookback` CLI, the embedded runner behind `lookback up`,
the demo town, the audit tools and the AsyncAPI generator. They may import the services and the
kernel; nothing below imports them."""
