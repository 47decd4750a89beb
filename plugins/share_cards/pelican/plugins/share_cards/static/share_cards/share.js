// Share links, enhanced: copy the link, the phone's share sheet, and Mastodon
// on the reader's own server.
//
// The plain links (X, LinkedIn, Bluesky, e-mail) work without this script.
// It adds what needs one: a "Copy link" button, a "Share…" button where the
// browser has the Web Share API (phones), and a form that asks once for the
// reader's Mastodon server, remembers it in this browser only (localStorage)
// and opens https://<server>/share?text=<title and address>.
//
// Markup it reads (written by share_cards/links.html):
//   <section data-share data-share-title="…" data-share-url="…">
//     <form data-share-mastodon hidden> <input name="server"> … </form>
//     <p data-share-mastodon-manual>…</p>
//     <li hidden><button data-share-copy>…</button></li>
//     <li hidden><button data-share-native>…</button></li>
//     <p data-share-status role="status"></p>
// It dispatches `share:shared` (detail: {via, url}) on the section.

const SERVER_KEY = "share:mastodon-server";

// "mastodon.social", "https://mastodon.social/@me" or "@me@mastodon.social"
// -> "mastodon.social"; anything that is not a host name -> null.
export function mastodonServer(value) {
  let text = String(value).trim();
  const handle = text.match(/^@?[^@\s/]+@([^@\s/]+)$/);
  if (handle) text = handle[1];
  if (!/^https?:\/\//i.test(text)) text = "https://" + text;
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const host = url.hostname; // lower-cased, punycode for non-Latin names
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) && !url.port ? host : null;
}

export function mastodonShareUrl(server, text) {
  return `https://${server}/share?text=${encodeURIComponent(text)}`;
}

function rememberedServer() {
  try {
    return mastodonServer(localStorage.getItem(SERVER_KEY) || "");
  } catch {
    return null; // storage blocked: ask every time
  }
}

function remember(server) {
  try {
    localStorage.setItem(SERVER_KEY, server);
  } catch {
    // Storage full or blocked: the share still goes ahead.
  }
}

function enhance(root) {
  const title = root.dataset.shareTitle || document.title;
  const url = new URL(root.dataset.shareUrl || location.href, location.href).href;
  const status = root.querySelector("[data-share-status]");
  const say = (message) => {
    if (status) status.textContent = message;
  };
  const shared = (via) =>
    root.dispatchEvent(new CustomEvent("share:shared", { bubbles: true, detail: { via, url } }));

  const form = root.querySelector("[data-share-mastodon]");
  if (form) {
    const manual = root.querySelector("[data-share-mastodon-manual]");
    if (manual) manual.hidden = true;
    form.hidden = false;
    const server = rememberedServer();
    if (server) form.elements.server.value = server;
  }
  const copy = root.querySelector("[data-share-copy]");
  if (copy && navigator.clipboard) copy.closest("li").hidden = false;
  const native = root.querySelector("[data-share-native]");
  if (native && typeof navigator.share === "function") native.closest("li").hidden = false;

  root.addEventListener("input", (event) => {
    if (event.target.name === "server") event.target.setCustomValidity("");
  });

  root.addEventListener("submit", (event) => {
    if (!event.target.matches("[data-share-mastodon]")) return;
    event.preventDefault(); // the form goes nowhere itself (the CSP allows forms only to this site)
    const input = event.target.elements.server;
    const server = mastodonServer(input.value);
    if (!server) {
      input.setCustomValidity("Enter your server's address, such as mastodon.social.");
      input.reportValidity();
      return;
    }
    input.value = server;
    remember(server);
    shared("mastodon");
    location.assign(mastodonShareUrl(server, `${title} ${url}`));
  });

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.matches("[data-share-copy]")) {
      try {
        await navigator.clipboard.writeText(url);
        say("Link copied.");
        shared("copy");
      } catch {
        say(`Copying was not allowed: the address is ${url}`);
      }
    } else if (button.matches("[data-share-native]")) {
      try {
        await navigator.share({ title, url });
        shared("native");
      } catch {
        // The reader closed the share sheet: nothing to say.
      }
    }
  });
}

function init() {
  for (const root of document.querySelectorAll("[data-share]")) enhance(root);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init, { once: true });
} else {
  init();
}
