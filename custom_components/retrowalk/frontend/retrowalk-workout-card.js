// The retrowalk workout card (custom:retrowalk-workout-card): the session as seen
// from the treadmill. retrowalk serves this module and loads it into the frontend
// itself. Plain JavaScript, no build step and no dependencies.
//
// The countdown runs in the browser from the interval_ends and session_ends
// timestamps against the server's clock (see countdown.js): Home Assistant writes
// nothing per second. The card builds its DOM once and afterwards only changes the
// text and attributes that differ.

import { ServerClock, formatClock, msToNextSecond, shownSeconds } from "./countdown.js";
import {
  DOMAIN,
  changedAt,
  configEntryId,
  pickTreadmill,
  sessionView,
  treadmillEntities,
  treadmills,
} from "./model.js";
import { cardLanguage, translate } from "./strings.js";

const CARD = "retrowalk-workout-card";
const EDITOR = "retrowalk-workout-card-editor";
// Measure the server's clock again this often while the card is shown; the first
// measurements come a few seconds apart, as a page that is still loading answers
// slowly and each measurement narrows the offset down to the quickest round trip.
const CLOCK_RESYNC_MS = 10 * 60 * 1000;
const FIRST_SYNCS_MS = [1500, 4000];
// How long a refused action's message stays.
const MESSAGE_MS = 15 * 1000;

const ICONS = {
  forward: "M12 2 21 12H15.5V22H8.5V12H3Z",
  backward: "M12 22 3 12H8.5V2H15.5V12H21Z",
  paused: "M6 4H10V20H6ZM14 4H18V20H14Z",
  idle: "M8 4V20L20 12Z",
  finished: "M9 16.2 4.8 12 3.4 13.4 9 19 21 7 19.6 5.6Z",
  unavailable: "M11 7H13V13H11ZM11 15H13V17H11ZM12 2A10 10 0 1 0 12 22 10 10 0 0 0 12 2Z",
};

const ACTIONS = ["start", "pause", "resume", "skip", "stop"];
const SERVICES = {
  start: "start_session",
  pause: "pause",
  resume: "resume",
  skip: "skip_interval",
  stop: "stop",
};

