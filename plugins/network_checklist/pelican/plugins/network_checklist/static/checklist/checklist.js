// Network checklist widget: enhances each <form class="checklist"> that the
// network_checklist plugin renders. Answers stay in this browser's
// localStorage under "checklist:<checklist id>" as
// {"version": 3, "items": {"<item id>": {"done", "count", "closeness",
// "step", "due"}}, "changed": {"<item id>": {"<part>": <ms since 1970>}},
// "snapshots": [{"saved": "<ISO time>", "items": {...}}], "snapshotsChanged": <ms>}.
// Each part, and the list of saved audits, has the time it last changed, so
// that tabs merge their copies part by part, the newer winning (README.md).
// Versions 1 and 2 have no times: each part gets the time it is read.
// Nothing is ever sent anywhere. Answers for items the author removed, and
// parts this version does not know, stay in storage in case they are needed.
// Each form fires "checklist:change" (detail: id, reviewed, total, people).

const VERSION = 3;
const FORMAT = 'checklist-answers';
const NOT_SAVED = 'This browser is not letting the page save: your answers will last only until you leave it.';
const NEWER = 'Your answers were saved by a newer version of this page: reload it to see them. Changes made now will not be saved.';
const SVG = 'http://www.w3.org/2000/svg';
const ID = /^[a-z0-9][a-z0-9-]*$/;
const FIELDS = ['count', 'closeness', 'step', 'due'];

// What each known part of an answer must be. Parts with other names are kept.
// Any well-formed closeness is kept, even one this page does not offer (yet).
const PARTS = {
  done: (value) => typeof value === 'boolean',
  count: (value) => Number.isInteger(value) && value >= 0,
  closeness: (value) => typeof value === 'string' && ID.test(value),
  step: (value) => typeof value === 'string',
  due: (value) => /^\d{4}-\d\d-\d\d$/.test(value) && !isNaN(Date.parse(value)),
};

const isObject = (value) => value && typeof value === 'object' && !Array.isArray(value);
const isTime = (value) => Number.isSafeInteger(value) && value >= 0;
const known = (part, value) => !Object.hasOwn(PARTS, part) || PARTS[part](value);
const text = (value) => JSON.stringify(value) ?? '';

// The entries of `items` (item id: {part: value}) whose parts pass `valid`;
// `strict` refuses any flaw at all.
function cleanItems(items, strict, valid = known) {
  const answers = {};
  for (const [id, value] of Object.entries(items)) {
    // Item ids are what the plugin writes; anything else ("__proto__") is foreign.
    const answer = ID.test(id) && isObject(value) ? { ...value } : null;
    for (const part in answer) if (part === '__proto__' || !valid(part, answer[part])) delete answer[part];
    if (strict && (!answer || Object.keys(answer).length !== Object.keys(value).length)) {
      throw new Error('bad answer for ' + id);
    }
    if (answer) answers[id] = answer;
  }
  return answers;
}

// Stored or imported data as this version keeps it. Every older version is
// read; a newer one throws "newer", so that nothing overwrites what it wrote.
function clean(data, strict) {
  if (data && data.version > VERSION) throw new Error('newer');
  const snapshots = data && (data.snapshots ?? []);
  if (!data || !Number.isInteger(data.version) || !isObject(data.items) || !Array.isArray(snapshots)) {
    throw new Error('not a checklist');
  }
  const good = (snapshot) =>
    isObject(snapshot) && typeof snapshot.saved === 'string' && !isNaN(Date.parse(snapshot.saved)) && isObject(snapshot.items);
  if (strict && !snapshots.every(good)) throw new Error('bad snapshot');
  const items = cleanItems(data.items, strict);
  // An older record has no times: each part gets the record's, as read now.
  const now = Date.now();
  const old = data.version < 3;
  const times = (entries, time) => Object.fromEntries(Object.keys(entries).map((name) => [name, time(name)]));
  return {
    ...data,
    version: VERSION,
    items,
    changed: old
      ? times(items, (id) => times(items[id], () => now))
      : cleanItems(isObject(data.changed) ? data.changed : {}, strict, (part, time) => isTime(time)),
    snapshots: snapshots.filter(good).map((snapshot) => ({ ...snapshot, items: cleanItems(snapshot.items, strict) })),
    snapshotsChanged: old ? now : isTime(data.snapshotsChanged) ? data.snapshotsChanged : 0,
  };
}

