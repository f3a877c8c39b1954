"""Audit tooling: rebuild the read models from the event log, check the live ones against a rebuild,
and tell the story of one household, problem or case from the log itself.

Nothing here is a fifth projection: it imports the four services' handlers, tables and filters and
runs them as they run live, so a difference it finds is a difference between the log and a database.
"""
