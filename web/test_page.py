"""test_page: the web page (web/build-page.sh's site folder) in headless Chromium.

Serves the site on 127.0.0.1 (a free port), opens ?scenario=05-greylisting and checks, as a user
would see it: no console error or uncaught exception at any point; the player's top bar has its
colour and the canvas is not blank (pixels of a screenshot); the paused player draws no frames (as
the desktop sleeps); the clock stands still while paused, moves after → and keeps moving after
Space (real key events), and a click on the timeline seeks; the canvas follows the window and the
Full screen button (a real click); the page's picker opens a scenario and sets the URL, and follows
the player's own picker (keys O, ↓, Enter); an uploaded scenario with a mistake shows the same
error as the desktop (tests/data/bad/*.err) and leaves the scenario in place; the trace download
equals the golden trace byte for byte; the shot and chart downloads are a 1280x720 PNG and an SVG.
Screenshots go to OUT_DIR for a person to look at. With --fps it also measures the frame rate
while playing (5 s).

Usage: python3 web/test_page.py SITE_DIR OUT_DIR [--fps]   (from the repository root)
Prints "N passed, M failed"; exits 0 only when something was checked and nothing failed.
"""

import functools
import http.server
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CdpError, Png  # noqa: E402

SCENARIO = "05-greylisting"
BAD = "07-unknown-key-typo"
TOP_BAR_RGB = (0xED, 0xEB, 0xE4)  # view/theme.c: CR_PANEL_ALT of the light theme

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}" + (f": {detail}" if detail else ""))