const STYLE = `
  :host { display: block; }
  ha-card { container-type: inline-size; height: 100%; box-sizing: border-box; }
  .card {
    --rw-accent: var(--primary-color, #03a9f4);
    display: grid;
    gap: 12px 24px;
    padding: 16px;
    grid-template-columns: 1fr;
    grid-template-areas: "status" "now" "facts" "controls" "message";
    color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, var(--paper-font-body1_-_font-family, Roboto, sans-serif));
  }
  .card.forward { --rw-accent: var(--info-color, #039be5); }
  .card.backward { --rw-accent: var(--warning-color, #ffa600); }
  .card.paused, .card.unavailable { --rw-accent: var(--error-color, #db4437); }
  .card.finished { --rw-accent: var(--success-color, #43a047); }
  .card.idle { --rw-accent: var(--secondary-text-color, #727272); }
  [hidden] { display: none !important; }
  .status { grid-area: status; }
  .now { grid-area: now; display: flex; flex-direction: column; align-items: center; justify-content: center;
    text-align: center; min-width: 0; }
  .direction { display: flex; align-items: center; gap: 0.25em; color: var(--rw-accent);
    font-size: clamp(30px, 8cqi, 64px); font-weight: 700; line-height: 1.1; }
  .direction svg { width: 1.3em; height: 1.3em; fill: currentColor; flex: none; }
  .reason { font-size: clamp(20px, 5cqi, 34px); font-weight: 600; color: var(--rw-accent); }
  .countdown { font-size: clamp(72px, 25cqi, 230px); font-weight: 700; line-height: 1;
    font-variant-numeric: tabular-nums; letter-spacing: -0.02em; margin-top: 4px; }
  .card.paused .countdown { opacity: 0.6; }
  .sub { font-size: clamp(16px, 3.6cqi, 24px); color: var(--secondary-text-color); }
  .facts { grid-area: facts; display: grid; grid-template-columns: 1fr 1fr; gap: 12px; align-content: center; }
  .fact { display: flex; flex-direction: column; gap: 2px; padding: 10px 12px; min-width: 0;
    border-radius: var(--ha-card-border-radius, 12px);
    background: var(--secondary-background-color, rgba(127, 127, 127, 0.1)); }
  .fact.session { flex-direction: row; align-items: center; gap: 12px; }
  .label { font-size: clamp(14px, 2.6cqi, 18px); color: var(--secondary-text-color); }
  .value { font-size: clamp(20px, 4.6cqi, 34px); font-weight: 600; font-variant-numeric: tabular-nums;
    overflow-wrap: anywhere; }
  .unit { font-size: 0.6em; font-weight: 500; color: var(--secondary-text-color); }
  .next-detail { display: block; font-size: 0.75em; font-weight: 500; }
  .ring { width: clamp(44px, 9cqi, 72px); height: clamp(44px, 9cqi, 72px); flex: none; transform: rotate(-90deg); }
  .ring circle { fill: none; stroke-width: 4; }
  .ring .track { stroke: var(--divider-color, rgba(127, 127, 127, 0.3)); }
  .ring .bar { stroke: var(--rw-accent); stroke-linecap: round; }
  .spotter-off .value { color: var(--error-color, #db4437); }
  .controls { grid-area: controls; display: grid; gap: 12px; grid-template-columns: repeat(3, 1fr);
    align-items: end; }
  .controls.idle button.start { grid-column: span 2; }
  .program { grid-column: 1 / -1; display: flex; flex-direction: column; gap: 4px; }
  select, button { font: inherit; border-radius: 16px; min-height: 64px; }
  select { padding: 0 12px; font-size: clamp(18px, 3.6cqi, 24px); color: var(--primary-text-color);
    background: var(--card-background-color, var(--ha-card-background, #fff));
    border: 2px solid var(--divider-color, rgba(127, 127, 127, 0.4)); }
  button { border: none; cursor: pointer; font-size: clamp(20px, 4.4cqi, 30px); font-weight: 700;
    color: var(--text-primary-color, #fff); background: var(--primary-color, #03a9f4); padding: 8px 12px;
    touch-action: manipulation; }
  button.start { background: var(--success-color, #43a047); }
  button.stop { background: var(--error-color, #db4437); }
  button:disabled { opacity: 0.35; cursor: default; }
  button:focus-visible, select:focus-visible { outline: 3px solid var(--primary-text-color); outline-offset: 2px; }
  .banner, .message { border-radius: 12px; padding: 12px 16px; font-size: clamp(16px, 3.4cqi, 22px); }
  .banner { background: var(--warning-color, #ffa600); color: var(--text-primary-color, #fff); }
  .message { grid-area: message; background: var(--error-color, #db4437); color: var(--text-primary-color, #fff); }
  .problem { padding: 24px 16px; font-size: 20px; text-align: center; }
  /* Tablets: four buttons a row; Stop takes two during a session. */
  @container (min-width: 640px) {
    .controls { grid-template-columns: repeat(4, 1fr); }
    .program { grid-column: span 2; }
    .controls.idle button.start { grid-column: span 1; }
    .controls.active button.stop { grid-column: span 2; }
    button, select { min-height: 80px; }
  }
  /* Wide and landscape: the countdown beside the figures. */
  @media (orientation: landscape) {
    @container (min-width: 640px) {
      .card { grid-template-columns: 3fr 2fr;
        grid-template-areas: "status status" "now facts" "controls controls" "message message"; }
      .facts { grid-template-columns: 1fr; }
      .countdown { font-size: clamp(72px, 17cqi, 230px); }
      .direction { font-size: clamp(30px, 6cqi, 64px); }
      .value { font-size: clamp(20px, 3.2cqi, 34px); }
    }
  }
`;

