// "Already read" marks for series contents lists.
//
// Remembers, in this browser only (localStorage), which parts of a series the
// reader has opened, and marks them in every list with [data-series-progress].
// Without JavaScript or storage the lists stay as the server wrote them.
//
// Markup it reads (written by the theme):
//   <nav data-series-progress data-series-slug="a-series"
//        data-series-record="posts/this-part/">   (record: only on a published part)
//     <li data-series-part="posts/a-part/">…</li>
// It dispatches `series-progress:marked` (detail: {slug, read}) on each list.

const STORAGE_PREFIX = "series-progress:";
const LIST_SELECTOR = "[data-series-progress]";

function readParts(slug) {
  try {
    const parts = JSON.parse(localStorage.getItem(STORAGE_PREFIX + slug) || "[]");
    return Array.isArray(parts) ? parts.filter((part) => typeof part === "string") : [];
  } catch {
    return []; // storage blocked or the value was not ours: nothing remembered
  }
}

function recordPart(slug, part) {
  const parts = readParts(slug);
  if (parts.includes(part)) return;
  parts.push(part);
  try {
    localStorage.setItem(STORAGE_PREFIX + slug, JSON.stringify(parts));
  } catch {
    // Storage full or blocked: the marks are a nicety, carry on without them.
  }
}

function markList(list) {
  const { seriesSlug: slug, seriesRecord: current } = list.dataset;
  if (!slug) return;
  const read = new Set(readParts(slug));
  for (const item of list.querySelectorAll("[data-series-part]")) {
    const part = item.dataset.seriesPart;
    const link = item.querySelector("a");
    if (!link) continue;
    // The part being read is marked as current by the page, not as read.
    const isRead = read.has(part) && part !== current;
    let note = item.querySelector(".series-read-note");
    item.classList.toggle("series-read", isRead);
    if (isRead && !note) {
      note = document.createElement("span");
      note.className = "series-read-note";
      note.textContent = "already read";
      link.after(note);
    } else if (!isRead && note) {
      note.remove();
    }
  }
  list.dispatchEvent(
    new CustomEvent("series-progress:marked", {
      bubbles: true,
      detail: { slug, read: [...read] },
    }),
  );
}

function markAll() {
  document.querySelectorAll(LIST_SELECTOR).forEach(markList);
}

function init() {
  const lists = document.querySelectorAll(LIST_SELECTOR);
  if (lists.length === 0) return;
  for (const list of lists) {
    const { seriesSlug: slug, seriesRecord: part } = list.dataset;
    if (slug && part) recordPart(slug, part);
  }
  markAll();
  // A part opened in another tab: bring this page's marks up to date.
  window.addEventListener("storage", (event) => {
    if (event.key === null || event.key.startsWith(STORAGE_PREFIX)) markAll();
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init, { once: true });
} else {
  init();
}
