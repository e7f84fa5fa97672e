// HyperFocus web app: what the server-rendered pages cannot do alone.
// Every page works without this file; it adds the ticking timers (and the
// tab title), the keyboard shortcuts, focus on the next likely control
// after an action, and live updates from the event stream. Links and forms
// go through htmx (hx-boost), so actions do not reload the page.
"use strict";

(function () {
  // Seconds to add to the browser's clock to get the server's.
  let offset = 0;

  function readOffset() {
    const main = document.getElementById("main");
    const now = main && Number(main.dataset.now);
    if (now) {
      offset = now - Date.now() / 1000;
    }
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const pad = (n) => String(n).padStart(2, "0");
    return pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
  }

  function tick() {
    const now = Date.now() / 1000 + offset;
    let title = null;
    document.querySelectorAll("[data-since]").forEach((timer) => {
      const text = clock(now - Number(timer.dataset.since));
      timer.textContent = text;
      if (timer.dataset.title) {
        title = text + " · " + timer.dataset.title;
      }
    });
    const main = document.getElementById("main");
    const base = main && main.dataset.title;
    if (base) {
      document.title = title ? title + " · HyperFocus" : base;
    }
  }

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  // On a control, Space and Enter belong to that control.
  function onControl(target) {
    return target instanceof Element && target !== document.body &&
      target.closest("a[href], button, summary, input, select, textarea, [role=button]") !== null;
  }

  // Keys: 1–6 the interruption types, s Start, Space or Enter Back to
  // focus, e End (each button names its key in data-key); ← and → the
  // period or day before and after.
  function keyTarget(event) {
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (/^[1-6se]$/.test(key)) {
      return document.querySelector('#main [data-key="' + key + '"]');
    }
    if (key === " " || key === "Enter") {
      return onControl(event.target) ? null : document.querySelector('#main [data-key="space"]');
    }
    if (key === "ArrowLeft") {
      return document.querySelector('#main a[rel="prev"]');
    }
    if (key === "ArrowRight") {
      return document.querySelector('#main a[rel="next"]');
    }
    return null;
  }

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat || typing(event.target)) {
      return;
    }
    const target = keyTarget(event);
    if (target && !target.disabled) {
      event.preventDefault();
      target.click();
    }
  });

  // After an action, the focus goes where the page says the next likely
  // control is (data-focus: Start → the interruption keys, an
  // interruption → Back to focus), else to the message that says how it
  // went, which stays in view. (base.html sets htmx's settle delay to 0:
  // new content is live the moment it shows, so a key pressed right after
  // a swap never becomes a plain form post that reloads the page.)
  function focusNext() {
    const main = document.getElementById("main");
    const next = main && (main.querySelector("[data-focus]") || main.querySelector(":scope > .flash"));
    if (next) {
      next.focus();
    }
  }

  document.addEventListener("htmx:afterSettle", (event) => {
    const config = event.detail && event.detail.requestConfig;
    if (config && config.verb === "post") {
      focusNext();
    }
  });

  // Live: any change of this person's data, from any tab, device or the
  // API, refreshes the page's main part; not while they are typing in it.
  // A refresh keeps what this tab is showing the person: the message of
  // its last action (until their next action), panels left open, a form
  // being edited or sent back with problems, and the focus.
  let pending = false;
  // The person's own requests: one under way holds refreshes back (what
  // the server says before it is done is already old), and a refresh
  // that one starts or ends during is dropped.
  let actions = 0;
  let underWay = 0;
  document.addEventListener("htmx:beforeRequest", () => { actions += 1; underWay += 1; });
  document.addEventListener("htmx:afterRequest", () => {
    actions += 1;
    underWay = Math.max(0, underWay - 1);
  });

  function edited(form) {
    return Array.from(form.elements).some((field) => {
      if (field instanceof HTMLInputElement && ["checkbox", "radio"].includes(field.type)) {
        return field.checked !== field.defaultChecked;
      }
      if (field instanceof HTMLSelectElement) {
        return Array.from(field.options).some((option) => option.selected !== option.defaultSelected);
      }
      return (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) &&
        field.type !== "hidden" && field.value !== field.defaultValue;
    });
  }

  function twin(fresh, element) {
    return element.id ? fresh.querySelector("#" + CSS.escape(element.id)) : null;
  }

  function keep(current, fresh) {
    const message = current.querySelector(":scope > .flash, :scope > .error-summary");
    if (message && !fresh.querySelector(":scope > .flash, :scope > .error-summary")) {
      // Where it was: first, or after the page's heading.
      const heading = message.previousElementSibling && message.previousElementSibling.tagName === "H1" &&
        fresh.querySelector(":scope > h1");
      if (heading) {
        heading.after(message);
      } else {
        fresh.prepend(message);
      }
    }
    current.querySelectorAll("details[open]").forEach((panel) => {
      const same = twin(fresh, panel);
      if (same) {
        same.open = true;
      }
    });
    current.querySelectorAll("form[id]").forEach((form) => {
      const same = twin(fresh, form);
      if (same && (edited(form) || form.querySelector('[aria-invalid="true"]'))) {
        same.replaceWith(form);
      }
    });
  }

  async function refresh() {
    const main = document.getElementById("main");
    if (!main || !window.htmx) {
      return;
    }
    if (main.contains(document.activeElement) && typing(document.activeElement)) {
      pending = true;
      return;
    }
    pending = false;
    if (underWay > 0) {
      soon();
      return;
    }
    const asOf = actions;
    let html;
    try {
      const response = await fetch(window.location.href, { headers: { "HF-Live": "1" } });
      if (!response.ok || response.redirected) {
        return;
      }
      html = await response.text();
    } catch {
      return;
    }
    const current = document.getElementById("main");
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("main");
    if (asOf !== actions || !current || !fresh) {
      return;
    }
    const focused = current.contains(document.activeElement) ? document.activeElement.id : "";
    keep(current, fresh);
    current.replaceWith(fresh);
    window.htmx.process(fresh);
    swapped();
    const again = focused && document.getElementById(focused);
    if (again) {
      again.focus({ preventScroll: true });
    }
  }

  let debounce = null;
  function soon() {
    clearTimeout(debounce);
    debounce = setTimeout(refresh, 250);
  }

  document.addEventListener("focusout", () => {
    if (pending) {
      setTimeout(soon, 0);
    }
  });

  // One stream while a signed-in page is shown (it says where, in
  // data-live), none otherwise; pages come and go through htmx swaps.
  let stream = null;

  function listen() {
    const main = document.getElementById("main");
    const url = main && main.dataset.live;
    if (stream && !url) {
      stream.close();
      stream = null;
    }
    if (stream || !url || !window.EventSource) {
      return;
    }
    const names = ["session.started", "session.ended", "session.updated", "session.deleted",
      "interruption.created", "interruption.ended", "interruption.updated", "interruption.deleted", "resync"];
    stream = new EventSource(url);
    names.forEach((name) => stream.addEventListener(name, soon));
    let dropped = false;
    stream.addEventListener("error", () => { dropped = true; });
    stream.addEventListener("open", () => {
      if (dropped) {
        dropped = false;
        soon();
      }
    });
  }

  // A year of days scrolled sideways on a phone starts at the latest day.
  function scrollToEnds() {
    document.querySelectorAll("[data-scroll-end]").forEach((box) => { box.scrollLeft = box.scrollWidth; });
  }

  function swapped() {
    readOffset();
    tick();
    listen();
    scrollToEnds();
  }

  document.addEventListener("htmx:afterSwap", swapped);
  // htmx sets the title from the new page once the swap settles.
  document.addEventListener("htmx:afterSettle", tick);
  readOffset();
  tick();
  setInterval(tick, 1000);
  listen();
  scrollToEnds();
})();