const TEMPLATE = `
  <ha-card>
    <div class="card idle">
      <div class="status" hidden><div class="banner"></div></div>
      <section class="now">
        <div class="direction"><svg viewBox="0 0 24 24" aria-hidden="true"><path class="icon"></path></svg><span class="word"></span></div>
        <div class="reason" hidden></div>
        <div class="countdown" role="timer"></div>
        <div class="sub"></div>
      </section>
      <section class="facts">
        <div class="fact next"><span class="label next-label"></span><span class="value"><span class="next-value"></span><span class="next-detail"></span></span></div>
        <div class="fact session">
          <svg class="ring" viewBox="0 0 48 48" aria-hidden="true">
            <circle class="track" cx="24" cy="24" r="21"></circle>
            <circle class="bar" cx="24" cy="24" r="21" pathLength="100" stroke-dasharray="0 100"></circle>
          </svg>
          <div><div class="label session-label"></div><div class="value session-value"></div></div>
        </div>
        <div class="fact speed"><span class="label speed-label"></span><span class="value"><span class="speed-value"></span> <span class="unit speed-unit"></span></span></div>
        <div class="fact spotter"><span class="label spotter-label"></span><span class="value spotter-value"></span></div>
      </section>
      <section class="controls">
        <label class="program"><span class="label program-label"></span><select></select></label>
        <button type="button" class="start" data-action="start"></button>
        <button type="button" class="pause" data-action="pause"></button>
        <button type="button" class="resume" data-action="resume"></button>
        <button type="button" class="skip" data-action="skip"></button>
        <button type="button" class="stop" data-action="stop"></button>
      </section>
      <div class="message" role="alert" hidden></div>
    </div>
    <div class="problem" hidden></div>
  </ha-card>
`;

class RetrowalkWorkoutCard extends HTMLElement {
  constructor() {
    super();
    this._clock = new ServerClock();
    this._config = null;
    this._hass = null;
    this._ids = {};
    this._deviceId = null;
    this._problem = null;
    this._busy = new Set();
    this._message = null;
    this._messageTimer = null;
    this._tick = null;
    this._lastSync = null;
    this._syncing = false;
    this._firstSyncs = null;
    this._elements = null;
    this._onVisibility = () => {
      if (!document.hidden) {
        this._syncClock();
      }
      this._render();
    };
  }

  static async getConfigElement() {
    await import("./editor.js");
    return document.createElement(EDITOR);
  }

  static getStubConfig(hass) {
    const all = treadmills(hass);
    return all.length > 1 ? { device_id: all[0].id } : {};
  }

  setConfig(config) {
    if (!config || typeof config !== "object") {
      throw new Error("Invalid configuration");
    }
    if (config.device_id !== undefined && typeof config.device_id !== "string") {
      throw new Error("device_id must be the id of a retrowalk treadmill");
    }
    if (config.entity !== undefined && typeof config.entity !== "string") {
      throw new Error("entity must be the id of one of a retrowalk treadmill's entities");
    }
    this._config = config;
    this._resolve();
    this._render();
  }

  set hass(hass) {
    const previous = this._hass;
    this._hass = hass;
    if (
      !previous ||
      previous.entities !== hass.entities ||
      previous.devices !== hass.devices
    ) {
      this._resolve();
    }
    const arrived = Date.now();
    for (const serverMs of changedAt(previous?.states, hass.states, this._ids)) {
      this._clock.received(serverMs, arrived);
    }
    if (previous && previous.connected === false && hass.connected !== false) {
      this._syncClock();
    }
    // Home Assistant hands every card each change of any entity: show only ours.
    if (
      !previous ||
      previous.connected !== hass.connected ||
      previous.locale !== hass.locale ||
      previous.localize !== hass.localize ||
      previous.entities !== hass.entities ||
      previous.devices !== hass.devices ||
      Object.values(this._ids).some((id) => previous.states[id] !== hass.states[id])
    ) {
      this._render();
    }
  }

  get hass() {
    return this._hass;
  }

  getCardSize() {
    return 9;
  }

