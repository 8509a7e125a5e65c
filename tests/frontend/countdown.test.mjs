// The workout card's countdown against the server's clock: a tablet clock that is
// off, a tab that slept, a pause, and the shown seconds.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MEASUREMENT_LIFETIME_MS,
  ServerClock,
  formatClock,
  msToNextSecond,
  msUntil,
  shownSeconds,
} from "../../custom_components/retrowalk/frontend/countdown.js";
import { sessionView } from "../../custom_components/retrowalk/frontend/model.js";

const T0 = Date.parse("2026-11-21T07:00:00.000Z");
const iso = (ms) => new Date(ms).toISOString();

// A tablet whose clock shows `skewMs` more than the server's, talking to it with a
// one-way delay of `delayMs`; `at` is the server's time of a request.
function tablet(skewMs, delayMs = 5) {
  const clock = new ServerClock();
  return {
    clock,
    roundTrip(at) {
      const sent = at - delayMs + skewMs;
      clock.roundTrip(at, sent, sent + 2 * delayMs);
    },
    stateChanged(at) {
      clock.received(at, at + delayMs + skewMs);
    },
    browserNow(serverMs) {
      return serverMs + skewMs;
    },
  };
}

test("a round trip finds a tablet clock that runs ahead", () => {
  const t = tablet(7000);
  t.roundTrip(T0);
  assert.ok(Math.abs(t.clock.offset - -7000) <= 5);
  assert.ok(Math.abs(t.clock.now(t.browserNow(T0 + 1000)) - (T0 + 1000)) <= 5);
});

test("a round trip finds a tablet clock that runs behind", () => {
  const t = tablet(-4000, 40);
  t.roundTrip(T0);
  assert.ok(Math.abs(t.clock.offset - 4000) <= 40);
});

test("without a round trip, a fresh state change bounds a clock that runs behind", () => {
  const t = tablet(-3000);
  t.stateChanged(T0);
  // The state cannot have arrived before it changed: at least 3 s less the delay.
  assert.equal(t.clock.offset, 3000 - 5);
});

test("an old state received now moves nothing (it bounds far below)", () => {
  const clock = new ServerClock();
  clock.received(T0 - 3_600_000, T0);
  assert.equal(clock.offset, 0);
});

test("state changes tighten a round trip's bounds", () => {
  const clock = new ServerClock();
  // The round trip says the offset is within [-100, 100]; a state says at least 60.
  clock.roundTrip(T0, T0 - 100, T0 + 100);
  clock.received(T0 + 60, T0 + 100);
  assert.ok(clock.offset >= -40 && clock.offset <= 100);
  assert.equal(clock.offset, (-40 + 100) / 2);
});

test("after the tablet's clock is set, the newer measurement wins", () => {
  const clock = new ServerClock();
  clock.roundTrip(T0, T0 - 10, T0 + 10); // in step
  // Later the tablet's clock jumps 5 s ahead: the old bounds contradict the new ones.
  clock.roundTrip(T0 + 60_000, T0 + 65_000 - 10, T0 + 65_000 + 10);
  assert.equal(clock.offset, -5000);
});

test("measurements older than their lifetime are forgotten", () => {
  const clock = new ServerClock();
  clock.roundTrip(T0, T0 - 1000, T0 - 800); // offset between 800 and 1000
  clock.received(T0 + MEASUREMENT_LIFETIME_MS + 60_000 - 200, T0 + MEASUREMENT_LIFETIME_MS + 60_000);
  // Only the newer lower bound (-200) is left, so the offset is the value nearest 0 above it.
  assert.equal(clock.offset, 0);
});

test("nonsense measurements are ignored", () => {
  const clock = new ServerClock();
  clock.roundTrip(Number.NaN, T0, T0);
  clock.roundTrip(T0, T0 + 10, T0); // answered before it was sent
  clock.received(Number.NaN, T0);
  assert.equal(clock.offset, 0);
});

test("the countdown after a sleeping tab is computed from the clock, not from ticks", () => {
  const t = tablet(2500);
  t.roundTrip(T0);
  const ends = iso(T0 + 120_000);
  // The tab slept for 95 s: the first render afterwards shows what is really left.
  const awake = t.clock.now(t.browserNow(T0 + 95_000));
  assert.equal(shownSeconds(msUntil(ends, awake)), 25);
  // Past the end (the new interval's state not there yet) it shows 0:00, never less.
  assert.equal(msUntil(ends, t.clock.now(t.browserNow(T0 + 130_000))), 0);
});

test("a pause stands still, and the resumed end counts on from there", () => {
  const ids = { phase: "sensor.p", interval_ends: "sensor.i", session_ends: "sensor.s" };
  const running = (endsMs) => ({
    "sensor.p": { state: "backward", attributes: { interval_direction: "backward", program_duration: 600 } },
    "sensor.i": { state: iso(endsMs) },
    "sensor.s": { state: iso(endsMs + 300_000) },
  });
  const paused = {
    "sensor.p": {
      state: "paused",
      attributes: {
        interval_direction: "backward",
        interval_remaining: 83.4,
        session_remaining: 383.4,
        program_duration: 600,
        pause_reason: "no_spotter",
      },
    },
    "sensor.i": { state: "unknown" },
    "sensor.s": { state: "unknown" },
  };
  const before = sessionView(running(T0 + 83_400), ids, T0);
  assert.equal(before.ticking, true);
  assert.equal(formatClock(shownSeconds(before.intervalLeftMs)), "1:24");
  for (const later of [T0 + 1000, T0 + 600_000]) {
    const view = sessionView(paused, ids, later);
    assert.equal(view.ticking, false);
    assert.equal(view.intervalLeftMs, 83_400);
    assert.equal(view.sessionLeftMs, 383_400);
    assert.equal(view.pauseReason, "no_spotter");
  }
  // Resumed ten minutes later: the new end is ten minutes later too.
  const resumed = sessionView(running(T0 + 683_400), ids, T0 + 600_000);
  assert.equal(resumed.intervalLeftMs, 83_400);
  assert.ok(Math.abs(resumed.progress - (1 - 383.4 / 600)) < 1e-9);
});

test("shown seconds: the first of ten shows 0:10, the last 0:01, the end 0:00", () => {
  assert.equal(shownSeconds(10_000), 10);
  assert.equal(shownSeconds(9_001), 10);
  assert.equal(shownSeconds(9_000), 9);
  assert.equal(shownSeconds(1), 1);
  assert.equal(shownSeconds(0), 0);
  assert.equal(shownSeconds(0.4), 0); // a rounding crumb is no second
});

test("clock faces", () => {
  assert.equal(formatClock(0), "0:00");
  assert.equal(formatClock(59), "0:59");
  assert.equal(formatClock(600), "10:00");
  assert.equal(formatClock(3599), "59:59");
  assert.equal(formatClock(3600 + 62), "1:01:02");
  assert.equal(formatClock(-5), "0:00");
});

test("the next tick comes just after the shown second changes", () => {
  assert.equal(msToNextSecond(83_400), 420);
  assert.equal(msToNextSecond(83_000), 1020);
  // Ticking at those times shows every whole second exactly once.
  let left = 5_250;
  const shown = [shownSeconds(left)];
  while (left > 0) {
    left = Math.max(0, left - msToNextSecond(left));
    shown.push(shownSeconds(left));
  }
  assert.deepEqual(shown, [6, 5, 4, 3, 2, 1, 0]);
});

test("no end, no countdown", () => {
  assert.equal(msUntil("unknown", T0), null);
  assert.equal(msUntil(undefined, T0), null);
  assert.equal(msUntil(iso(T0 + 1500), T0), 1500);
});
