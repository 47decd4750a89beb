// Network checklist widget: enhances each <form class="checklist"> that the
// network_checklist plugin renders. Answers stay in this browser's
// localStorage under "checklist:<checklist id>" as
// {"version": 1, "items": {"<item id>": {"done", "count", "closeness"}}};
// nothing is ever sent anywhere. Answers for items the author removed stay
// in storage, unshown, in case the item comes back.
// Each form fires "checklist:change" (detail: id, reviewed, total, people).

const VERSION = 1;
const FORMAT = 'checklist-answers';
const NOT_SAVED = 'This browser is not letting the page save: your answers will last only until you leave it.';

const ID = /^[a-z0-9][a-z0-9-]*$/;

// Keeps the valid parts of one stored answer; null if it is not an object.
// Any well-formed closeness is kept, even one this page does not offer (yet).
function cleanAnswer(value) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const answer = {};
  if (typeof value.done === 'boolean') answer.done = value.done;
  if (Number.isInteger(value.count) && value.count >= 0) answer.count = value.count;
  if (typeof value.closeness === 'string' && ID.test(value.closeness)) answer.closeness = value.closeness;
  return answer;
}

// The answers in `data` that can be kept; `strict` refuses any flaw at all.
function cleanAnswers(data, strict) {
  if (!data || data.version !== VERSION || !data.items || typeof data.items !== 'object') {
    if (strict) throw new Error('not a checklist file');
    return {};
  }
  const answers = {};
  for (const [id, value] of Object.entries(data.items)) {
    // Item ids are what the plugin writes; anything else ("__proto__") is foreign.
    const answer = ID.test(id) ? cleanAnswer(value) : null;
    if (strict && (!answer || Object.keys(answer).length !== Object.keys(value).length)) {
      throw new Error('bad answer for ' + id);
    }
    if (answer) answers[id] = answer;
  }
  return answers;
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

function enhance(root) {
  const id = root.dataset.checklist;
  const key = 'checklist:' + id;
  const rows = [...root.querySelectorAll('[data-item]')];
  const levels = [...root.querySelectorAll('[data-tally]')];
  const levelValues = [...new Set(levels.map((option) => option.value))];
  const tallyWords = Object.fromEntries(levels.map((option) => [option.value, option.dataset.tally]));
  const message = root.querySelector('.checklist-message');
  let answers = {};

  const field = (row, suffix) => row.querySelector(`[name="${row.dataset.item}-${suffix}"]`);

  function say(text) {
    message.textContent = text;
  }

  function load() {
    try {
      answers = cleanAnswers(JSON.parse(localStorage.getItem(key)), false);
    } catch {
      answers = {}; // unreadable or unavailable storage: start clean
    }
  }

  function save() {
    try {
      if (Object.keys(answers).length) {
        localStorage.setItem(key, JSON.stringify({ version: VERSION, items: answers }));
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
      const answer = answers[row.dataset.item] || {};
      field(row, 'done').checked = Boolean(answer.done);
      const count = field(row, 'count');
      if (count) count.value = answer.count ?? '';
      const closeness = field(row, 'closeness');
      if (closeness) closeness.value = answer.closeness || '';
    }
    summarise();
  }

  // Reads one row's fields into `answers`, keeping parts the form lacks
  // (a count when the author has turned counts off, say).
  function read(row) {
    const answer = { ...answers[row.dataset.item], done: field(row, 'done').checked };
    const count = field(row, 'count');
    if (count) {
      const number = Number(count.value);
      if (count.value !== '' && Number.isInteger(number) && number >= 0) answer.count = number;
      else delete answer.count;
    }
    const closeness = field(row, 'closeness');
    if (closeness) {
      if (closeness.value) answer.closeness = closeness.value;
      else delete answer.closeness;
    }
    answers[row.dataset.item] = answer;
  }

  // The progress line and tally as text; updates the bar and the live region.
  function summarise() {
    const shown = rows.map((row) => answers[row.dataset.item] || {});
    const reviewed = shown.filter((answer) => answer.done).length;
    let text = `${reviewed} of ${rows.length} ${root.dataset.items} reviewed.`;
    let people = 0;
    const byLevel = {};
    for (const answer of shown) {
      people += answer.count || 0;
      const level = levelValues.includes(answer.closeness) ? answer.closeness : '';
      byLevel[level] = (byLevel[level] || 0) + (answer.count || 0);
    }
    if (root.querySelector('input[type="number"]')) {
      const parts = levelValues
        .filter((value) => byLevel[value])
        .reverse()
        .map((value) => plural(byLevel[value], tallyWords[value]));
      if (parts.length && byLevel['']) parts.push(byLevel[''] + ' not rated');
      text += ` ${plural(people, 'person|people')}${parts.length ? ': ' + parts.join(', ') : ''}.`;
    }
    root.querySelector('.checklist-bar').value = reviewed;
    root.querySelector('.checklist-progress').textContent = text;
    root.dispatchEvent(
      new CustomEvent('checklist:change', { bubbles: true, detail: { id, reviewed, total: rows.length, people } }),
    );
    return text;
  }

  function exportText() {
    const lines = [`# ${root.querySelector('legend').textContent}`, '', summarise(), ''];
    for (const row of rows) {
      const answer = answers[row.dataset.item] || {};
      const notes = [];
      const closeness = field(row, 'closeness');
      if (field(row, 'count') && answer.count !== undefined) notes.push(plural(answer.count, 'person|people'));
      if (closeness && closeness.value) notes.push(closeness.selectedOptions[0].textContent.toLowerCase());
      const text = row.querySelector('.checklist-tick').textContent.trim();
      lines.push(`- [${answer.done ? 'x' : ' '}] ${text}${notes.length ? ': ' + notes.join(', ') : ''}`);
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
        const data = JSON.parse(reader.result);
        if (data.format !== FORMAT || data.checklist !== id) throw new Error('another checklist');
        imported = cleanAnswers(data, true);
      } catch {
        say(`${file.name} is not an export of this checklist; nothing was changed.`);
        return;
      }
      answers = imported;
      show();
      if (save()) say(`Answers imported from ${file.name}.`);
    };
    reader.onerror = () => say(`${file.name} could not be read; nothing was changed.`);
    reader.readAsText(file);
  }

  const actions = {
    'export-json': () =>
      download(
        id + '.json',
        'application/json',
        JSON.stringify({ format: FORMAT, version: VERSION, checklist: id, items: answers }, null, 2),
      ),
    'export-text': () => download(id + '.md', 'text/markdown', exportText()),
    print: () => window.print(),
    reset: () => {
      if (!window.confirm('Clear every answer in this checklist? This cannot be undone.')) return;
      answers = {};
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
    if (button) actions[button.dataset.action]();
  });
  // Another tab changed the answers: show them here too.
  window.addEventListener('storage', (event) => {
    if (event.key !== key && event.key !== null) return;
    load();
    show();
  });

  load();
  show();
  // Try a write now, so the reader knows before typing anything.
  try {
    localStorage.setItem(key + ':test', '1');
    localStorage.removeItem(key + ':test');
  } catch {
    say(NOT_SAVED);
  }
  root.querySelector('.checklist-tools').hidden = false;
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