  getGridOptions() {
    return { columns: 12, min_columns: 6, rows: "auto" };
  }

  connectedCallback() {
    document.addEventListener("visibilitychange", this._onVisibility);
    this._render();
  }

  disconnectedCallback() {
    document.removeEventListener("visibilitychange", this._onVisibility);
    clearTimeout(this._tick);
    this._tick = null;
  }

  get _language() {
    return cardLanguage(this._hass);
  }

  _t(key, placeholders) {
    return translate(this._language, key, placeholders);
  }

  _resolve() {
    if (!this._hass || !this._config) {
      return;
    }
    const picked = pickTreadmill(this._hass, this._config);
    this._deviceId = picked.deviceId ?? null;
    this._problem = picked.problem ?? null;
    this._ids = this._deviceId ? treadmillEntities(this._hass, this._deviceId) : {};
  }

  async _syncClock() {
    const hass = this._hass;
    if (!hass || this._syncing || hass.connected === false) {
      return;
    }
    this._syncing = true;
    this._lastSync = Date.now();
    try {
      const sent = Date.now();
      const result = await hass.callWS({ type: `${DOMAIN}/server_time` });
      this._clock.roundTrip(result.now * 1000, sent, Date.now());
    } catch (_err) {
      // Not answered (connection lost meanwhile): the next sync tries again, and
      // state changes keep bounding the offset meanwhile.
      this._lastSync = null;
    } finally {
      this._syncing = false;
    }
    if (this._firstSyncs === null) {
      this._firstSyncs = FIRST_SYNCS_MS.map((ms) => setTimeout(() => this._syncClock(), ms));
    }
    this._render();
  }

  _build() {
    const root = this.attachShadow({ mode: "open" });
    root.innerHTML = `<style>${STYLE}</style>${TEMPLATE}`;
    const $ = (selector) => root.querySelector(selector);
    this._elements = {
      card: $(".card"),
      problem: $(".problem"),
      status: $(".status"),
      banner: $(".banner"),
      icon: $(".icon"),
      word: $(".word"),
      reason: $(".reason"),
      countdown: $(".countdown"),
      sub: $(".sub"),
      nextLabel: $(".next-label"),
      nextValue: $(".next-value"),
      nextDetail: $(".next-detail"),
      controls: $(".controls"),
      sessionLabel: $(".session-label"),
      sessionValue: $(".session-value"),
      bar: $(".bar"),
      next: $(".fact.next"),
      session: $(".fact.session"),
      speedLabel: $(".speed-label"),
      speedValue: $(".speed-value"),
      speedUnit: $(".speed-unit"),
      spotter: $(".spotter"),
      spotterLabel: $(".spotter-label"),
      spotterValue: $(".spotter-value"),
      program: $(".program"),
      programLabel: $(".program-label"),
      select: $("select"),
      message: $(".message"),
      buttons: Object.fromEntries(ACTIONS.map((a) => [a, $(`button.${a}`)])),
    };
    for (const action of ACTIONS) {
      this._elements.buttons[action].addEventListener("click", () => this._act(action));
    }
    this._elements.select.addEventListener("change", (event) =>
      this._selectProgram(event.target.value),
    );
  }

