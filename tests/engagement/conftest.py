"""Fixtures of the engagement tests (helpers in ``engagement_fakes.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .engagement_fakes import fake_predicted_intercept


@pytest.fixture
def fake_envelope(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    import airdefsim.engagement.envelope as envelope

    monkeypatch.setattr(envelope, "predicted_intercept", fake_predicted_intercept)
    return fake_predicted_intercept
