// One clue (#/clue/<id>): GET /api/v1/clues/{id}, opened on this device
// with the held unit keys — the report's text, answers and contact, its
// files (fetched part by part, decrypted, shown if images, downloadable),
// the reporter's messages and the files they brought — with the route in
// plain words, the deadlines, escalations and history, and the actions
// (clue-actions.mjs).

import { ready as cryptoReady, wipe as wipeBytes } from '../crypto/clueline-crypto.mjs';
import { renderActions } from './clue-actions.mjs';
import { OpenError, decryptStream, openClue, openMessage } from './clue-open.mjs';
import { heldKeys } from './keys.mjs';
import { setLabel, setSiteName, setTime, setUnitName } from './labels.mjs';
import { CLUE_ROLES, badgesFor, currentDeadline, downloadName, isClueId, isInlineImage, notesInOrder, routeExplanation } from './logic.mjs';
import { el, hasText, registerView, renderToken, setPlain, setText, showError } from './shell.mjs';

/** Blob URLs of the images shown and the files decrypted; revoked and zeroed when the view is left or shown again. */
let objectUrls = [];
let decrypted = [];
/** Counts the clue's renders: a render (and its file loads) goes on only while it is the latest. */
let clueRenders = 0;

function revokeUrls() {
  for (const u of objectUrls) URL.revokeObjectURL(u);
  objectUrls = [];
  for (const bytes of decrypted) wipeBytes(bytes);
  decrypted = [];
}

function leaveClue() {
  clueRenders++;
  revokeUrls();
}

function section(id, titleKey, children) {
  return el('section', { cls: 'panel', attrs: { id, 'aria-labelledby': `${id}-title` } }, [el('h2', { key: titleKey, attrs: { id: `${id}-title` } }), ...children]);
}

function dlRow(termKey, value) {
  return [el('dt', { key: termKey }), value instanceof Node ? el('dd', {}, [value]) : el('dd', { text: String(value) })];
}

function summary(clue, directory, nowMs) {
  const deadline = currentDeadline(clue);
  const badges = el('span', { cls: 'badges' });
  for (const b of badgesFor(clue, nowMs)) badges.append(el('span', { cls: `badge badge-${b}`, key: `badge.${b}`, attrs: { 'data-badge': b } }), ' ');
  const status = setLabel(el('span', { attrs: { id: 'clue-status', 'data-status': clue.status } }), 'status', clue.status);
  const rows = [
    ...dlRow('clue.field.status', status),
    ...dlRow('clue.field.unit', setUnitName(el('span', { attrs: { id: 'clue-unit', 'data-unit-id': clue.unit_id } }), directory, clue.unit_id)),
    ...dlRow('clue.field.relation', el('span', { key: `clue.relation.${clue.relation}`, attrs: { id: 'clue-relation' } })),
    ...dlRow('clue.field.site', setSiteName(el('span'), directory, clue.site_id)),
    ...dlRow('clue.field.category', setLabel(el('span'), 'category', clue.category)),
    ...dlRow('clue.field.accused', clue.accused_level ? setLabel(el('span'), 'level', clue.accused_level) : el('span', { key: 'level.unknown' })),
    ...dlRow('clue.field.received', setTime(el('time'), clue.received_at)),
    ...dlRow('clue.field.acknowledgeBy', setTime(el('time'), clue.acknowledge_by)),
    ...dlRow('clue.field.handleBy', setTime(el('time'), clue.handle_by)),
    ...dlRow('clue.field.flags', badges),
  ];
  if (clue.outcome) rows.push(...dlRow('clue.field.outcome', setLabel(el('span', { attrs: { id: 'clue-outcome' } }), 'outcome', clue.outcome)));
  if (clue.duplicate_of) rows.push(...dlRow('clue.field.duplicateOf', el('a', { text: clue.duplicate_of, attrs: { href: `#/clue/${clue.duplicate_of}` } })));
  if (deadline && deadline.ms < nowMs) rows.push(...dlRow('clue.field.deadline', el('span', { key: 'clue.overdueSince', params: { time: { $date: deadline.iso } } })));
  return el('dl', { cls: 'facts', attrs: { id: 'clue-facts' } }, rows);
}

/**
 * A file row: name, size, a download button, the image itself once
 * decrypted. current() tells whether the render it belongs to is still
 * shown; once not (left, signed out, shown again), nothing more is fetched,
 * decrypted or shown, and bytes decrypted meanwhile are zeroed.
 */
