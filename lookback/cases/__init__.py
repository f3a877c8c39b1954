"""A case as its events leave it, and the deadline policy it runs on: rectify folds cases to decide,
reporting folds the same events to count, so both import this one fold."""