  _render() {
    if (!this._hass || !this._config || !this.isConnected) {
      return;
    }
    if (!this._elements) {
      this._build();
    }
    if (this._lastSync === null || Date.now() - this._lastSync > CLOCK_RESYNC_MS) {
      this._syncClock();
    }
    const e = this._elements;
    const problem = this._problem ? this._t(`${this._problem}_treadmill`) : null;
    setHidden(e.card, Boolean(problem));
    setHidden(e.problem, !problem);
    setText(e.problem, problem ?? "");
    clearTimeout(this._tick);
    this._tick = null;
    if (problem) {
      return;
    }

    const view = sessionView(this._hass.states, this._ids, this._clock.now());
    const look = view.active ? (view.paused ? "paused" : view.direction ?? "forward") : view.phase;
    setClass(e.card, `card ${look}`);
    setHidden(e.status, this._hass.connected !== false);
    setText(e.banner, this._t("offline"));

    // Now: direction (or state), pause reason, the big countdown, where in the program.
    setAttr(e.icon, "d", ICONS[look] ?? ICONS.idle);
    setText(e.word, this._t(look === "paused" ? "paused" : look));
    const reason = view.pauseReason ? this._reasonText(view.pauseReason) : "";
    setHidden(e.reason, !reason);
    setText(e.reason, reason);
    const left = view.intervalLeftMs;
    setHidden(e.countdown, left === null);
    setText(e.countdown, left === null ? "" : formatClock(shownSeconds(left)));
    setAttr(e.countdown, "aria-label", left === null ? "" : `${formatClock(shownSeconds(left))} ${this._t("interval_left")}`);
    const sub = [];
    if (view.active && view.direction && view.paused) {
      sub.push(this._t(view.direction));
    }
    if (view.intervalNumber !== null && view.intervalCount !== null) {
      sub.push(this._t("interval", { number: view.intervalNumber, count: view.intervalCount }));
    }
    if (!view.active && view.program) {
      sub.push(this._programName(view.program));
    }
    setText(e.sub, sub.join(" · "));

    // Facts: next interval and session left with its ring (during a session),
    // speed, spotter.
    setHidden(e.next, !view.active);
    setHidden(e.session, !view.active);
    setText(e.nextLabel, this._t("next"));
    const [nextValue, nextDetail] = this._nextText(view);
    setText(e.nextValue, nextValue);
    setText(e.nextDetail, nextDetail);
    setText(e.sessionLabel, this._t("session_left"));
    setText(
      e.sessionValue,
      view.sessionLeftMs === null ? "–" : formatClock(shownSeconds(view.sessionLeftMs)),
    );
    setAttr(e.bar, "stroke-dasharray", `${(view.progress * 100).toFixed(1)} 100`);
    setText(e.speedLabel, this._t("speed"));
    setText(e.speedValue, view.speed.value === null ? "–" : this._number(view.speed.value));
    setText(e.speedUnit, view.speed.unit);
    setText(e.spotterLabel, this._t("spotter"));
    setText(e.spotterValue, this._t(`spotter_${view.spotter === "on" || view.spotter === "off" ? view.spotter : "none"}`));
    setClass(e.spotter, `fact spotter${view.spotter === "off" ? " spotter-off" : ""}`);

    // Controls: the program picker and Start while idle; Pause or Resume and Skip
    // during a session; Stop always.
    setText(e.programLabel, this._t("program"));
    this._renderPrograms(view);
    setHidden(e.program, view.active);
    setClass(e.controls, `controls ${view.active ? "active" : "idle"}`);
    const shown = {
      start: !view.active,
      pause: view.active && !view.paused,
      resume: view.paused,
      skip: view.active,
      stop: true,
    };
    for (const action of ACTIONS) {
      const button = e.buttons[action];
      setText(button, this._t(action));
      setHidden(button, !shown[action]);
      // A second tap while the first is on its way does nothing; Stop always works.
      button.disabled = !view.can[action] || (action !== "stop" && this._busy.has(action));
    }
    setHidden(e.message, !this._message);
    setText(e.message, this._message ?? "");

    if (view.ticking && !document.hidden) {
      this._tick = setTimeout(() => this._render(), msToNextSecond(view.intervalLeftMs));
    }
  }

  _renderPrograms(view) {
    const select = this._elements.select;
    const key = `${this._language}|${view.programs.join(",")}`;
    if (select.dataset.key !== key) {
      select.dataset.key = key;
      select.replaceChildren(
        ...view.programs.map((option) => {
          const element = document.createElement("option");
          element.value = option;
          element.textContent = this._programName(option);
          return element;
        }),
      );
    }
    if (view.program !== null && select.value !== view.program) {
      select.value = view.program;
    }
    select.disabled = !view.can.start || !this._ids.program;
  }