function fileItem(ctx, clue, file, state, current) {
  const n = file.n;
  const name = downloadName(file.name, n);
  const statusText = el('span', { cls: 'file-status', attrs: { role: 'status' } });
  const button = el('button', { cls: 'secondary', key: 'clue.download', params: { name }, attrs: { type: 'button', id: `attachment-${n}-download`, disabled: true } });
  const item = el('li', { cls: 'file', attrs: { 'data-attachment': n } }, [el('span', { cls: 'file-name', text: name }), ' ', statusText, ' ', button]);
  if (!state || !state.complete) {
    setText(statusText, 'clue.fileIncomplete');
    return { item, load: async () => {} };
  }
  const load = async () => {
    setText(statusText, 'clue.fileLoading');
    try {
      const parts = [];
      for (let part = 0; part < state.parts; part++) {
        const bytes = await ctx.api.getBytes(`/api/v1/clues/${clue.clue_id}/attachments/${n}/${part}`);
        if (!current()) return;
        parts.push(bytes);
      }
      if (!current()) return;
      const bytes = decryptStream(parts, file.key);
      if (!current()) {
        wipeBytes(bytes);
        return;
      }
      decrypted.push(bytes);
      const type = isInlineImage(file.type) ? file.type : 'application/octet-stream';
      setText(statusText, 'clue.fileReady', { size: { $number: bytes.length } });
      button.disabled = false;
      button.addEventListener('click', () => ctx.download(name, bytes, type));
      if (isInlineImage(file.type)) {
        const url = URL.createObjectURL(new Blob([bytes], { type }));
        objectUrls.push(url);
        const img = el('img', { cls: 'attachment-image', attrs: { src: url, alt: ctx.t('clue.imageAlt', { name }), id: `attachment-${n}-image` } });
        item.append(img);
      }
    } catch (e) {
      if (!current()) return;
      if (e?.code === 'authentication_failed' || e?.code === 'invalid_argument') setText(statusText, 'clue.fileBroken');
      else showError(statusText, e);
    }
  };
  return { item, load };
}

function reportSection(ctx, clue, opened, files) {
  const { body } = opened;
  const children = [el('p', { cls: 'report-text', text: body.text, attrs: { id: 'clue-text' } })];
  if (body.answers.length > 0) {
    const dl = el('dl', { cls: 'facts', attrs: { id: 'clue-answers' } });
    for (const [q, a] of body.answers) {
      const term = el('dt');
      if (hasText(`question.${q}`)) setText(term, `question.${q}`);
      else setPlain(term, q);
      dl.append(term, el('dd', { text: a }));
    }
    children.push(el('h3', { key: 'clue.answers' }), dl);
  }
  children.push(el('h3', { key: 'clue.contact' }));
  children.push(body.contact ? el('p', { text: body.contact, attrs: { id: 'clue-contact' } }) : el('p', { key: 'clue.noContact' }));
  if (files.length > 0) children.push(el('h3', { key: 'clue.files' }), el('ul', { cls: 'files', attrs: { id: 'clue-files' } }, files.map((f) => f.item)));
  return section('clue-report', 'clue.report', children);
}

function notesSection(ctx, clue, opened, keys, current) {
  const list = el('ol', { cls: 'notes', attrs: { id: 'clue-notes' } });
  const fileItems = [];
  for (const note of notesInOrder(clue.reporter_messages, clue.unit_replies)) {
    const head = el('p', { cls: 'note-head' }, [el('span', { key: note.from === 'reporter' ? 'clue.fromReporter' : 'clue.fromUnit', params: { seq: note.seq } }), ' ', setTime(el('time'), note.sent_at)]);
    const item = el('li', { cls: `note note-${note.from}` }, [head]);
    if (note.from === 'unit') {
      // Sealed to the reporter alone: the unit that sent it cannot read it back.
      item.append(el('p', { cls: 'hint', key: 'clue.replySealed' }));
    } else {
      const message = opened ? openMessage(note, opened.clueIdBytes, keys) : null;
      if (message === null) item.append(el('p', { cls: 'hint', key: 'clue.messageSealed' }));
      else {
        item.append(el('p', { cls: 'note-text', text: message.text }));
        if (message.files.length > 0) {
          const ul = el('ul', { cls: 'files' });
          for (const file of message.files) {
            const f = fileItem(ctx, clue, file, clue.attachments.find((a) => a.index === file.n), current);
            ul.append(f.item);
            fileItems.push(f);
          }
          item.append(ul);
        }
      }
    }
    list.append(item);
  }
  const children = list.children.length > 0 ? [list] : [el('p', { key: 'clue.noNotes' })];
  return { node: section('clue-messages', 'clue.messages', children), fileItems };
}

