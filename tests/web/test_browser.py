"""End to end in Debian's Chromium (Playwright), on the real simulation engine.

A trainee logs in, starts the single-fighter exercise (assigned with fast-forward
allowed), sees tracks appear, interrogates IFF, declares and engages the silent track,
leaves the airliner alone, fast-forwards to the end, sees the score and the review, and
finds the session under "My activities"; a second trainee cannot open it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select
from tests.web.helpers import PASSWORD
from tests.web.server import serve

from airdefsim.web.app import create_app
from airdefsim.web.db import make_engine, session_factory
from airdefsim.web.models import Assignment, ScenarioRow, User
from airdefsim.web.settings import Settings

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: generous waits: the machine may be loaded; the test waits for states, these only
#: bound how long a broken console can hang it
WAIT_MS = 60_000
RUN_MS = 300_000  # a whole 7-min exercise at the fastest rate, or the doctrine's run
SCREENSHOT = Path("/tmp/airdefsim_console_live.png")
REVIEW_SHOT = Path("/tmp/airdefsim_review.png")


def assign_single_fighter(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        alice = db.scalar(select(User).where(User.name == "alice"))
        inst = db.scalar(select(User).where(User.name == "inst"))
        sc = db.scalar(select(ScenarioRow).where(ScenarioRow.slug == "single_fighter"))
        assert alice and inst and sc
        db.add(
            Assignment(
                scenario_id=sc.id,
                trainee_id=alice.id,
                instructor_id=inst.id,
                allow_pause=True,
                allow_fast_forward=True,
            )
        )
        db.commit()
    engine.dispose()


def log_in(page: Page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("#login-btn")


def cell(page: Page, track: str, key: str) -> str:
    return page.locator(f'#tracks tbody tr[data-track="{track}"] td.c-{key}').inner_text()


def fire_until_launched(page: Page) -> None:
    """Press Fire, again each time the order is refused (the track still out of reach)
    or the engagement cancelled, until a launch shows in the message log."""
    answered = """([n]) => {
        const t = [...document.querySelectorAll('#messages li')].map((l) => l.textContent);
        return t.some((x) => x.includes(' launched ')) ||
            t.filter((x) => x.includes('Order refused') || x.includes('cancelled')).length > n;
    }"""
    for _ in range(60):
        texts = page.locator("#messages li").all_inner_texts()
        if any(" launched " in x for x in texts):
            return
        n = sum("Order refused" in x or "cancelled" in x for x in texts)
        page.click("#btn-fire")
        page.wait_for_function(answered, arg=[n], timeout=WAIT_MS)
    raise AssertionError("never launched")


def test_trainee_exercise_in_chromium(settings: Settings) -> None:
    settings.frame_hz = 10.0
    expect.set_options(timeout=WAIT_MS)
    app = create_app(settings)  # the real simulation engine
    errors: list[str] = []
    with serve(app) as base, sync_playwright() as pw:
        assign_single_fighter(settings)
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, base, "alice")
        expect(page).to_have_url(re.compile(r"/activities$"))
        row = page.locator("#assignments tr", has_text="Single hostile fighter")
        row.locator("button.start").click()
        expect(page).to_have_url(re.compile(r"/console/\d+$"))
        session_id = page.url.rsplit("/", 1)[1]
        expect(page.locator("#conn")).to_have_text("live", timeout=WAIT_MS)
        page.select_option("#rate", "4")
        # tracks appear (the fighter and the airliner)
        expect(page.locator("#tracks tbody tr")).to_have_count(2, timeout=WAIT_MS)
        ids = page.locator("#tracks tbody tr").evaluate_all("rs => rs.map(r => r.dataset.track)")
        for tid in ids:
            page.click(f'#tracks tbody tr[data-track="{tid}"]')
            expect(page.locator("#sel-name")).to_have_text(f"T{tid}")
            page.click("#btn-iff")
        for tid in ids:
            expect(page.locator(f'#tracks tbody tr[data-track="{tid}"] td.c-iff')).not_to_have_text(
                "?", timeout=WAIT_MS
            )
        silent = [t for t in ids if cell(page, t, "iff") == "none"]
        replied = [t for t in ids if cell(page, t, "iff") == "reply"]
        assert len(silent) == 1 and len(replied) == 1, (silent, replied)
        hostile = silent[0]
        page.click(f'#tracks tbody tr[data-track="{hostile}"]')
        page.click("#btn-hostile")
        expect(
            page.locator(f'#tracks tbody tr[data-track="{hostile}"] td.c-identity')
        ).to_have_text("hostile", timeout=WAIT_MS)
        page.select_option("#salvo", "2")
        fire_until_launched(page)
        expect(page.locator(f'#tracks tbody tr[data-track="{hostile}"] td.c-engaged')).to_have_text(
            "yes", timeout=WAIT_MS
        )
        # interceptors in flight (guided by the unit) before the screenshot
        expect(page.locator("#units .channels").first).to_contain_text(
            re.compile(r"missile channels [1-9]"), timeout=WAIT_MS
        )
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        page.select_option("#rate", "64")
        expect(page.locator("#finished")).to_be_visible(timeout=RUN_MS)
        expect(page.locator("#final-score")).to_contain_text("Score")
        page.click("#review-link")
        expect(page).to_have_url(re.compile(rf"/sessions/{session_id}/review$"))
        parts = page.locator("#score-parts tbody")
        expect(parts).to_contain_text("Friendlies engaged")
        friend_row = parts.locator("tr", has_text="Friendlies engaged")
        expect(friend_row.locator("td").nth(1)).to_have_text("0")  # the airliner was left alone
        expect(page.locator("#decisions")).to_contain_text("engage")
        expect(page.locator("#moments")).to_contain_text("launch")
        expect(page.locator("#doctrine-line")).to_contain_text(
            "doctrine on the same seed:", timeout=RUN_MS
        )
        page.locator("#slider").fill("130")
        expect(page.locator("#rclock")).not_to_have_text("T+00:00")
        page.screenshot(path=str(REVIEW_SHOT), full_page=True)
        page.goto(base + "/activities")
        past = page.locator(f'#past tr[data-session="{session_id}"]')
        expect(past.locator("td.status")).to_have_text("finished")
        expect(past.locator("td.score")).not_to_have_text("—")
        # a second trainee cannot open it
        page.click("button.link:has-text('Log out')")
        log_in(page, base, "bob")
        resp = page.goto(f"{base}/sessions/{session_id}/review")
        assert resp is not None and resp.status == 404
        resp = page.goto(f"{base}/api/sessions/{session_id}/review")
        assert resp is not None and resp.status == 404
        browser.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors
    # the review was read from the Parquet recording; the orders sit beside it
    run_dir = settings.runs_dir / f"session-{session_id}"
    assert (run_dir / "recording" / "run.json").is_file()
    assert (run_dir / "decisions.json").is_file()
    assert not (run_dir / "review.json.gz").exists()
