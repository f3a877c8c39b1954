"""Lookback's benchmark: the whole system as processes, next to the baselines of the same stack.

`python -m bench` generates demo towns (apps.demo), runs nats-server and the four services as
`lookback up` does, and measures import, import-to-read-model, latency, replay, report times and
peak memory; then it runs the same events through raw nats-py, a plain FastStream chain and the
`eventsourcing` library on the same machine, so every figure is read next to what this stack can
do at most (nats-py) and what a team would otherwise write (FastStream, eventsourcing).
See docs/benchmarks.md for what each figure means.
"""
