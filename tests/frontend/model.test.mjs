// What the workout card reads from Home Assistant: its treadmill, that treadmill's
// entities, and what the session allows.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  changedAt,
  configEntryId,
  deviceOf,
  pickTreadmill,
  sessionView,
  treadmillEntities,
  treadmills,
} from "../../custom_components/retrowalk/frontend/model.js";
import { STRINGS, cardLanguage, translate } from "../../custom_components/retrowalk/frontend/strings.js";

function registry(deviceId, prefix) {
  const entry = (entity_id, translation_key, platform = "retrowalk") => [
    entity_id,
    { entity_id, translation_key, platform, device_id: deviceId },
  ];
  return [
    entry(`sensor.${prefix}_phase`, "phase"),
    entry(`sensor.${prefix}_interval_ends`, "interval_ends"),
    entry(`sensor.${prefix}_session_ends`, "session_ends"),
    entry(`sensor.${prefix}_speed`, "speed"),
    entry(`binary_sensor.${prefix}_spotter`, "spotter"),
    entry(`select.${prefix}_program`, "program"),
    // Same translation key, other platform or domain: not the card's.
    entry(`button.${prefix}_start`, "start"),
    entry(`number.${prefix}_speed`, "speed"),
    entry(`sensor.other_${prefix}_phase`, "phase", "other_integration"),
  ];
}

const HASS = {
  entities: Object.fromEntries([...registry("dev-a", "hall"), ...registry("dev-b", "attic")]),
  devices: {
    "dev-a": { id: "dev-a", name: "Hall treadmill", config_entries: ["entry-a"], primary_config_entry: "entry-a" },
    "dev-b": { id: "dev-b", name: "Treadmill", name_by_user: "Attic", config_entries: ["entry-b"] },
  },
};

test("treadmills are the devices with a retrowalk phase sensor, by name", () => {
  assert.deepEqual(treadmills(HASS), [
    { id: "dev-b", name: "Attic" },
    { id: "dev-a", name: "Hall treadmill" },
  ]);
  assert.deepEqual(treadmills({ entities: {}, devices: {} }), []);
});

test("one treadmill needs no option; several need a choice", () => {
  const one = {
    entities: Object.fromEntries(registry("dev-a", "hall")),
    devices: { "dev-a": HASS.devices["dev-a"] },
  };
  assert.deepEqual(pickTreadmill(one, {}), { deviceId: "dev-a" });
  assert.deepEqual(pickTreadmill(HASS, {}), { problem: "choose" });
  assert.deepEqual(pickTreadmill(HASS, { device_id: "dev-b" }), { deviceId: "dev-b" });
  assert.deepEqual(pickTreadmill(HASS, { device_id: "gone" }), { problem: "missing" });
  assert.deepEqual(pickTreadmill({ entities: {}, devices: {} }, {}), { problem: "none" });
});

test("a YAML dashboard names the treadmill by one of its entities", () => {
  assert.deepEqual(pickTreadmill(HASS, { entity: "sensor.attic_phase" }), { deviceId: "dev-b" });
  assert.deepEqual(pickTreadmill(HASS, { entity: "button.hall_start" }), { deviceId: "dev-a" });
  assert.equal(deviceOf(HASS, "select.attic_program"), "dev-b");
  // Not a retrowalk entity, or no such entity: the treadmill is missing.
  assert.deepEqual(pickTreadmill(HASS, { entity: "sensor.other_hall_phase" }), { problem: "missing" });
  assert.deepEqual(pickTreadmill(HASS, { entity: "sensor.nowhere" }), { problem: "missing" });
  assert.equal(deviceOf(HASS, undefined), null);
  // A device_id wins over an entity.
  assert.deepEqual(pickTreadmill(HASS, { device_id: "dev-a", entity: "sensor.attic_phase" }), {
    deviceId: "dev-a",
  });
});

test("a treadmill's entities are found by translation key, whatever they are called", () => {
  assert.deepEqual(treadmillEntities(HASS, "dev-b"), {
    phase: "sensor.attic_phase",
    interval_ends: "sensor.attic_interval_ends",
    session_ends: "sensor.attic_session_ends",
    speed: "sensor.attic_speed",
    spotter: "binary_sensor.attic_spotter",
    program: "select.attic_program",
  });
});

test("the retrowalk actions name the treadmill's config entry", () => {
  assert.equal(configEntryId(HASS, "dev-a"), "entry-a");
  assert.equal(configEntryId(HASS, "dev-b"), "entry-b");
  assert.equal(configEntryId(HASS, "gone"), null);
});

const IDS = treadmillEntities(HASS, "dev-a");