// Settings, sign-in and registration: what a form's answer needs beyond
// the HTML. The chosen theme applies at once (htmx swaps the page's body,
// while the theme lives on <html>); a result shown once is brought to the
// middle of the screen; Copy puts a secret on the clipboard (or, where the
// browser refuses, selects it for the person to copy); a link of an error
// summary moves the focus into its field; the registration form starts in
// the browser's own time zone.
(function () {
  function syncTheme() {
    const main = document.getElementById("main");
    const theme = main && main.dataset.theme;
    if (theme === "light" || theme === "dark") {
      document.documentElement.dataset.theme = theme;
    } else if (theme) {
      delete document.documentElement.dataset.theme;
    }
  }

  function reveal() {
    const shown = document.querySelector("[data-reveal]");
    if (!shown) {
      return;
    }
    if (document.activeElement !== shown) {
      shown.focus({ preventScroll: true });
    }
    shown.scrollIntoView({ block: "center" });
  }

  function select(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  async function copy(button) {
    const source = document.getElementById(button.dataset.copy);
    const status = button.parentElement.querySelector(".copy-status");
    if (!source) {
      return;
    }
    const text = source.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = "Copied.";
    } catch (_) {
      select(source);
      status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
    }
  }

  function showCopyButtons() {
    document.querySelectorAll("button[data-copy]").forEach((button) => { button.hidden = false; });
  }

  // The field carries the server's default in data-browser-zone while
  // nobody has chosen: the browser's zone replaces it.
  function browserZone() {
    const field = document.querySelector("input[data-browser-zone]");
    if (!field || field.value !== field.dataset.browserZone || !window.Intl) {
      return;
    }
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) {
      field.value = zone;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("button[data-copy]");
    if (button) {
      copy(button);
      return;
    }
    const link = event.target instanceof Element && event.target.closest(".error-summary a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
    }
  });

  function settle() {
    syncTheme();
    showCopyButtons();
    browserZone();
    reveal();
  }

  // The theme as soon as the new page is in, before it settles.
  document.addEventListener("htmx:afterSwap", syncTheme);
  document.addEventListener("htmx:afterSettle", settle);
  settle();
})();