def serve(site):
    """A static server for site on 127.0.0.1 at a free port, as any web server would serve it."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = dict(http.server.SimpleHTTPRequestHandler.extensions_map,
                              **{".wasm": "application/wasm"})

        def log_message(self, *args):
            pass

    handler = functools.partial(Handler, directory=site)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def console_errors(events):
    """Console errors, uncaught exceptions and browser-logged errors among the events."""
    out = []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console." + p["type"] + ": " +
                       " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            out.append("exception: " + d.get("exception", {}).get("description", d.get("text")))
        elif m == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append("log: " + p["entry"]["text"] + " " + p["entry"].get("url", ""))
    return out


def canvas_rect(b):
    return b.eval("(() => { const r = document.getElementById('canvas').getBoundingClientRect();"
                  " return [Math.round(r.left), Math.round(r.top), Math.round(r.width),"
                  " Math.round(r.height)]; })()")


def check_pixels(b, out_dir, name):
    shot = b.screenshot()
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(shot)
    png = Png(shot)
    x0, y0, w, h = canvas_rect(b)
    bar = [png.pixel(x0 + dx, y0 + 4) for dx in (4, w // 2, w - 5)]
    check("the player's top bar has its colour",
          all(max(abs(c - t) for c, t in zip(p, TOP_BAR_RGB)) <= 3 for p in bar), str(bar))
    colours = {png.pixel(x, y) for y in range(y0, y0 + h, 7) for x in range(x0, x0 + w, 7)}
    check("the canvas is not blank (many colours)", len(colours) > 50, f"{len(colours)} colours")
    return png


def time_s(b):
    return b.eval("Module._mailsim_web_time_s()")


def wait_download(folder, name, timeout_s=20):
    path = os.path.join(folder, name)
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if os.path.exists(path) and not os.path.exists(path + ".crdownload"):
            time.sleep(0.2)
            with open(path, "rb") as f:
                return f.read()
        time.sleep(0.1)
    return None


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    site, out_dir, fps = sys.argv[1], sys.argv[2], "--fps" in sys.argv[3:]
    os.makedirs(out_dir, exist_ok=True)
    with open(f"scenarios/{SCENARIO}.json") as f:
        title = json.load(f)["title"]
    httpd = serve(site)
    port = httpd.server_address[1]
    downloads = tempfile.mkdtemp(prefix="mailsim-downloads-")
    b = Browser()
    try:
        for domain in ("Runtime", "Log", "Page", "DOM"):
            b.call(domain + ".enable")
        b.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=downloads)
        b.call("Page.navigate", url=f"http://127.0.0.1:{port}/index.html?scenario={SCENARIO}")
        # The player draws only while something moves or input comes (as the desktop sleeps):
        # the first frame, then nothing until a key.
        b.wait_for("window.mailsimStarted && Module._mailsim_web_frames() > 0", 120)
        time.sleep(0.5)
        idle0 = b.eval("Module._mailsim_web_frames()")
        time.sleep(1.0)
        idle1 = b.eval("Module._mailsim_web_frames()")
        check("the paused player draws no frames", idle1 == idle0, f"{idle0} -> {idle1}")
        check("the URL's scenario is open", b.eval("document.title") == f"mailsim \u2014 {title}",
              b.eval("document.title"))
        check("the picker lists every shipped scenario",
              b.eval("document.getElementById('scenarios').options.length") ==
              len([f for f in os.listdir("scenarios") if f.endswith(".json")]))
        check_pixels(b, out_dir, "page-05.png")

        t0 = time_s(b)
        time.sleep(0.5)
        check("the clock stands still while paused", time_s(b) == t0, f"{t0} -> {time_s(b)}")
        b.key("ArrowRight", "ArrowRight", 39)
        try:
            t1 = b.wait_for(f"Module._mailsim_web_time_s() > {t0} && Module._mailsim_web_time_s()", 10)
        except CdpError:
            t1 = time_s(b)
        check("the → key steps the clock forward", t1 > t0, f"{t0} -> {t1}")
        b.key(" ", "Space", 32, text=" ")
        time.sleep(0.3)
        t2 = time_s(b)
        time.sleep(1.0)
        t3 = time_s(b)
        check("Space plays: the clock keeps moving", t3 > t2 > t1, f"{t1}, {t2}, {t3}")
        if fps:
            # The player's frames against the browser's own animation frames in the same 5 s (what
            # headless Chromium offers at all).
            b.eval("window.rafCount = 0; (function tick() { window.rafCount++;"
                   " requestAnimationFrame(tick); })(); 0")
            f0, s0 = b.eval("Module._mailsim_web_frames()"), time.time()
            time.sleep(5)
            f1, r1, s1 = b.eval("Module._mailsim_web_frames()"), b.eval("rafCount"), time.time()
            print(f"frame rate while playing: {(f1 - f0) / (s1 - s0):.1f} frames/s "
                  f"({f1 - f0:.0f} frames in {s1 - s0:.1f} s; the browser offered "
                  f"{r1 / (s1 - s0):.1f} animation frames/s; canvas {canvas_rect(b)[2]}x"
                  f"{canvas_rect(b)[3]})")
        time.sleep(1.5)
        check_pixels(b, out_dir, "page-05-playing.png")
        b.key(" ", "Space", 32, text=" ")  # pause again: the downloads below see a still clock

        b.call("Emulation.setDeviceMetricsOverride", width=1000, height=640, deviceScaleFactor=1,
               mobile=False)
        try:
            b.wait_for("document.getElementById('canvas').width === 1000", 10)
        except CdpError:
            pass
        size = b.eval("[document.getElementById('canvas').width, document.getElementById('canvas').height,"
                      " document.getElementById('stage').clientHeight]")
        # SDL takes the CSS size's whole pixels; the stage's may be fractional (the footer's line).
        check("the canvas follows the window", size[0] == 1000 and abs(size[1] - size[2]) <= 1,
              str(size))
        check_pixels(b, out_dir, "page-05-small.png")
        b.call("Emulation.clearDeviceMetricsOverride")

        # Full screen needs a user gesture: a real click on the button.
        r = b.eval("(() => { const r = document.getElementById('fullscreen').getBoundingClientRect();"
                   " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        b.click(*r)
        try:
            b.wait_for("document.fullscreenElement && document.getElementById('canvas').width"
                       " === window.innerWidth", 10)
        except CdpError:
            pass
        size = b.eval("[document.fullscreenElement && document.fullscreenElement.id,"
                      " document.getElementById('canvas').width, window.innerWidth]")
        check("the Full screen button fills the screen with the canvas",
              size[0] == "stage" and size[1] == size[2], str(size))
        b.eval("document.exitFullscreen()")
        b.wait_for("!document.fullscreenElement", 10)

        # The page's picker opens another scenario, and the URL follows.
        b.eval("(() => { const s = document.getElementById('scenarios'); s.value = '01-happy-path';"
               " s.dispatchEvent(new Event('change')); })()")
        with open("scenarios/01-happy-path.json") as f:
            title01 = json.load(f)["title"]
        check("the page's picker opens a scenario",
              b.eval("document.title") == f"mailsim — {title01}" and
              b.eval("location.search") == "?scenario=01-happy-path", b.eval("document.title"))
        # The player's own picker (O, ↓, Enter): the page's picker follows it.
        b.key("o", "KeyO", 79, text="o")
        b.key("ArrowDown", "ArrowDown", 40)
        b.key("Enter", "Enter", 13, text="\r")
        try:
            b.wait_for("document.getElementById('scenarios').value === '02-mx-fallback'", 10)
        except CdpError:
            pass
        check("the page's picker follows the player's (O, ↓, Enter)",
              b.eval("[document.getElementById('scenarios').value, location.search]") ==
              ["02-mx-fallback", "?scenario=02-mx-fallback"],
              str(b.eval("[document.title, document.getElementById('scenarios').value]")))
        b.eval("(() => { const s = document.getElementById('scenarios'); s.value = '%s';"
               " s.dispatchEvent(new Event('change')); })()" % SCENARIO)

        # The mouse: a click on the middle of the timeline (just above the canvas's bottom edge)
        # seeks the clock there.
        x0, y0, w, h = canvas_rect(b)
        before = time_s(b)
        b.click(x0 + w // 2, y0 + h - 28)
        time.sleep(0.3)
        after = time_s(b)
        check("a click on the timeline seeks the clock", after > before + 1, f"{before} -> {after}")

        bad = os.path.abspath(f"tests/data/bad/{BAD}.json")
        with open(f"tests/data/bad/{BAD}.err") as f:
            want = "mailsim: " + f.read().strip().replace(f"tests/data/bad/{BAD}.json", f"{BAD}.json")
        doc = b.call("DOM.getDocument")
        node = b.call("DOM.querySelector", nodeId=doc["root"]["nodeId"], selector="#upload")
        b.call("DOM.setFileInputFiles", files=[bad], nodeId=node["nodeId"])
        try:
            b.wait_for("document.getElementById('notice').classList.contains('show')", 10)
        except CdpError:
            pass
        got = b.eval("document.getElementById('notice-text').textContent")
        check("an uploaded scenario's mistake reads as on the desktop", got == want,
              f"\n  got:  {got}\n  want: {want}")
        time.sleep(0.3)
        check_pixels(b, out_dir, "page-upload-error.png")
        check("the scenario stays after a failed upload", b.eval("document.title") == f"mailsim \u2014 {title}")

        b.eval("document.getElementById('save-trace').click()")
        slug = b.eval("slug()")
        trace = wait_download(downloads, slug + ".jsonl")
        with open(f"tests/data/golden/{SCENARIO}.jsonl", "rb") as f:
            golden = f.read()
        check("the trace download equals the golden trace", trace == golden,
              "no download" if trace is None else f"{len(trace)} vs {len(golden)} bytes")
        b.eval("document.getElementById('save-shot').click()")
        at = b.eval("Module._mailsim_web_time_s().toFixed(1)")
        shot = wait_download(downloads, f"{slug}-{at}s.png")
        ok = shot is not None and Png(shot).w == 1280 and Png(shot).h == 720
        check("the shot download is a 1280x720 PNG", ok)
        if shot:
            with open(os.path.join(out_dir, "shot-download.png"), "wb") as f:
                f.write(shot)
        b.eval("document.getElementById('save-chart').click()")
        chart = wait_download(downloads, slug + "-chart.svg")
        check("the chart download is an SVG", chart is not None and b"<svg" in chart[:400])

        b.call("Runtime.evaluate", expression="0")  # collects the events still on their way
        errors = console_errors(b.events)
        check("no console error and no uncaught exception", not errors, "\n  ".join(errors))
    except CdpError as e:
        check("the page runs", False, str(e))
    finally:
        b.close()
        httpd.shutdown()
    print(f"{passed} passed, {failed} failed")
    return 0 if passed > 0 and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
