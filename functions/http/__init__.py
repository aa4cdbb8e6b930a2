"""The HTTP surface: one FastAPI app, one router per resource family."""
