// What the workout card shows, worked out from Home Assistant's states: which
// entities belong to the treadmill, where the session is, what is left, and which
// buttons the session allows. Pure functions, unit-tested with Node's test runner.

import { msUntil } from "./countdown.js";

export const DOMAIN = "retrowalk";

// The treadmill's entities the card reads, by their translation keys.
const ENTITY_KEYS = {
  phase: "sensor",
  interval_ends: "sensor",
  session_ends: "sensor",
  speed: "sensor",
  spotter: "binary_sensor",
  program: "select",
};

const ACTIVE_PHASES = new Set(["forward", "backward", "paused"]);

/** The retrowalk treadmills (devices with a phase sensor), as [{id, name}] sorted by name. */
export function treadmills(hass) {
  const found = new Map();
  for (const entity of Object.values(hass?.entities ?? {})) {
    if (entity.platform === DOMAIN && entity.translation_key === "phase" && entity.device_id) {
      const device = hass.devices?.[entity.device_id];
      const name = device?.name_by_user || device?.name || entity.device_id;
      found.set(entity.device_id, { id: entity.device_id, name });
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The treadmill a card config means: its `device_id`, the device of its `entity`
 * (any of the treadmill's entities: an id a YAML dashboard can know in advance), or
 * the only treadmill. Returns {deviceId} or {problem: "none" | "choose" | "missing"}.
 */
export function pickTreadmill(hass, config) {
  const all = treadmills(hass);
  const deviceId = config?.device_id || deviceOf(hass, config?.entity);
  if (config?.device_id || config?.entity) {
    return all.some((t) => t.id === deviceId) ? { deviceId } : { problem: "missing" };
  }
  if (all.length === 1) {
    return { deviceId: all[0].id };
  }
  return { problem: all.length ? "choose" : "none" };
}

/** The device of a retrowalk entity, or null. */
export function deviceOf(hass, entityId) {
  const entity = entityId ? hass?.entities?.[entityId] : undefined;
  return entity?.platform === DOMAIN ? (entity.device_id ?? null) : null;
}

/** The entity ids of a treadmill's entities the card reads, by key (absent ones left out). */
export function treadmillEntities(hass, deviceId) {
  const ids = {};
  for (const entity of Object.values(hass?.entities ?? {})) {
    const domain = ENTITY_KEYS[entity.translation_key];
    if (
      entity.platform === DOMAIN &&
      entity.device_id === deviceId &&
      domain &&
      entity.entity_id.startsWith(`${domain}.`)
    ) {
      ids[entity.translation_key] = entity.entity_id;
    }
  }
  return ids;
}

/** The config entry of a treadmill's device (for the retrowalk actions). */
export function configEntryId(hass, deviceId) {
  const device = hass?.devices?.[deviceId];
  return device?.primary_config_entry ?? device?.config_entries?.[0] ?? null;
}

function number(value) {
  const parsed = typeof value === "number" ? value : Number.parseFloat(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/**
 * Where the session is at `serverNowMs` (server time): phase, direction, what is
 * left (ms), the next interval, speed, spotter, and which buttons it allows.
 */
export function sessionView(states, ids, serverNowMs) {
  const phaseState = states[ids.phase];
  const attributes = phaseState?.attributes ?? {};
  const available = Boolean(phaseState) && !["unavailable", "unknown"].includes(phaseState.state);
  const phase = available ? phaseState.state : "unavailable";
  const active = ACTIVE_PHASES.has(phase);
  const paused = phase === "paused";

  let intervalLeftMs = null;
  let sessionLeftMs = null;
  if (paused) {
    intervalLeftMs = secondsToMs(attributes.interval_remaining);
    sessionLeftMs = secondsToMs(attributes.session_remaining);
  } else if (active) {
    intervalLeftMs = msUntil(states[ids.interval_ends]?.state, serverNowMs);
    sessionLeftMs = msUntil(states[ids.session_ends]?.state, serverNowMs);
  }
  const programMs = secondsToMs(attributes.program_duration);
  const progress =
    active && sessionLeftMs !== null && programMs
      ? Math.min(1, Math.max(0, 1 - sessionLeftMs / programMs))
      : phase === "finished"
        ? 1
        : 0;

  const speedState = states[ids.speed];
  const spotterState = states[ids.spotter];
  const index = number(attributes.interval_index);
  return {
    phase,
    active,
    paused,
    // Counting down: running with a known end (a paused count stands still).
    ticking: active && !paused && intervalLeftMs !== null,
    direction: active ? (attributes.interval_direction ?? null) : null,
    pauseReason: paused ? (attributes.pause_reason ?? null) : null,
    intervalNumber: active && index !== null ? index + 1 : null,
    intervalCount: active ? number(attributes.interval_count) : null,
    intervalLeftMs,
    sessionLeftMs,
    progress,
    next:
      active && attributes.next_direction
        ? {
            direction: attributes.next_direction,
            seconds: number(attributes.next_duration),
            speed: number(attributes.next_speed),
            unit: attributes.speed_unit ?? "",
          }
        : null,
    speed: {
      value: speedState ? number(speedState.state) : null,
      unit: speedState?.attributes?.unit_of_measurement ?? "",
    },
    spotter: spotterState ? spotterState.state : "none",
    program: states[ids.program]?.state ?? null,
    programs: states[ids.program]?.attributes?.options ?? [],
    can: {
      start: available && !active,
      pause: active && !paused,
      resume: paused,
      skip: active,
      // Stop is never refused: it always tells the belt to stop.
      stop: true,
    },
  };
}

function secondsToMs(value) {
  const seconds = number(value);
  return seconds === null ? null : seconds * 1000;
}

/**
 * The server time (ms) at which the states the card reads last changed, for those
 * that differ between two `states` objects: each is a clock measurement.
 */
export function changedAt(previous, states, ids) {
  const times = [];
  for (const id of Object.values(ids)) {
    const before = previous?.[id];
    const now = states?.[id];
    if (before && now && before !== now && before.last_updated !== now.last_updated) {
      const ms = Date.parse(now.last_updated);
      if (Number.isFinite(ms)) {
        times.push(ms);
      }
    }
  }
  return times;
}
