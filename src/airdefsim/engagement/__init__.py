"""Engagement: threat evaluation, envelopes, weapon-target assignment, fire control and
doctrine. Submodules are imported on demand (this package imports nothing)."""
