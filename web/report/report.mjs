// The report page (GET /s/{token}): site information, category and
// accused level with explanations, where the report goes, text, contact,
// files; then the worker encrypts and sends, and the receipt is shown.

import { api } from './api.mjs';
import { KNOWN_KINDS, LIMITS, checkReportForm, parseSitePath } from './logic.mjs';
import {
  fatalFor,
  filePicker,
  hasText,
  linkPages,
  onLanguageChange,
  restrictLanguages,
  setBar,
  setPlain,
  setText,
  showErrors,
  showFatal,
  showSection,
  startLanguage,
  startWorker,
  tr,
} from './page.mjs';

const $ = (id) => document.getElementById(id);

const where = parseSitePath(location.pathname);
const worker = where ? startWorker() : null;
let site = null;
let routeRequest = 0;
let sending = false;

function kindLabel(kind) {
  return KNOWN_KINDS.includes(kind) && hasText(`kind.${kind}`) ? tr(`kind.${kind}`) : kind.replaceAll('_', ' ');
}

function levelLabel(level) {
  return hasText(`level.${level}.name`) ? tr(`level.${level}.name`) : level.replaceAll('_', ' ');
}

/** "Name (level)" of a unit. */
function unitLabel(name, level) {
  return tr('route.unitWithLevel', { name, level: levelLabel(level) });
}

function renderSite() {
  setText($('site-intro'), 'site.intro', { site: site.site.name, kind: kindLabel(site.site.kind), unit: site.unit.name });
  setText($('site-poster-code'), 'site.posterCode', { code: site.poster_code });
  document.title = `${tr('app.title')} — ${site.site.name}`;
}

/** One radio with its label and explanation. */
function choice(group, value, nameKey, hintKey, rawName) {
  const id = `${group}-${value || 'unknown'}`;
  const wrap = document.createElement('div');
  wrap.className = 'choice';
  const input = document.createElement('input');
  input.type = 'radio';
  input.name = group;
  input.id = id;
  input.value = value;
  const label = document.createElement('label');
  label.htmlFor = id;
  if (hasText(nameKey)) setText(label, nameKey);
  else setPlain(label, rawName);
  wrap.append(input, label);
  if (hasText(hintKey)) {
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.id = `${id}-hint`;
    setText(hint, hintKey);
    input.setAttribute('aria-describedby', hint.id);
    wrap.append(hint);
  }
  return wrap;
}

function renderChoices() {
  const categories = $('category-list');
  categories.replaceChildren(...site.categories.map((c) => choice('category', c, `category.${c}.name`, `category.${c}.hint`, c.replaceAll('_', ' '))));
  // The levels come highest first; a reporter thinks from the village upwards.
  const levels = [...site.accused_levels].reverse();
  $('level-list').replaceChildren(
    choice('level', '', 'level.unknown.name', 'level.unknown.hint', ''),
    ...levels.map((l) => choice('level', l, `level.${l}.name`, `level.${l}.hint`, l.replaceAll('_', ' '))),
  );
  $('level-unknown').checked = true;
}

function selected(name) {
  return document.querySelector(`input[name="${name}"]:checked`)?.value ?? null;
}

/** Where the report goes: the handling unit first, then the oversight units. */
function renderRecipients(recipients) {
  const handling = recipients.find((r) => r.role === 'handling') ?? recipients[0];
  const text = $('route-text');
  const list = $('route-oversight');
  if (!handling) {
    setText(text, 'route.failed');
    list.replaceChildren();
    return;
  }
  setText(text, 'route.goesTo', { unit: unitLabel(handling.name ?? handling.unit_name, handling.level) });
  const others = recipients.filter((r) => r !== handling);
  const note = $('route-oversight-note');
  note.hidden = others.length === 0;
  setText(note, 'route.oversight');
  list.replaceChildren(
    ...others.map((r) => {
      const li = document.createElement('li');
      setPlain(li, unitLabel(r.name ?? r.unit_name, r.level));
      return li;
    }),
  );
}

function routeMessage(key) {
  setText($('route-text'), key);
  $('route-oversight').replaceChildren();
  $('route-oversight-note').hidden = true;
}

