// The follow-up page (GET /s/{token}/followup): the receipt opens the
// report's status, deadlines, outcome, history and replies (opened here with
// the receipt's reply key); the reporter can write to the unit and add files.

import { api } from './api.mjs';
import { LIMITS, OUTCOMES, STATUSES, parseSitePath, storedAttachmentBytes } from './logic.mjs';
import {
  currentLanguage,
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
let view = null;
let picker = null;

function levelLabel(level) {
  return hasText(`level.${level}.name`) ? tr(`level.${level}.name`) : level.replaceAll('_', ' ');
}

function dateText(node, key, iso) {
  return setText(node, key, { date: { $date: iso } });
}

function row(list, termKey, valueNode) {
  const dt = document.createElement('dt');
  setText(dt, termKey);
  const dd = document.createElement('dd');
  dd.append(...(Array.isArray(valueNode) ? valueNode : [valueNode]));
  list.append(dt, dd);
}

function para(key, params, className) {
  const p = document.createElement('p');
  if (className) p.className = className;
  return setText(p, key, params);
}

function overdue(iso) {
  const t = Date.parse(iso);
  return Number.isFinite(t) && Date.now() > t;
}

function renderStatus() {
  const dl = $('status-list');
  dl.replaceChildren();
  const status = STATUSES.includes(view.status) ? view.status : null;
  const statusNodes = [];
  if (status) {
    const name = document.createElement('strong');
    setText(name, `status.${status}.name`);
    statusNodes.push(name, para(`status.${status}.hint`, undefined, 'hint'));
  } else {
    statusNodes.push(setPlain(document.createElement('strong'), String(view.status)));
  }
  row(dl, 'followup.status', statusNodes);
  if (view.status === 'closed' && view.outcome) {
    const node = OUTCOMES.includes(view.outcome) ? setText(document.createElement('span'), `outcome.${view.outcome}`) : setPlain(document.createElement('span'), view.outcome);
    row(dl, 'followup.outcome', node);
  }
  row(dl, 'followup.received', dateText(document.createElement('span'), 'common.date', view.received_at));
  const unit = view.unit ? setText(document.createElement('span'), 'route.unitWithLevel', { name: view.unit.name, level: levelLabel(view.unit.level) }) : setText(document.createElement('span'), 'followup.unitGone');
  row(dl, 'followup.unit', unit);
  const d = view.deadlines ?? {};
  if (d.acknowledge_by && view.status === 'received') {
    const nodes = [dateText(document.createElement('span'), 'common.date', d.acknowledge_by)];
    if (overdue(d.acknowledge_by)) nodes.push(para('followup.overdue', undefined, 'note'));
    row(dl, 'followup.ackBy', nodes);
  }
  if (d.handle_by && view.status !== 'closed') {
    const nodes = [dateText(document.createElement('span'), 'common.date', d.handle_by)];
    if (overdue(d.handle_by)) nodes.push(para('followup.overdue', undefined, 'note'));
    row(dl, 'followup.handleBy', nodes);
  }
}

function renderHistory() {
  $('history-list').replaceChildren(
    ...view.history.map((h) => {
      const li = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = h.at;
      dateText(time, 'common.date', h.at);
      const text = document.createElement('span');
      // The server's sentence names the units, in English; other languages say the step in their words.
      if (currentLanguage() === 'en' && h.text) setPlain(text, h.text);
      else if (hasText(`event.${h.event}`)) setText(text, `event.${h.event}`);
      else setPlain(text, h.text);
      li.append(time, ' ', text);
      return li;
    }),
  );
}

function renderReplies() {
  const list = $('reply-list');
  $('no-replies').hidden = view.replies.length > 0;
  list.replaceChildren(
    ...view.replies.map((r) => {
      const li = document.createElement('li');
      li.className = 'reply';
      li.append(dateText(document.createElement('p'), 'followup.replyMeta', r.sent_at));
      li.lastChild.className = 'meta';
      if (r.text === null) li.append(para('followup.replyUnreadable', undefined, 'note'));
      else {
        const p = document.createElement('p');
        p.className = 'reply-text';
        setPlain(p, r.text);
        li.append(p);
      }
      return li;
    }),
  );
}

function renderMessages() {
  $('no-messages').hidden = view.messages.length > 0;
  $('message-list').replaceChildren(
    ...view.messages.map((m) => dateText(document.createElement('li'), 'followup.messageMeta', m.sent_at)),
  );
  const complete = view.attachments.filter((a) => a.complete).length;
  setText($('attachment-count'), 'followup.filesCount', { count: complete });
}

function render() {
  if (!view) return;
  renderStatus();
  renderHistory();
  renderReplies();
  renderMessages();
}

function showView(v) {
  view = v;
  render();
  touched();
  document.title = tr('followup.statusTitle');
}

// ---------------------------------------------------------------------------

function loginProgress(m) {
  const text = $('login-progress');
  text.hidden = false;
  if (m.phase === 'kdf') setText(text, 'followup.deriving');
  else if (m.phase === 'waitBusy' || m.phase === 'waitNetwork') setText(text, `progress.${m.phase}`, { seconds: m.seconds });
}

async function login(event) {
  event.preventDefault();
  const input = $('receipt-input');
  const button = $('receipt-submit');
  showErrors($('login-error'), []);
  button.disabled = true;
  $('login-progress').hidden = true;
  try {
    const v = await worker.call('login', { token: where.token, salt: site.receipt_salt, receipt: input.value }, { onProgress: loginProgress });
    input.value = '';
    showView(v);
    showSection('status-view');
  } catch (e) {
    showErrors($('login-error'), [e ?? { code: 'unknown' }]);
    $('login-error').focus();
  } finally {
    button.disabled = false;
    $('login-progress').hidden = true;
  }
}

/** A failure after login: session gone → back to the receipt; else in the given box. */
function afterLoginError(e, box) {
  if (e?.code === 'sessionExpired') {
    finish();
    showErrors($('login-error'), [e]);
    return;
  }
  showErrors(box, [e ?? { code: 'unknown' }]);
  box.focus();
}

async function refresh() {
  const button = $('refresh-button');
  button.disabled = true;
  try {
    showView(await worker.call('refresh'));
    setText($('refresh-status'), 'followup.refreshed');
  } catch (e) {
    afterLoginError(e, $('refresh-error'));
  } finally {
    button.disabled = false;
  }
}

function messageProgress(m) {
  if (m.phase === 'waitBusy' || m.phase === 'waitNetwork') setText($('message-status'), `progress.${m.phase}`, { seconds: m.seconds });
}

async function sendMessage(event) {
  event.preventDefault();
  const box = $('message-text');
  const button = $('message-send');
  showErrors($('message-error'), []);
  if (box.value.trim() === '') {
    showErrors($('message-error'), [{ code: 'messageEmpty' }]);
    $('message-error').focus();
    return;
  }
  button.disabled = true;
  setText($('message-status'), 'followup.messageSending');
  try {
    await worker.call('message', { text: box.value }, { onProgress: messageProgress });
    box.value = '';
    setText($('message-status'), 'followup.messageSent');
    showView(await worker.call('refresh'));
  } catch (e) {
    setPlain($('message-status'), '');
    afterLoginError(e, $('message-error'));
  } finally {
    button.disabled = false;
  }
}

function attachProgress(m) {
  const text = $('attach-text');
  const bar = $('attach-bar');
  bar.hidden = false;
  if (m.phase === 'encrypt') {
    setText(text, 'progress.encrypt', { done: m.done, total: m.total });
    setBar(bar, m.total ? m.done / m.total : null);
  } else if (m.phase === 'upload') {
    setText(text, 'upload.progress', { sent: { $bytes: m.sent }, total: { $bytes: m.total } });
    setBar(bar, m.total ? m.sent / m.total : null);
  } else if (m.phase === 'send') {
    setText(text, 'followup.filesKeys');
    setBar(bar, null);
  } else if (m.phase === 'waitBusy' || m.phase === 'waitNetwork') {
    setText(text, `progress.${m.phase}`, { seconds: m.seconds });
  }
}

async function attachWith(cmd, args, transfer) {
  const button = $('attach-send');
  button.disabled = true;
  $('attach-retry').hidden = true;
  showErrors($('attach-error'), []);
  try {
    await worker.call(cmd, args, { onProgress: attachProgress, transfer });
    picker.clear();
    setText($('attach-text'), 'upload.done');
    setBar($('attach-bar'), 1);
    showView(await worker.call('refresh'));
  } catch (e) {
    afterLoginError(e, $('attach-error'));
    $('attach-retry').hidden = !e?.retryable || e?.code === 'sessionExpired';
  } finally {
    button.disabled = false;
  }
}

async function sendFiles(event) {
  event.preventDefault();
  const problems = [...picker.problems()];
  if (picker.files.length === 0) problems.push({ code: 'noFiles' });
  if (picker.busy()) problems.push({ code: 'filesPending' });
  if (problems.length > 0) {
    showErrors($('attach-error'), problems);
    $('attach-error').focus();
    return;
  }
  let files;
  try {
    files = await picker.collect();
  } catch (e) {
    showErrors($('attach-error'), [e]);
    return;
  }
  await attachWith('attach', { files: files.files, note: tr('followup.attachNote') }, files.transfer);
}

/** After this long without a touch or key, the page forgets the receipt by itself (a phone left lying around). */
const IDLE_MS = 10 * 60 * 1000;
let idleTimer = 0;

function touched() {
  clearTimeout(idleTimer);
  if (view === null) return;
  idleTimer = setTimeout(() => {
    finish();
    showErrors($('login-error'), [{ code: 'sessionExpired' }]);
  }, IDLE_MS);
}

/** Forgets the receipt's keys and everything shown. */
function finish() {
  clearTimeout(idleTimer);
  worker.call('logout').catch(() => {});
  view = null;
  for (const id of ['status-list', 'history-list', 'reply-list', 'message-list']) $(id).replaceChildren();
  $('message-text').value = '';
  picker?.clear();
  for (const id of ['message-error', 'attach-error', 'refresh-error']) showErrors($(id), []);
  setPlain($('message-status'), '');
  setPlain($('refresh-status'), '');
  $('attach-bar').hidden = true;
  setPlain($('attach-text'), '');
  document.title = tr('followup.heading');
  showSection('login-view');
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
    if (!site || typeof site.receipt_salt !== 'string') throw { code: 'server' };
  } catch (e) {
    const f = fatalFor(e);
    // A withdrawn poster still leads to the report: any current poster has the salt.
    showFatal(f.kind, { retry: f.retry, textKey: f.kind === 'gone' ? 'fatal.followupGone.text' : undefined });
    return;
  }
  linkPages(`/s/${where.token}`);
  await restrictLanguages(site.languages).catch(() => {});
  $('message-text').maxLength = LIMITS.maxMessageChars;
  picker = filePicker({
    input: $('followup-files'),
    list: $('followup-file-list'),
    errors: $('followup-files-error'),
    hint: $('followup-files-hint'),
    existing: () => ({ count: view ? view.attachments.length : 0, bytes: view ? storedAttachmentBytes(view.attachments) : 0 }),
  });
  $('receipt-form').addEventListener('submit', login);
  $('refresh-button').addEventListener('click', refresh);
  $('message-form').addEventListener('submit', sendMessage);
  $('attach-form').addEventListener('submit', sendFiles);
  $('attach-retry').addEventListener('click', () => attachWith('resumeAttach', {}, []));
  $('finish-button').addEventListener('click', finish);
  for (const type of ['pointerdown', 'keydown', 'input']) document.addEventListener(type, touched, { passive: true });
  onLanguageChange(() => {
    render();
    document.title = view ? tr('followup.statusTitle') : tr('followup.heading');
  });
  document.title = tr('followup.heading');
  showSection('login-view', { focus: false });
  worker.ready.catch(() => showFatal('unsupported'));
}

main();
