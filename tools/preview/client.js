// The preview's tab script (`make devserver` serves it; production pages
// never load it). It keeps a WebSocket to the server that served the page
// and does what the server says: "reload", "css" (swap the named
// stylesheets in without a reload), "errors" (show what failed over the
// page, or take the overlay away when the list is empty). The page's
// Content-Security-Policy allows no inline script or style: the overlay is
// plain elements with classes, styled by /__preview/overlay.css.
(() => {
  "use strict";

  const SOCKET = "/__preview/socket";
  const OVERLAY_STYLESHEET = "/__preview/overlay.css";
  const root = document.documentElement;
  let overlay = null;
  let retryAfter = 250;

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}${SOCKET}`);
    socket.addEventListener("open", () => {
      retryAfter = 250;
      socket.send(JSON.stringify({ type: "hello", path: location.pathname }));
    });
    socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      delete root.dataset.preview;
      // The server restarted or stopped: try again, less and less often.
      setTimeout(connect, retryAfter);
      retryAfter = Math.min(retryAfter * 2, 5000);
    });
  }

  function handle(message) {
    if (message.type === "ready") {
      root.dataset.preview = "connected";
    } else if (message.type === "reload") {
      location.reload();
    } else if (message.type === "css") {
      swapStylesheets(message.paths);
    } else if (message.type === "errors") {
      showErrors(message.errors);
    }
    document.dispatchEvent(new CustomEvent("preview:message", { detail: message }));
  }

  // Each stylesheet link to one of `paths` (relative to the site root) is
  // replaced by a copy with a fresh query; the old one goes once the new
  // one has loaded, so the page never shows unstyled.
  function swapStylesheets(paths) {
    const wanted = new Set(paths.map((path) => `/${path}`));
    const stamp = String(Date.now());
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin || !wanted.has(url.pathname)) continue;
      url.searchParams.set("preview", stamp);
      const fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", () => link.remove(), { once: true });
      fresh.addEventListener("error", () => fresh.remove(), { once: true });
      link.after(fresh);
    }
  }

  function overlayStylesheet() {
    if (document.querySelector(`link[href="${OVERLAY_STYLESHEET}"]`)) return;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = OVERLAY_STYLESHEET;
    document.head.append(link);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showErrors(errors) {
    if (overlay) {
      overlay.remove();
      overlay = null;
    }
    if (!errors.length) return;
    overlayStylesheet();
    overlay = element("section", "preview-overlay");
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("aria-labelledby", "preview-overlay-title");
    const title = element("h2", "preview-overlay__title", "The preview could not be updated");
    title.id = "preview-overlay-title";
    overlay.append(title);
    for (const error of errors) {
      const where = error.file ? (error.line ? `${error.file}, line ${error.line}` : error.file) : "";
      if (where) overlay.append(element("p", "preview-overlay__file", where));
      overlay.append(element("pre", "preview-overlay__message", error.message));
    }
    overlay.append(
      element(
        "p",
        "preview-overlay__note",
        "The page below is from the last good build. Fix the file and save: this message goes away.",
      ),
    );
    const close = element("button", "preview-overlay__close", "Hide");
    close.type = "button";
    close.addEventListener("click", () => {
      overlay.remove();
      overlay = null;
    });
    overlay.append(close);
    document.body.append(overlay);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect, { once: true });
  } else {
    connect();
  }
})();