const blank = () => ({ version: VERSION, items: {}, changed: {}, snapshots: [], snapshotsChanged: 0 });

// Of two [value, time] pairs, the newer; on a tie the same one whichever tab
// asks, so that every tab ends with the same answers.
const newer = (a, b) => ((a[1] - b[1] || (text(a[0]) < text(b[0]) ? -1 : 1)) > 0 ? a : b);

// Two copies of the answers as one: for each part of each answer, and for the
// saved audits, the newer wins. Also says which copy had something newer.
function merge(mine, theirs) {
  const gave = { mine: false, theirs: false };
  const pick = (a, b) => {
    const pair = newer(a, b);
    if (text(a) !== text(b)) gave[pair === a ? 'mine' : 'theirs'] = true;
    return pair;
  };
  const copies = [mine, theirs];
  const items = {};
  const changed = {};
  for (const id of new Set(copies.flatMap((copy) => [...Object.keys(copy.items), ...Object.keys(copy.changed)]))) {
    const sides = copies.map((copy) => [copy.items[id] || {}, copy.changed[id] || {}]);
    for (const part of new Set(sides.flatMap((side) => side.flatMap(Object.keys)))) {
      const [value, time] = pick(...sides.map(([answer, times]) => [answer[part], times[part] || 0]));
      if (value !== undefined) (items[id] ||= {})[part] = value;
      if (time) (changed[id] ||= {})[part] = time;
    }
  }
  const [snapshots, snapshotsChanged] = pick(...copies.map((copy) => [copy.snapshots, copy.snapshotsChanged]));
  return [{ ...mine, ...theirs, items, changed, snapshots, snapshotsChanged }, gave];
}

// Offers `text` as a file download; a blob link needs no request.
function download(name, type, text) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function plural(count, words) {
  const [one, many] = words.split('|');
  return count + ' ' + (count === 1 ? one : many);
}

const signed = (count, words) => (count < 0 ? '−' : '+') + plural(Math.abs(count), words);

// "2 December", or with `year` "2 December 2026": the site writes British English.
const day = (time, year) =>
  new Date(time).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: year ? 'numeric' : undefined });

// iCalendar text (RFC 5545): backslash, semicolon, comma and newlines escaped.
const icsText = (text) => text.replace(/[\\;,]/g, '\\$&').replace(/\r?\n|\r/g, '\\n');

// Folds a content line at 75 octets of UTF-8, never inside a character.
function fold(line) {
  const encoder = new TextEncoder();
  let folded = '';
  let octets = 0;
  for (const character of line) {
    const size = encoder.encode(character).length;
    if (octets + size > 75) {
      folded += '\r\n ';
      octets = 1;
    }
    folded += character;
    octets += size;
  }
  return folded;
}

// `text` in lines of at most `size` characters, broken between words.
function wrap(text, size) {
  const lines = [''];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last && last.length + word.length >= size) lines.push(word);
    else lines[lines.length - 1] = last ? last + ' ' + word : word;
  }
  return lines;
}