async function updateRoute() {
  const seq = ++routeRequest;
  const category = selected('category');
  if (!category) {
    routeMessage('route.choose');
    return;
  }
  routeMessage('route.loading');
  const level = selected('level') ?? '';
  try {
    const q = `site=${encodeURIComponent(where.token)}&category=${encodeURIComponent(category)}&accused_level=${encodeURIComponent(level)}`;
    const route = (await api(`/api/v1/route?${q}`)).body;
    if (seq !== routeRequest) return;
    try {
      await worker.call('checkRoute', { route, token: where.token });
    } catch (e) {
      if (seq === routeRequest) routeMessage(e?.code === 'keysUnverified' ? 'route.unverified' : 'route.failed');
      return;
    }
    if (seq !== routeRequest) return;
    renderRecipients((route.recipients ?? []).map((r) => ({ name: r.unit_name, level: r.level, role: r.role })));
  } catch (e) {
    if (seq !== routeRequest) return;
    if (e?.code === 'gone') showFatal('gone');
    else routeMessage(e?.code === 'notFound' ? 'error.noRoute' : 'route.failed');
  }
}

function updateCount() {
  const text = $('report-text');
  setText($('report-text-count'), 'form.textCount', { count: text.value.length, max: LIMITS.maxTextChars });
}

// ---------------------------------------------------------------------------
// Sending

let picker;

function showProgress(key, params, fraction) {
  setText($('progress-text'), key, params);
  setBar($('progress-bar'), fraction);
}

function showUpload(key, params, fraction) {
  setText($('upload-text'), key, params);
  setBar($('upload-bar'), fraction);
}

function showReceipt(m) {
  // The report is stored: nothing of it stays in the form (browsers restore form fields on reload).
  $('report-text').value = '';
  $('report-contact').value = '';
  picker.clear();
  updateCount();
  const box = $('receipt');
  box.replaceChildren();
  m.receipt.split('-').forEach((group, i) => {
    if (i > 0) {
      const sep = document.createElement('span');
      sep.className = 'sep';
      sep.textContent = '-';
      box.append(sep);
    }
    const span = document.createElement('span');
    span.className = 'group';
    span.textContent = group;
    box.append(span);
  });
  if (m.receivedAt) setText($('receipt-received'), 'receipt.received', { date: { $date: m.receivedAt } });
  $('receipt-received').hidden = !m.receivedAt;
  if (m.acknowledgeBy && m.handleBy) setText($('receipt-deadlines'), 'receipt.deadlines', { ack: { $date: m.acknowledgeBy }, handle: { $date: m.handleBy } });
  $('receipt-deadlines').hidden = !(m.acknowledgeBy && m.handleBy);
  $('upload-box').hidden = m.files === 0;
  $('upload-error').hidden = true;
  if (m.files > 0) showUpload('upload.starting', undefined, null);
  document.title = tr('receipt.heading');
  showSection('receipt-view');
}

function onProgress(m) {
  const uploading = !$('receipt-view').hidden;
  switch (m.phase) {
    case 'encrypt':
      showProgress('progress.encrypt', { done: m.done, total: m.total }, m.total ? m.done / m.total : null);
      break;
    case 'kdf':
      showProgress('progress.kdf', undefined, null);
      break;
    case 'route':
      showProgress('progress.route', undefined, null);
      break;
    case 'routeInfo':
      renderRecipients(m.recipients);
      break;
    case 'newRoute':
      showProgress('progress.newRoute', undefined, null);
      break;
    case 'pow':
      // Each hash succeeds with probability 2^-difficulty: show the chance of being done by now.
      showProgress('progress.pow', undefined, m.expected > 0 ? 1 - Math.exp(-m.tried / m.expected) : null);
      break;
    case 'send':
      showProgress('progress.send', undefined, null);
      break;
    case 'waitBusy':
    case 'waitNetwork':
      if (uploading) showUpload(`progress.${m.phase}`, { seconds: m.seconds }, null);
      else showProgress(`progress.${m.phase}`, { seconds: m.seconds }, null);
      break;
    case 'stored':
      showReceipt(m);
      break;
    case 'upload':
      showUpload('upload.progress', { sent: { $bytes: m.sent }, total: { $bytes: m.total } }, m.total ? m.sent / m.total : null);
      break;
    default:
      break;
  }
}