  _programName(option) {
    const stateObj = this._hass.states[this._ids.program];
    if (stateObj && this._hass.formatEntityState) {
      return this._hass.formatEntityState(stateObj, option);
    }
    return option;
  }

  _reasonText(reason) {
    const stateObj = this._hass.states[this._ids.phase];
    if (stateObj && this._hass.formatEntityAttributeValue) {
      return this._hass.formatEntityAttributeValue(stateObj, "pause_reason", reason);
    }
    return reason;
  }

  _number(value) {
    return new Intl.NumberFormat(this._hass.locale?.language ?? this._language, {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    }).format(value);
  }

  // The next interval: its direction, then its length and speed.
  _nextText(view) {
    if (!view.active) {
      return ["–", ""];
    }
    const next = view.next;
    if (!next) {
      return [this._t("last_interval"), ""];
    }
    const detail = [];
    if (next.seconds !== null) {
      detail.push(formatClock(next.seconds));
    }
    if (next.speed !== null) {
      detail.push(`${this._number(next.speed)} ${next.unit}`);
    }
    return [`${next.direction === "backward" ? "↓" : "↑"} ${this._t(next.direction)}`, detail.join(" · ")];
  }

  async _act(action) {
    const hass = this._hass;
    const entryId = configEntryId(hass, this._deviceId);
    if (!hass || !entryId) {
      return;
    }
    const data = { config_entry_id: entryId };
    if (action === "start") {
      const program = hass.states[this._ids.program]?.state;
      if (program) {
        data.program = program;
      }
    }
    this._busy.add(action);
    this._showMessage(null);
    try {
      await hass.callWS({
        type: "call_service",
        domain: DOMAIN,
        service: SERVICES[action],
        service_data: data,
      });
    } catch (err) {
      this._showMessage(await this._errorText(err));
    } finally {
      this._busy.delete(action);
      this._render();
    }
  }

  async _selectProgram(option) {
    const entityId = this._ids.program;
    if (!entityId) {
      return;
    }
    try {
      await this._hass.callWS({
        type: "call_service",
        domain: "select",
        service: "select_option",
        service_data: { option },
        target: { entity_id: entityId },
      });
    } catch (err) {
      this._showMessage(await this._errorText(err));
    }
  }

  // The integration's own translated message for a refusal, in the user's language;
  // else the server's message.
  async _errorText(err) {
    const hass = this._hass;
    if (err?.translation_domain && err?.translation_key && hass?.loadBackendTranslation) {
      try {
        const localize = await hass.loadBackendTranslation("exceptions", err.translation_domain);
        const text = localize(
          `component.${err.translation_domain}.exceptions.${err.translation_key}.message`,
          err.translation_placeholders ?? {},
        );
        if (text) {
          return text;
        }
      } catch (_err) {
        // Fall back to the server's message below.
      }
    }
    return err?.message || this._t("failed");
  }

  _showMessage(text) {
    this._message = text;
    clearTimeout(this._messageTimer);
    if (text) {
      this._messageTimer = setTimeout(() => this._showMessage(null), MESSAGE_MS);
    }
    this._render();
  }
}

function setText(element, text) {
  if (element.textContent !== text) {
    element.textContent = text;
  }
}

function setHidden(element, hidden) {
  if (element.hidden !== hidden) {
    element.hidden = hidden;
  }
}

function setClass(element, name) {
  if (element.getAttribute("class") !== name) {
    element.setAttribute("class", name);
  }
}

function setAttr(element, name, value) {
  if (element.getAttribute(name) !== value) {
    element.setAttribute(name, value);
  }
}

if (!customElements.get(CARD)) {
  customElements.define(CARD, RetrowalkWorkoutCard);
}

window.customCards = window.customCards || [];
if (!window.customCards.some((card) => card.type === CARD)) {
  window.customCards.push({
    type: CARD,
    name: translate("en", "card_name"),
    description: translate("en", "card_description"),
    preview: true,
    documentationURL: "https://github.com/retrowalk/retrowalk#the-workout-card",
  });
}