function enhance(root) {
  const id = root.dataset.checklist;
  const key = 'checklist:' + id;
  const rows = [...root.querySelectorAll('[data-item]')];
  const levels = [...root.querySelectorAll('[data-tally]')];
  const levelValues = [...new Set(levels.map((option) => option.value))];
  const words = Object.fromEntries(levels.map((option) => [option.value, option.dataset.tally]));
  words[''] = 'not rated|not rated';
  // Closest first, as the tally, chart and table give them; '' is not rated.
  const order = [...levelValues].reverse().concat('');
  const find = (selector) => root.querySelector(selector);
  const message = find('.checklist-message');
  const chart = find('svg');
  const history = find('.checklist-history');
  let data;
  let newer = false;

  const field = (row, suffix) => row.querySelector(`[name="${row.dataset.item}-${suffix}"]`);
  const name = (row) => row.querySelector('.checklist-tick').textContent.trim();
  const level = (answer) => (levelValues.includes(answer.closeness) ? answer.closeness : '');

  function say(text) {
    message.textContent = text;
  }

  // Reads the stored answers into this tab's, part by part, and writes back
  // what only this tab has: a change another tab's write raced past, or
  // answers stored in an older format (upgraded in place, answers and all).
  function load() {
    try {
      const stored = JSON.parse(localStorage.getItem(key));
      const [merged, gave] = merge(data || blank(), clean(stored, false));
      data = merged;
      newer = false;
      if (gave.mine || stored.version < VERSION) save();
    } catch (error) {
      // Unreadable, broken, removed or unavailable storage: start clean.
      // Newer answers are left alone: this version must not write over them.
      data = blank();
      newer = error.message === 'newer';
      if (newer) say(NEWER);
    }
  }

  // Writes the answers, merged first with what is stored now: another tab
  // may have written since this one last read.
  function save() {
    let stored = null;
    try {
      stored = clean(JSON.parse(localStorage.getItem(key)), false);
    } catch (error) {
      // Nothing stored, or nothing readable: this copy replaces it.
      if (error.message === 'newer') {
        newer = true;
        say(NEWER);
      }
    }
    if (newer) return false;
    if (stored) {
      const [merged, gave] = merge(data, stored);
      data = merged;
      if (gave.theirs) show();
    }
    try {
      if (Object.keys({ ...data.items, ...data.changed }).length || data.snapshots.length) {
        // JSON leaves out an undefined value: no empty list of snapshots.
        const snapshots = data.snapshots[0] && data.snapshots;
        localStorage.setItem(key, JSON.stringify({ ...data, snapshots, snapshotsChanged: data.snapshotsChanged || undefined }));
      } else {
        localStorage.removeItem(key);
      }
      return true;
    } catch {
      say(NOT_SAVED);
      return false;
    }
  }

  // Shows the answers in the form.
  function show() {
    for (const row of rows) {
      const answer = data.items[row.dataset.item] || {};
      field(row, 'done').checked = Boolean(answer.done);
      for (const part of FIELDS) {
        const input = field(row, part);
        if (input) input.value = answer[part] ?? '';
      }
    }
    summarise();
  }

  // Sets an item's answer; each part that changes gets the time, later than
  // its last, so that an edit always beats the answer it replaces.
  function answer(item, next) {
    const before = data.items[item] || {};
    for (const part of new Set([...Object.keys(before), ...Object.keys(next)])) {
      if (text(before[part]) === text(next[part])) continue;
      (data.changed[item] ||= {})[part] = Math.max(Date.now(), (data.changed[item][part] || 0) + 1);
    }
    if (Object.keys(next).length) data.items[item] = next;
    else delete data.items[item];
  }

  function snapshotsChanged() {
    data.snapshotsChanged = Math.max(Date.now(), data.snapshotsChanged + 1);
  }

  // Reads one row's fields into the answers, keeping parts the form lacks
  // (a count when the author has turned counts off, say).
  function read(row) {
    const next = { ...data.items[row.dataset.item], done: field(row, 'done').checked };
    for (const part of FIELDS) {
      const input = field(row, part);
      if (!input) continue;
      const value = part === 'count' ? Number(input.value) : input.value.trim();
      if (input.value.trim() && PARTS[part](value)) next[part] = value;
      else delete next[part];
    }
    answer(row.dataset.item, next);
  }

  // People in the networks shown: in all, and by closeness.
  function totals(items) {
    const sums = { '': 0 };
    let people = 0;
    for (const row of rows) {
      const answer = items[row.dataset.item] || {};
      sums[level(answer)] = (sums[level(answer)] || 0) + (answer.count || 0);
      people += answer.count || 0;
    }
    return [people, sums];
  }

  // The progress line, tally and growth as text; updates the bar, the live
  // region, the chart and the saved audits.
  function summarise() {
    const shown = rows.map((row) => data.items[row.dataset.item] || {});
    const reviewed = shown.filter((answer) => answer.done).length;
    let text = `${reviewed} of ${rows.length} ${root.dataset.items} reviewed.`;
    const [people, sums] = totals(data.items);
    if (find('input[type="number"]')) {
      const parts = order.filter((value) => value && sums[value]).map((value) => plural(sums[value], words[value]));
      if (parts.length && sums['']) parts.push(plural(sums[''], words['']));
      const tally = plural(people, 'person|people') + (parts.length ? ': ' + parts.join(', ') : '');
      text += ` ${tally}.`;
      const last = data.snapshots.at(-1);
      if (last) {
        const [before, was] = totals(last.items);
        const changes = levelValues.length ? order.filter((value) => (sums[value] || 0) !== (was[value] || 0)) : [];
        const changed = changes.map((value) => signed((sums[value] || 0) - (was[value] || 0), words[value]));
        text +=
          people === before && !changed.length
            ? ` No change since ${day(last.saved)}.`
            : ` ${signed(people - before, 'person|people')} since ${day(last.saved)}` +
              (changed.length ? ': ' + changed.join(', ') : '') +
              '.';
      }
      if (chart) draw(people, sums, tally);
    }
    if (history) list();
    root.querySelector('.checklist-bar').value = reviewed;
    root.querySelector('.checklist-progress').textContent = text;
    root.dispatchEvent(
      new CustomEvent('checklist:change', { bubbles: true, detail: { id, reviewed, total: rows.length, people } }),
    );
    return text;
  }

  // The chart: a bar per network and one for all of them, on one scale,
  // coloured by closeness; the same figures in the table.
  function draw(people, sums, tally) {
    const picture = chart.parentNode;
    find('.checklist-empty').hidden = people > 0;
    picture.hidden = !people;
    if (!people) return;
    const width = Math.max(picture.clientWidth, 240);
    let top;
    let most = 0;
    const bars = rows.map((row) => {
      const answer = data.items[row.dataset.item] || {};
      if (answer.count > most) [top, most] = [name(row), answer.count];
      return [name(row), { [level(answer)]: answer.count || 0 }];
    });
    bars.push(['All ' + root.dataset.items, sums]);
    const body = picture.querySelector('tbody');
    body.replaceChildren();
    chart.replaceChildren();
    const add = (tag, attributes, text) => {
      const node = chart.appendChild(document.createElementNS(SVG, tag));
      for (const name in attributes) node.setAttribute(name, attributes[name]);
      node.textContent = text ?? '';
    };
    let y = 0;
    for (const [label, counts] of bars) {
      const count = order.reduce((sum, value) => sum + (counts[value] || 0), 0);
      for (const line of wrap(`${label}: ${count}`, width / 8)) add('text', { x: 1, y: (y += 18) - 4 }, line);
      let x = 1;
      for (const value of order) {
        const size = ((counts[value] || 0) / people) * (width - 2);
        if (!size) continue;
        add('rect', { x, y, width: size, height: 16, class: 'checklist-level-' + (value || 'none') });
        x += size;
      }
      y += 26;
      const row = body.insertRow();
      row.append(Object.assign(document.createElement('th'), { scope: 'row', textContent: label }));
      for (const cell of levelValues.length ? [...order.map((value) => counts[value] || 0), count] : [count]) {
        row.insertCell().textContent = cell;
      }
    }
    chart.setAttribute('viewBox', `0 0 ${width} ${y}`);
    chart.setAttribute('aria-label', `Chart of your ${root.dataset.items}: ${tally}. The most: ${top}, ${most}.`);
  }

  // The saved audits, newest first, each with its total and a delete button.
  function list() {
    history.parentNode.hidden = !data.snapshots.length;
    history.replaceChildren(
      ...data.snapshots
        .map((snapshot, index) => {
          const item = document.createElement('li');
          const button = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Delete' });
          button.dataset.action = 'forget';
          button.dataset.index = index;
          button.setAttribute('aria-label', 'Delete the audit of ' + day(snapshot.saved, true));
          item.append(`${day(snapshot.saved, true)}: ${plural(totals(snapshot.items)[0], 'person|people')} `, button);
          return item;
        })
        .reverse(),
    );
  }

  // An iCalendar file with an all-day event per network that has a
  // follow-up date. A UID per network keeps each event the same event
  // however often the file is downloaded and imported.
  function reminders() {
    const dated = rows.filter((row) => (data.items[row.dataset.item] || {}).due);
    if (!dated.length) return say('Give a network a follow-up date first: each date becomes a reminder.');
    const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
    const page = location.origin + location.pathname + '#' + root.id;
    const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Who You Know//Network checklist//EN', 'CALSCALE:GREGORIAN'];
    for (const row of dated) {
      const answer = data.items[row.dataset.item];
      lines.push(
        'BEGIN:VEVENT',
        `UID:${row.dataset.item}.${id}@${location.hostname || 'localhost'}`,
        'DTSTAMP:' + stamp,
        'DTSTART;VALUE=DATE:' + answer.due.replace(/-/g, ''),
        'SUMMARY:' + icsText(answer.step ? `${name(row)}: ${answer.step}` : `Follow up: ${name(row)}`),
        'URL:' + page,
        'END:VEVENT',
      );
    }
    lines.push('END:VCALENDAR');
    download(id + '-reminders.ics', 'text/calendar', lines.map(fold).join('\r\n') + '\r\n');
    say(`Reminders downloaded for ${plural(dated.length, 'network|networks')}: open the file with your calendar.`);
  }

  function exportText() {
    const lines = [`# ${find('legend').textContent}`, '', summarise(), ''];
    for (const row of rows) {
      const answer = data.items[row.dataset.item] || {};
      const notes = [];
      const closeness = field(row, 'closeness');
      if (field(row, 'count') && answer.count !== undefined) notes.push(plural(answer.count, 'person|people'));
      if (closeness && closeness.value) notes.push(closeness.selectedOptions[0].textContent.toLowerCase());
      if (field(row, 'step') && answer.step) notes.push('next: ' + answer.step);
      if (field(row, 'due') && answer.due) notes.push('follow up on ' + answer.due);
      lines.push(`- [${answer.done ? 'x' : ' '}] ${name(row)}${notes.length ? ': ' + notes.join(', ') : ''}`);
    }
    return lines.join('\n') + '\n';
  }

  function importFile(input) {
    const file = input.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      input.value = '';
      let imported;
      try {
        imported = JSON.parse(reader.result);
        if (imported.format !== FORMAT || imported.checklist !== id) throw new Error('another checklist');
        imported = clean(imported, true);
      } catch (error) {
        say(
          error.message === 'newer'
            ? `${file.name} comes from a newer version of this page: reload it, then import again. Nothing was changed.`
            : `${file.name} is not an export of this checklist; nothing was changed.`,
        );
        return;
      }
      // Every answer is the file's now. A version 1 file holds no saved
      // audits: the ones here stay.
      for (const item of new Set([...Object.keys(data.items), ...Object.keys(imported.items)])) {
        answer(item, imported.items[item] || {});
      }
      if (imported.snapshots.length) {
        data.snapshots = imported.snapshots;
        snapshotsChanged();
      }
      show();
      if (save()) say(`Answers imported from ${file.name}.`);
    };
    reader.onerror = () => say(`${file.name} could not be read; nothing was changed.`);
    reader.readAsText(file);
  }

  const actions = {
    snapshot: () => {
      const saved = new Date().toISOString();
      data.snapshots.push({ saved, items: structuredClone(data.items) });
      snapshotsChanged();
      summarise();
      if (save()) say(`Audit saved on ${day(saved, true)}. Audit again later to see how your network grows.`);
    },
    forget: (button) => {
      const [snapshot] = data.snapshots.splice(button.dataset.index, 1);
      snapshotsChanged();
      summarise();
      find('[data-action="snapshot"]').focus(); // the button itself is gone
      if (save()) say(`The audit of ${day(snapshot.saved, true)} is deleted.`);
    },
    reminders,
    // The answers without their times, which only this browser's tabs need.
    'export-json': () => {
      const { changed, snapshotsChanged, ...answers } = data;
      download(id + '.json', 'application/json', JSON.stringify({ format: FORMAT, ...answers, checklist: id }, null, 2));
    },
    'export-text': () => download(id + '.md', 'text/markdown', exportText()),
    print: () => window.print(),
    reset: () => {
      if (!window.confirm('Clear every answer in this checklist? Saved audits are kept. This cannot be undone.')) return;
      for (const item of Object.keys(data.items)) answer(item, {});
      show();
      if (save()) say('All answers cleared.');
    },
  };

  function onChange(event) {
    const target = event.target;
    if (target.type === 'file') {
      if (event.type === 'change') importFile(target);
      return;
    }
    const row = target.closest('[data-item]');
    if (!row) return;
    read(row);
    summarise();
    save();
  }

  root.addEventListener('input', onChange);
  root.addEventListener('change', onChange);
  root.addEventListener('submit', (event) => event.preventDefault());
  root.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (button) actions[button.dataset.action](button);
  });
  // Another tab changed the answers: merge them in and show them here too.
  window.addEventListener('storage', (event) => {
    if (event.key !== key && event.key !== null) return;
    load();
    show();
  });

  // Shown first: the chart is drawn to the width it is shown at.
  find('.checklist-tools').hidden = false;
  load();
  show();
  // Try a write now, so the reader knows before typing anything.
  try {
    localStorage.setItem(key + ':test', '1');
    localStorage.removeItem(key + ':test');
  } catch {
    say(NOT_SAVED);
  }
}

function init() {
  for (const root of document.querySelectorAll('form.checklist[data-checklist]')) {
    if (root.dataset.enhanced) continue;
    root.dataset.enhanced = 'true';
    enhance(root);
  }
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', init, { once: true });
} else {
  init();
}
