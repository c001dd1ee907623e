"""The shell in a real browser: every page opens without a script error, the key is required, the language
switches, and the UI's routes take only admin keys."""

from __future__ import annotations

import httpx

from tests.ui.conftest import ADMIN_KEY, INFERENCE_KEY, open_page

PAGES = ["data", "train", "runs", "chat", "arena", "export", "traffic"]


def test_every_page_opens_without_a_script_error(page, ui_server):
    for name in PAGES:
        open_page(page, ui_server, name)
        assert page.locator("main h1").count() >= 1, name
        assert page.locator(f"nav a[data-page='{name}'][aria-current='page']").count() == 1
    assert page.js_errors == []


def test_ui_routes_need_an_admin_key_static_pages_do_not(ui_server):
    for path in ("/ui/", "/ui/app.js", "/ui/vendor/uPlot.iife.min.js"):
        page = httpx.get(f"{ui_server.root}{path}")
        assert page.status_code == 200
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert page.headers["x-content-type-options"] == "nosniff"
    info = f"{ui_server.root}/ui/api/info"
    assert httpx.get(info).status_code == 401
    refused = httpx.get(info, headers={"Authorization": f"Bearer {INFERENCE_KEY}"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_permissions"
    answer = httpx.get(info, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    assert answer.status_code == 200
    assert answer.json()["base_model"] == ui_server.base_name
    assert answer.json()["fine_tuning"] is True


def test_language_switches_to_chinese_and_back(page, ui_server):
    open_page(page, ui_server, "runs")
    page.select_option("#lang", "zh")
    page.wait_for_selector("nav a[data-page='runs']:has-text('运行')")
    page.select_option("#lang", "en")
    page.wait_for_selector("nav a[data-page='runs']:has-text('Runs')")
    assert page.js_errors == []


def test_without_a_key_the_page_says_one_is_needed(browser, ui_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(ui_server.ui + "#/runs")
    page.wait_for_selector("main[data-ready='1']")
    assert "admin key" in page.locator("main .error").inner_text()
    page.fill("#key", ADMIN_KEY)
    page.keyboard.press("Enter")
    page.wait_for_selector("main[data-page='runs'][data-ready='1'] h1")
    assert page.locator("main .error").count() == 0
    context.close()


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical WCAG 2 A/AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}, "resultTypes": ["violations"]}
    found = Axe().run(page, options=options).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_every_page_passes_axe_and_fits_a_phone(page, ui_server):
    """axe-core finds no serious WCAG 2 A/AA problem on any page, at 1280 px or at phone width (390 px), where
    the page itself never scrolls sideways (wide tables scroll inside their own box)."""
    problems = {}
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for name in PAGES:
            open_page(page, ui_server, name)
            found = axe_problems(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                found.append(f"the page is {overflow} px wider than the {width}-px window")
            if found:
                problems[f"{name}@{width}"] = found
    assert problems == {}
    assert page.js_errors == []


def test_keyboard_alone_reaches_the_navigation_and_the_key_box(page, ui_server):
    open_page(page, ui_server, "data")
    reached = []
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.dataset.page || document.activeElement.id"))
    assert {"data", "train", "runs", "chat", "arena", "export", "traffic", "lang", "key"} <= set(reached)
    page.keyboard.press("Shift+Tab")  # back onto the key box's neighbours, then follow a link with Enter
    page.focus("nav a[data-page='arena']")
    page.keyboard.press("Enter")
    page.wait_for_selector("main[data-page='arena'][data-ready='1']")


MARK_CONTROLS = """() => {
  const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
  // checkVisibility: also false inside a closed <details> (its content is skipped, though it has boxes)
  const visible = (el) => el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true });
  const found = [...document.querySelectorAll(selector)].filter((el) => visible(el) && !el.disabled
    && el.getAttribute('tabindex') !== '-1' && !(el.type === 'hidden') && !el.closest('.skip'));
  const groups = new Set();
  let n = 0;
  for (const el of found) {
    if (el.type === 'radio') {  // a radio group is one tab stop
      if (groups.has(el.name)) continue;
      groups.add(el.name);
    }
    el.dataset.kb = String(n++);
  }
  return n;
}"""


def test_keyboard_alone_reaches_every_control_on_every_page(page, ui_server):
    """Tab walks every visible, enabled control of each page (buttons, links, fields, the file picker): nothing
    an action needs is reachable only by mouse."""
    missed = {}
    for name in PAGES:
        open_page(page, ui_server, name)
        page.wait_for_timeout(300)  # lists that load after the page has drawn (files, models, runs)
        total = page.evaluate(MARK_CONTROLS)
        reached: set[str] = set()
        for _ in range(total * 2 + 20):
            page.keyboard.press("Tab")
            got = page.evaluate(
                "(() => { const a = document.activeElement; const g = a && a.type === 'radio' ?"
                " document.querySelector(`input[type=radio][name='${a.name}'][data-kb]`) : a;"
                " return g && g.dataset ? g.dataset.kb : null; })()"
            )
            if got is not None:
                reached.add(got)
            if len(reached) == total:
                break
        if len(reached) < total:
            missed[name] = page.evaluate(
                "(got) => [...document.querySelectorAll('[data-kb]')].filter((el) => !got.includes(el.dataset.kb))"
                ".slice(0, 5).map((el) => el.outerHTML.slice(0, 120))",
                sorted(reached),
            )
    assert missed == {}
    assert page.js_errors == []
