// The search page: searches the site's Pagefind index for ?q= and lists the
// results (title, date, "Part N of M", an excerpt with the match marked).
//
// Markup it reads (the partial pagefind_search/results.html):
//   <div data-search data-search-bundle="<SITEURL>/pagefind/" data-search-page-size="5">
//     <form> <input name="q"> </form>
//     <p data-search-status role="status" tabindex="-1"></p>
//     <ol data-search-results></ol>
//     <p data-search-more-row hidden><button data-search-more></button></p>
// It dispatches `search:results` (detail: {query, total}) on the root.
//
// Pagefind's own script loads on the first search only, from the bundle the
// pagefind_search plugin writes, so the page costs nothing more until it is
// used. The index stays on this site: no request leaves it. Pagefind
// searches in its Web Worker (its default, kept): the WebAssembly is
// downloaded, unpacked and compiled off the page's main thread, and outside
// the page's CSP, which would need 'wasm-unsafe-eval' to compile it on the
// page.

const DEFAULT_PAGE_SIZE = 5;
const EXCERPT_WORDS = 18;

function loadPagefind(bundleUrl) {
  return import(new URL("pagefind.js", bundleUrl).href).then(async (pagefind) => {
    // Short excerpts: a result is a title, a date and a line or two.
    await pagefind.options({ excerptLength: EXCERPT_WORDS });
    return pagefind;
  });
}

// Pagefind's excerpt is text with <mark> around the matches: keep exactly
// that, as nodes, never as markup.
function excerptNodes(excerpt) {
  const parsed = new DOMParser().parseFromString(excerpt, "text/html");
  return [...parsed.body.childNodes].map((node) => {
    if (node.nodeName !== "MARK") return document.createTextNode(node.textContent);
    const mark = document.createElement("mark");
    mark.textContent = node.textContent;
    return mark;
  });
}

function resultItem(data) {
  const meta = data.meta || {};
  const item = document.createElement("li");
  item.className = "search-result";
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = meta.title || data.url;
  heading.append(link);
  item.append(heading);
  const facts = [];
  if (meta.date) {
    const time = document.createElement("time");
    time.dateTime = meta.date;
    time.textContent = meta.date_label || meta.date;
    facts.push(time);
  }
  if (meta.part) facts.push(document.createTextNode(meta.part));
  if (facts.length) {
    const line = document.createElement("p");
    line.className = "search-result-meta";
    facts.forEach((fact, index) => {
      if (index) {
        const sep = document.createElement("span");
        sep.className = "sep";
        sep.setAttribute("aria-hidden", "true");
        sep.textContent = " · ";
        line.append(sep);
      }
      line.append(fact);
    });
    item.append(line);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "search-result-excerpt";
  excerpt.append(...excerptNodes(data.excerpt || ""));
  item.append(excerpt);
  return item;
}

function enhance(root) {
  const form = root.querySelector("form");
  const input = form && form.querySelector('input[name="q"]');
  const status = root.querySelector("[data-search-status]");
  const list = root.querySelector("[data-search-results]");
  const moreRow = root.querySelector("[data-search-more-row]");
  if (!form || !input || !status || !list || !moreRow) return;
  const pageSize = Number(root.dataset.searchPageSize) || DEFAULT_PAGE_SIZE;
  const bundleUrl = new URL(root.dataset.searchBundle || "/pagefind/", document.baseURI);
  let pagefind = null;
  let pending = []; // results not shown yet
  let shown = 0;
  let latest = 0; // the newest search: an older one that ends later is dropped

  async function showMore(search) {
    const batch = pending.slice(0, pageSize);
    pending = pending.slice(pageSize);
    const data = await Promise.all(batch.map((result) => result.data()));
    if (search !== latest) return false;
    list.append(...data.map(resultItem));
    shown += data.length;
    moreRow.hidden = pending.length === 0;
    return true;
  }

  async function run(query, { focusStatus }) {
    const search = ++latest;
    list.replaceChildren();
    moreRow.hidden = true;
    pending = [];
    shown = 0;
    if (!query) {
      status.textContent = "";
      return;
    }
    status.textContent = `Searching for “${query}”…`;
    try {
      pagefind = pagefind || (await loadPagefind(bundleUrl));
      const found = await pagefind.search(query);
      if (search !== latest) return;
      pending = found.results;
      const total = pending.length;
      if (!(await showMore(search))) return;
      status.textContent = total
        ? `${total} ${total === 1 ? "result" : "results"} for “${query}”.`
        : `No results for “${query}”. Try another word, or browse the posts by date or by tag.`;
      root.dispatchEvent(
        new CustomEvent("search:results", { bubbles: true, detail: { query, total } }),
      );
    } catch {
      if (search !== latest) return;
      status.textContent = "Search is not available at the moment: browse the posts by date or by tag instead.";
    }
    // Arriving from another page's search form, move to the outcome, so a
    // screen reader reads it; searching again here, stay in the field (the
    // status is a live region and is announced there).
    if (focusStatus) status.focus();
  }

  function queryInAddress() {
    return (new URLSearchParams(location.search).get("q") || "").trim();
  }

  root.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    const address = new URL(location.href);
    address.searchParams.set("q", query);
    history.pushState(null, "", address);
    run(query, { focusStatus: false });
  });

  root.addEventListener("click", async (event) => {
    if (!event.target.closest("[data-search-more]")) return;
    const first = shown;
    if (await showMore(latest)) {
      // Continue where the new results start, not at the top of the page.
      list.children[first]?.querySelector("a")?.focus();
    }
  });

  window.addEventListener("popstate", () => {
    input.value = queryInAddress();
    run(input.value, { focusStatus: false });
  });

  input.value = queryInAddress();
  run(input.value, { focusStatus: Boolean(input.value) });
}

function init() {
  const root = document.querySelector("[data-search]");
  if (!root || root.dataset.searchReady) return;
  root.dataset.searchReady = "";
  enhance(root);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", init, { once: true });
} else {
  init();
}