function routeSection(clue, directory) {
  const steps = routeExplanation(clue, directory).map((step) => {
    const params = { ...step.params };
    for (const [k, prefix] of [['level', 'level'], ['accused', 'level'], ['category', 'category']]) {
      if (params[k] && hasText(`${prefix}.${params[k]}`)) params[k] = { $key: `${prefix}.${params[k]}` };
    }
    const li = el('li', {}, [el('span', { key: step.key, params })]);
    if (step.serverText) li.append(el('span', { cls: 'server-text', text: step.serverText, attrs: { lang: 'en' } }));
    return li;
  });
  return section('clue-route', 'clue.route', [steps.length > 0 ? el('ol', { cls: 'route' }, steps) : el('p', { key: 'clue.noRoute' })]);
}

function historySection(clue, directory) {
  const events = clue.events.map((e) => {
    const li = el('li', {}, [setTime(el('time'), e.at), ' ']);
    li.append(hasText(`event.${e.action}`) ? el('span', { key: `event.${e.action}` }) : el('span', { text: e.action }), ' ', setUnitName(el('span', { cls: 'event-unit' }), directory, e.unit_id));
    if (e.detail) li.append(' ', el('span', { cls: 'event-detail', text: e.detail }));
    return li;
  });
  const escalations = clue.escalations.map((x) => el('li', {}, [
    el('span', { key: `escalation.${x.reason}`, params: { deadline: { $date: x.deadline } } }),
    ' ',
    setUnitName(el('span'), directory, x.unit_id),
    ' ',
    setTime(el('time'), x.at),
  ]));
  return section('clue-history', 'clue.history', [
    events.length > 0 ? el('ol', { cls: 'events', attrs: { id: 'clue-events' } }, events) : el('p', { key: 'clue.noEvents' }),
    el('h3', { key: 'clue.escalations' }),
    escalations.length > 0 ? el('ol', { cls: 'escalations', attrs: { id: 'clue-escalations' } }, escalations) : el('p', { key: 'clue.noEscalations' }),
  ]);
}

/**
 * Fetches, opens and shows the clue; resolves once it is shown, while its
 * files go on loading one after the other.
 */
async function renderClue(container, ctx, id) {
  const view = renderToken();
  const render = ++clueRenders;
  const current = () => view() && render === clueRenders;
  await cryptoReady();
  const [directory, answer] = await Promise.all([ctx.directory(), ctx.api.get(`/api/v1/clues/${id}`)]);
  if (!current()) return;
  const { clue } = answer;
  // The id is the context the messages open and the replies are sealed in: it must be the one asked for.
  if (clue?.clue_id !== id) throw new OpenError('clue.error.otherClue');
  revokeUrls();
  const keys = heldKeys();
  let opened = null;
  let openProblem = null;
  try {
    opened = openClue(clue, keys);
  } catch (e) {
    openProblem = e instanceof OpenError ? e.key : 'clue.error.malformed';
  }
  const reportFiles = opened
    ? opened.body.attachments.map((file) => fileItem(ctx, clue, file, clue.attachments.find((a) => a.index === file.n), current))
    : [];
  const notes = notesSection(ctx, clue, opened, keys, current);
  const rerender = () => renderClue(container, ctx, id);
  container.replaceChildren(
    el('p', {}, [el('a', { key: 'clue.back', attrs: { href: '#/queue' } })]),
    el('h1', { key: 'clue.heading', params: { id: clue.clue_id.slice(0, 8) }, attrs: { id: 'clue-heading', tabindex: '-1', 'data-clue-id': clue.clue_id } }),
    summary(clue, directory, Date.now()),
    opened ? reportSection(ctx, clue, opened, reportFiles) : section('clue-report', 'clue.report', [el('p', { cls: 'error', key: openProblem, attrs: { id: 'clue-open-error', role: 'alert' } })]),
    renderActions(ctx, clue, opened, directory, rerender),
    notes.node,
    routeSection(clue, directory),
    historySection(clue, directory),
  );
  const files = [...reportFiles, ...notes.fileItems];
  (async () => {
    for (const f of files) {
      if (!current()) return;
      await f.load();
    }
  })();
}

registerView('clue', {
  navKey: null,
  roles: CLUE_ROLES,
  async render(container, ctx, params) {
    const id = params[0];
    if (!isClueId(id)) {
      container.append(el('h1', { key: 'clue.notFoundTitle' }), el('p', { key: 'clue.badId' }));
      return;
    }
    try {
      await renderClue(container, ctx, id);
    } catch (e) {
      const problem = el('p', { cls: 'error', attrs: { role: 'alert' } });
      if (e?.status === 404) setText(problem, 'clue.notFound');
      else if (e instanceof OpenError) setText(problem, e.key);
      else showError(problem, e);
      container.replaceChildren(el('h1', { key: 'clue.notFoundTitle' }), problem, el('p', {}, [el('a', { key: 'clue.back', attrs: { href: '#/queue' } })]));
    }
  },
  leave: leaveClue,
});
