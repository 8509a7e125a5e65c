// The workout card's visual editor: picks the treadmill when several are set up.
// Loaded only when the card's settings are opened.

import { deviceOf, treadmills } from "./model.js";
import { cardLanguage, translate } from "./strings.js";

const EDITOR = "retrowalk-workout-card-editor";

const STYLE = `
  :host { display: block; }
  label { display: flex; flex-direction: column; gap: 6px; color: var(--primary-text-color);
    font-family: var(--ha-font-family-body, Roboto, sans-serif); }
  .label { color: var(--secondary-text-color); }
  select { font: inherit; min-height: 48px; padding: 0 12px; border-radius: 8px;
    color: var(--primary-text-color);
    background: var(--card-background-color, var(--ha-card-background, #fff));
    border: 1px solid var(--divider-color, rgba(127, 127, 127, 0.4)); }
  .hint { color: var(--secondary-text-color); font-size: 0.9em; }
`;

class RetrowalkWorkoutCardEditor extends HTMLElement {
  constructor() {
    super();
    this._config = {};
    this._hass = null;
    this._select = null;
  }

  setConfig(config) {
    this._config = { ...config };
    this._render();
  }

  set hass(hass) {
    const changed = !this._hass || this._hass.devices !== hass.devices || this._hass.entities !== hass.entities;
    this._hass = hass;
    if (changed) {
      this._render();
    }
  }

  _render() {
    if (!this._hass) {
      return;
    }
    const language = cardLanguage(this._hass);
    if (!this._select) {
      const root = this.attachShadow({ mode: "open" });
      root.innerHTML = `<style>${STYLE}</style>
        <label><span class="label"></span><select></select></label>
        <p class="hint"></p>`;
      this._select = root.querySelector("select");
      this._select.addEventListener("change", () => this._changed(this._select.value));
    }
    const root = this.shadowRoot;
    root.querySelector(".label").textContent = translate(language, "treadmill");
    const all = treadmills(this._hass);
    const chosen = this._config.device_id || deviceOf(this._hass, this._config.entity) || "";
    const options = all.map(({ id, name }) => new Option(name, id));
    if (!chosen && all.length !== 1) {
      options.unshift(new Option("–", ""));
    }
    if (chosen && !all.some((t) => t.id === chosen)) {
      options.unshift(new Option(translate(language, "missing_treadmill"), chosen));
    }
    this._select.replaceChildren(...options);
    this._select.value = chosen || (all.length === 1 ? all[0].id : "");
    root.querySelector(".hint").textContent = all.length ? "" : translate(language, "no_treadmill");
  }

  _changed(deviceId) {
    const config = { ...this._config };
    delete config.entity; // the device chosen here replaces a treadmill named by an entity
    if (deviceId) {
      config.device_id = deviceId;
    } else {
      delete config.device_id;
    }
    this._config = config;
    this.dispatchEvent(
      new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }),
    );
  }
}

if (!customElements.get(EDITOR)) {
  customElements.define(EDITOR, RetrowalkWorkoutCardEditor);
}