function finished(result) {
  sending = false;
  if (result.files > 0) {
    showUpload('upload.done', undefined, 1);
    $('upload-keep').hidden = true;
  }
}

function failed(error) {
  const e = error ?? { code: 'unknown' };
  if (e.code === 'notFound' || e.code === 'gone') {
    sending = false;
    showFatal(e.code);
    return;
  }
  if (e.stage === 'upload') {
    if (!e.retryable) sending = false;
    setText($('upload-error-text'), `error.${e.code}`, e.params);
    $('upload-retry').hidden = !e.retryable;
    $('upload-error').hidden = false;
    $('upload-error').focus();
    return;
  }
  if (e.retryable) {
    setText($('progress-error-text'), `error.${e.code}`, e.params);
    $('progress-error').hidden = false;
    setBar($('progress-bar'), 0);
    $('retry-button').focus();
    return;
  }
  sending = false;
  backToForm([e]);
}

function backToForm(problems) {
  worker.call('discard').catch(() => {});
  sending = false;
  showSection('form-view', { focus: false });
  showErrors($('form-error'), problems);
  $('form-error').focus();
}

function run(cmd, args, transfer) {
  worker.call(cmd, args, { onProgress, transfer }).then(finished, failed);
}

async function send(event) {
  event.preventDefault();
  if (sending) return;
  const form = {
    category: selected('category'),
    accusedLevel: selected('level') ?? '',
    text: $('report-text').value,
    contact: $('report-contact').value.trim(),
  };
  const problems = [...checkReportForm(form), ...picker.problems()];
  if (picker.busy()) problems.push({ code: 'filesPending' });
  if (problems.length > 0) {
    showErrors($('form-error'), problems);
    $('form-error').focus();
    return;
  }
  showErrors($('form-error'), []);
  sending = true;
  let files;
  try {
    files = await picker.collect();
  } catch (e) {
    sending = false;
    showErrors($('form-error'), [e]);
    $('form-error').focus();
    return;
  }
  $('progress-error').hidden = true;
  showProgress('progress.start', undefined, null);
  showSection('progress-view');
  run(
    'submit',
    { token: where.token, salt: site.receipt_salt, category: form.category, accusedLevel: form.accusedLevel, text: form.text, contact: form.contact, files: files.files },
    files.transfer,
  );
}

function retry() {
  $('progress-error').hidden = true;
  $('upload-error').hidden = true;
  $('upload-keep').hidden = false;
  run('resume', {}, []);
}

// ---------------------------------------------------------------------------

async function main() {
  try {
    await startLanguage();
  } catch {
    return;
  }
  if (!where) {
    showFatal('notFound');
    return;
  }
  try {
    site = (await api(`/api/v1/sites/${where.token}`)).body;
    if (!site || !Array.isArray(site.categories) || typeof site.receipt_salt !== 'string') throw { code: 'server' };
  } catch (e) {
    const f = fatalFor(e);
    showFatal(f.kind, { retry: f.retry });
    return;
  }
  linkPages(`/s/${where.token}/followup`);
  await restrictLanguages(site.languages).catch(() => {});
  renderSite();
  renderChoices();
  routeMessage('route.choose');
  $('report-text').maxLength = LIMITS.maxTextChars;
  $('report-contact').maxLength = LIMITS.maxContactChars;
  updateCount();
  picker = filePicker({ input: $('report-files'), list: $('file-list'), errors: $('files-error'), hint: $('report-files-hint') });
  $('category-list').addEventListener('change', updateRoute);
  $('level-list').addEventListener('change', updateRoute);
  $('report-text').addEventListener('input', updateCount);
  $('report-form').addEventListener('submit', send);
  $('retry-button').addEventListener('click', retry);
  $('upload-retry').addEventListener('click', retry);
  $('back-button').addEventListener('click', () => backToForm([]));
  onLanguageChange(() => {
    if (site) document.title = $('receipt-view').hidden ? `${tr('app.title')} — ${site.site.name}` : tr('receipt.heading');
  });
  showSection('form-view', { focus: false });
  worker.ready.catch(() => showFatal('unsupported'));
  // Leaving while a report or its files are on their way loses them: ask first.
  window.addEventListener('beforeunload', (event) => {
    if (sending) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
}

main();
