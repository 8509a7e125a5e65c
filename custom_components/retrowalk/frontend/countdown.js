// The workout card's clock: how far the browser's clock is from the server's, and
// what is left until a timestamp the server gave. Pure functions and one small
// class, no DOM, no Home Assistant: unit-tested with Node's test runner.

/** How long a clock measurement counts; later ones win, so a corrected tablet clock is followed. */
export const MEASUREMENT_LIFETIME_MS = 10 * 60 * 1000;

/**
 * Estimates the server's clock minus the browser's (ms) from measurements that
 * bound it, as NTP does:
 * - a round trip to the server: it read its clock between sending and receiving,
 *   so the offset lies in [server - received, server - sent];
 * - a state change just received: it happened before it arrived, so the offset is
 *   at least (its server time - the browser time it arrived).
 * Bounds from the newest measurement backward are intersected; an older one that
 * contradicts them (a clock was set meanwhile) ends the search.
 */
export class ServerClock {
  constructor() {
    this._measurements = [];
    this._offset = 0;
  }

  /** The estimated server clock minus browser clock, in ms (0 until measured). */
  get offset() {
    return this._offset;
  }

  /** The server's time now, in ms since the epoch. */
  now(browserNow = Date.now()) {
    return browserNow + this._offset;
  }

  /** The server answered `serverMs` to a request sent at `sentMs` and answered at `receivedMs`. */
  roundTrip(serverMs, sentMs, receivedMs) {
    if (![serverMs, sentMs, receivedMs].every(Number.isFinite) || receivedMs < sentMs) {
      return;
    }
    this._add(serverMs - receivedMs, serverMs - sentMs, receivedMs);
  }

  /** A state that changed at `serverMs` (server time) arrived at `receivedMs`. */
  received(serverMs, receivedMs) {
    if (!Number.isFinite(serverMs) || !Number.isFinite(receivedMs)) {
      return;
    }
    this._add(serverMs - receivedMs, Infinity, receivedMs);
  }

  _add(low, high, at) {
    this._measurements.push({ low, high, at });
    const newest = Math.max(...this._measurements.map((m) => m.at));
    this._measurements = this._measurements
      .filter((m) => newest - m.at <= MEASUREMENT_LIFETIME_MS)
      .sort((a, b) => b.at - a.at);
    let lower = -Infinity;
    let upper = Infinity;
    const kept = [];
    for (const m of this._measurements) {
      const nextLower = Math.max(lower, m.low);
      const nextUpper = Math.min(upper, m.high);
      if (nextLower > nextUpper) {
        break;
      }
      lower = nextLower;
      upper = nextUpper;
      kept.push(m);
    }
    this._measurements = kept;
    this._offset = estimate(lower, upper);
  }
}

/** The best offset within [lower, upper]: its middle, or with no upper bound the value nearest 0. */
function estimate(lower, upper) {
  if (Number.isFinite(upper)) {
    return Number.isFinite(lower) ? (lower + upper) / 2 : Math.min(upper, 0);
  }
  return Math.max(lower, 0);
}

/** Milliseconds from `serverNowMs` to the ISO timestamp `ends` (never below 0); null without one. */
export function msUntil(ends, serverNowMs) {
  const endsMs = typeof ends === "string" ? Date.parse(ends) : NaN;
  if (!Number.isFinite(endsMs)) {
    return null;
  }
  return Math.max(0, endsMs - serverNowMs);
}

/** Whole seconds shown for a time left: 0:10 for the first second of ten, 0:01 for the last. */
export function shownSeconds(ms) {
  return Math.max(0, Math.ceil(Math.round(ms) / 1000));
}

/** m:ss, or h:mm:ss from an hour on. */
export function formatClock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, "0");
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}`
    : `${minutes}:${secs}`;
}

/** Milliseconds until the shown second changes (a little after, so it has). */
export function msToNextSecond(ms) {
  const rest = Math.round(ms) % 1000;
  return (rest === 0 ? 1000 : rest) + 20;
}
