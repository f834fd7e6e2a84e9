import threading
import time

from engine.worker import Engine, Priority


def test_a_job_result_and_an_error_come_back_and_the_thread_lives_on():
    engine = Engine()
    try:
        assert engine.run(lambda ctx: 41 + 1).value == 42
        bad = engine.run(lambda ctx: 1 / 0)
        assert not bad.ok and bad.error == "ZeroDivisionError: division by zero" and "Traceback" in bad.details
        assert engine.run(lambda ctx: "still here").value == "still here"
    finally:
        engine.stop()


def test_an_interactive_job_runs_between_the_items_of_a_batch_job():
    engine = Engine()
    order, started = [], threading.Event()
    release = threading.Event()

    def batch(ctx):
        for i in range(5):
            order.append(f"item {i}")
            if i == 1:
                started.set()
                release.wait(5)
            ctx.progress(i + 1, 5)
            yield

    try:
        b = engine.submit(batch, "batch", Priority.BATCH)
        started.wait(5)
        click = engine.submit(lambda ctx: order.append("click"), "click", Priority.INTERACTIVE)
        release.set()
        click.result(5)
        assert b.result(5).ok
        assert order == ["item 0", "item 1", "click", "item 2", "item 3", "item 4"]
    finally:
        engine.stop()


def test_cancel_stops_a_batch_job_within_one_item_and_keeps_what_was_done():
    engine = Engine()
    done = []
    gate = threading.Event()

    def batch(ctx):
        for i in range(1000):
            done.append(i)
            if i == 3:
                gate.set()
                time.sleep(0.05)
            yield

    try:
        h = engine.submit(batch, "long", Priority.BATCH)
        gate.wait(5)
        h.cancel()
        r = h.result(5)
        assert r.cancelled and not r.ok
        assert 4 <= len(done) <= 5  # the item in flight finishes, no more start
    finally:
        engine.stop()


def test_progress_reaches_the_listener():
    engine = Engine()
    seen = []

    def job(ctx):
        for i in range(3):
            ctx.progress(i + 1, 3, "working")
        return "ok"

    try:
        engine.submit(job, on_progress=lambda jid, d, t, m: seen.append((d, t, m))).result(5)
        assert seen == [(1, 3, "working"), (2, 3, "working"), (3, 3, "working")]
    finally:
        engine.stop()


def test_the_time_left_goes_by_the_pace_since_the_first_frame_and_reads_as_a_person_would_say_it():
    from engine.pace import Pace, time_left

    now = [100.0]  # a clock the test moves by hand
    pace = Pace(clock=lambda: now[0])
    assert pace.seconds_left(0, 10) is None
    now[0] += 30  # opening the video and giving SAM 2 its prompts: not the pace of tracking
    assert pace.seconds_left(1, 10) is None
    now[0] += 2
    assert pace.seconds_left(2, 10) is None  # one frame does not tell a pace yet
    now[0] += 2
    assert pace.seconds_left(3, 10) == 14  # 7 frames at 2 s (counting the start-up would say 79 s)
    assert [time_left(s) for s in (None, 4, 35, 61, 12 * 60 + 20, 2 * 3600 + 5 * 60)] == [
        "", "", ", under a minute left", ", about 1 min left", ", about 12 min left", ", about 2 h 05 min left"]


def test_batch_jobs_take_turns_item_by_item():
    """An import submitted during a propagation waited for the whole propagation (minutes to hours) before its
    first file; batch jobs now take turns, and an urgent job still goes before both."""
    engine = Engine()
    order, started, release = [], threading.Event(), threading.Event()

    def batch(name, items, hold=False):
        def job(ctx):
            for i in range(items):
                order.append(f"{name} {i}")
                if hold and i == 0:
                    started.set()
                    release.wait(5)
                yield
        return job

    try:
        long = engine.submit(batch("frame", 4, hold=True), "propagation", Priority.BATCH)
        started.wait(5)
        files = engine.submit(batch("file", 2), "import", Priority.BATCH)
        click = engine.submit(lambda ctx: order.append("click"), "click", Priority.INTERACTIVE)
        release.set()
        assert long.result(5).ok and files.result(5).ok and click.result(5).ok
        assert order == ["frame 0", "click", "file 0", "frame 1", "file 1", "frame 2", "frame 3"]
    finally:
        engine.stop()


def test_a_batch_job_interrupted_after_every_item_still_takes_turns():
    """The window asks for small urgent jobs after every tracked frame (markers, the object list): put back ahead
    of its peers each time, the propagation kept an import waiting for all of it."""
    engine = Engine()
    order = []

    def propagation(ctx):
        for i in range(4):
            order.append(f"frame {i}")
            engine.submit(lambda c: order.append("ui"), "ui", Priority.INTERACTIVE)
            yield

    def importing(ctx):
        for i in range(2):
            order.append(f"file {i}")
            yield

    try:
        long = engine.submit(propagation, "propagation", Priority.BATCH)
        files = engine.submit(importing, "import", Priority.BATCH)
        assert long.result(5).ok and files.result(5).ok
        assert order.index("file 0") < order.index("frame 2") and order.index("file 1") < order.index("frame 3")
    finally:
        engine.stop()
