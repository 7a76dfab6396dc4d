"""Browser messages are validated; bad ones give one clear reason."""

from __future__ import annotations

import pytest

from airdefsim import types as t
from airdefsim.web import commands as cm


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"type": "engage", "track": 7, "missile": "48N6E3", "salvo": 2}',
            t.Engage(track_id=7, missile="48N6E3", salvo=2),
        ),
        ('{"type": "interrogate", "track": 3}', t.Interrogate(track_id=3)),
        (
            '{"type": "declare", "track": 3, "identity": "hostile"}',
            t.Declare(track_id=3, identity="hostile"),
        ),
        ('{"type": "cease_fire", "track": 4}', t.CeaseFire(track_id=4)),
        ('{"type": "weapons", "state": "free"}', t.SetWeapons(state="free")),
    ],
)
def test_valid_commands_map_to_c2_commands(text: str, expected: t.Command) -> None:
    assert cm.to_command(cm.parse(text)) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not json", "command rejected"),
        ('{"type": "launch_nukes"}', "command rejected"),
        ('{"type": "engage", "track": 7, "salvo": 99}', "salvo"),
        ('{"type": "engage", "track": -1}', "track"),
        ('{"type": "declare", "track": 1, "identity": "enemy"}', "identity"),
        ('{"type": "interrogate", "track": 1, "extra": 1}', "extra"),
        ('{"type": "engage", "track": "7; DROP TABLE"}', "track"),
        ("x" * 5000, "too long"),
    ],
)
def test_bad_commands_are_rejected_with_a_reason(text: str, fragment: str) -> None:
    with pytest.raises(cm.BadCommand) as exc:
        cm.parse(text)
    assert fragment in str(exc.value)
    assert "\n" not in str(exc.value)


def test_clock_messages_are_not_c2_commands() -> None:
    assert cm.to_command(cm.parse('{"type": "pause"}')) is None
    assert cm.to_command(cm.parse('{"type": "rate", "factor": 4}')) is None
