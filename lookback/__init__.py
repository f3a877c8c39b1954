"""Lookback (回头看): the shared kernel of the four services and the command line."""
