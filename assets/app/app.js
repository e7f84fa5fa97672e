// HyperFocus web app: what the server-rendered pages cannot do alone.
// Every page works without this file; it adds the ticking timers (and the
// tab title), the keyboard shortcuts, and live updates from the event
// stream. Links and forms go through htmx (hx-boost), so actions do not
// reload the page.
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

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    let target = null;
    if (/^[1-6]$/.test(event.key)) {
      target = document.querySelector('[data-key="' + event.key + '"]');
    } else if (event.key === "ArrowLeft") {
      target = document.querySelector('a[rel="prev"]');
    } else if (event.key === "ArrowRight") {
      target = document.querySelector('a[rel="next"]');
    }
    if (target && !target.disabled) {
      event.preventDefault();
      target.click();
    }
  });

  // Live: any change of this person's data, from any tab, device or the
  // API, refreshes the page's main part; not while they are typing in it.
  let pending = false;

  function refresh() {
    const main = document.getElementById("main");
    if (!main || !window.htmx) {
      return;
    }
    if (main.contains(document.activeElement) && typing(document.activeElement)) {
      pending = true;
      return;
    }
    pending = false;
    window.htmx.ajax("GET", window.location.href, { target: "#main", select: "#main", swap: "outerHTML" });
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

  document.addEventListener("htmx:afterSwap", () => { readOffset(); tick(); listen(); scrollToEnds(); });
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