function states(phase, attributes = {}, extra = {}) {
  return {
    [IDS.phase]: { state: phase, attributes },
    [IDS.speed]: { state: "0.6", attributes: { unit_of_measurement: "mph" } },
    [IDS.spotter]: { state: "on", attributes: {} },
    [IDS.program]: { state: "steady_10", attributes: { options: ["steady_10", "intervals_3_1"] } },
    ...extra,
  };
}

test("buttons follow the session: start when idle, pause and skip when walking, resume when paused", () => {
  const allowed = (phase) =>
    Object.entries(sessionView(states(phase), IDS, 0).can)
      .filter(([, yes]) => yes)
      .map(([action]) => action);
  assert.deepEqual(allowed("idle"), ["start", "stop"]);
  assert.deepEqual(allowed("finished"), ["start", "stop"]);
  assert.deepEqual(allowed("forward"), ["pause", "skip", "stop"]);
  assert.deepEqual(allowed("backward"), ["pause", "skip", "stop"]);
  assert.deepEqual(allowed("paused"), ["resume", "skip", "stop"]);
  // A treadmill that is not loaded allows nothing but Stop, which is never refused.
  assert.deepEqual(allowed("unavailable"), ["stop"]);
});

test("a running interval shows direction, next interval, speed and spotter", () => {
  const ends = Date.parse("2026-11-21T07:02:00Z");
  const view = sessionView(
    states(
      "backward",
      {
        interval_direction: "backward",
        interval_index: 2,
        interval_count: 15,
        program_duration: 1800,
        next_direction: "forward",
        next_duration: 120,
        next_speed: 0.5,
        speed_unit: "mph",
      },
      {
        [IDS.interval_ends]: { state: new Date(ends).toISOString() },
        [IDS.session_ends]: { state: new Date(ends + 1_200_000).toISOString() },
      },
    ),
    IDS,
    ends - 61_000,
  );
  assert.equal(view.direction, "backward");
  assert.equal(view.intervalNumber, 3);
  assert.equal(view.intervalCount, 15);
  assert.equal(view.intervalLeftMs, 61_000);
  assert.equal(view.sessionLeftMs, 1_261_000);
  assert.ok(Math.abs(view.progress - (1 - 1261 / 1800)) < 1e-9);
  assert.deepEqual(view.next, { direction: "forward", seconds: 120, speed: 0.5, unit: "mph" });
  assert.deepEqual(view.speed, { value: 0.6, unit: "mph" });
  assert.equal(view.spotter, "on");
  assert.equal(view.program, "steady_10");
  assert.equal(view.ticking, true);
});

test("the last interval has no next one; a finished session is complete", () => {
  const last = sessionView(states("forward", { interval_direction: "forward", next_direction: null }), IDS, 0);
  assert.equal(last.next, null);
  const finished = sessionView(states("finished", { interval_direction: "forward" }), IDS, 0);
  assert.equal(finished.progress, 1);
  assert.equal(finished.direction, null);
  assert.equal(finished.intervalLeftMs, null);
});

test("no spotter entity shows as not set up", () => {
  const without = states("idle");
  delete without[IDS.spotter];
  assert.equal(sessionView(without, IDS, 0).spotter, "none");
});

test("only changed states of the card's entities are clock measurements", () => {
  const before = {
    [IDS.phase]: { state: "forward", last_updated: "2026-11-21T07:00:00.000Z" },
    [IDS.speed]: { state: "0.5", last_updated: "2026-11-21T07:00:00.000Z" },
    "sensor.unrelated": { state: "1", last_updated: "2026-11-21T07:00:00.000Z" },
  };
  const after = {
    ...before,
    [IDS.phase]: { state: "backward", last_updated: "2026-11-21T07:02:00.250Z" },
    "sensor.unrelated": { state: "2", last_updated: "2026-11-21T07:02:01.000Z" },
  };
  assert.deepEqual(changedAt(before, after, IDS), [Date.parse("2026-11-21T07:02:00.250Z")]);
  assert.deepEqual(changedAt(undefined, after, IDS), []);
});

test("English, German and Spanish have the same words; other languages fall back", () => {
  const keys = Object.keys(STRINGS.en).sort();
  for (const language of ["de", "es"]) {
    assert.deepEqual(Object.keys(STRINGS[language]).sort(), keys, language);
    for (const key of keys) {
      const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(placeholders(STRINGS[language][key]), placeholders(STRINGS.en[key]), `${language}.${key}`);
    }
  }
  assert.equal(cardLanguage({ locale: { language: "de-CH" } }), "de");
  assert.equal(cardLanguage({ language: "es" }), "es");
  assert.equal(cardLanguage({ locale: { language: "fr" } }), "en");
  assert.equal(translate("de", "interval", { number: 3, count: 15 }), "Intervall 3 von 15");
  assert.equal(translate("xx", "stop"), "Stop");
});
