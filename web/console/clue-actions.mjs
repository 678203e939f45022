// What a unit can do with a clue (POST /api/v1/clues/{id}/actions and
// /replies), offered by the clue's relation and status, the irreversible
// ones after a confirmation; after each, the clue is fetched again. A
// transfer or recusal the server answers 409 with a unit for gets the data
// key sealed to that unit's checked keys here and is sent again, as the
// CLI's `transfer`/`recuse` do.

import { PAYLOAD_MAX_PLAINTEXT } from '../crypto/clueline-crypto.mjs';
import { OpenError, resealFor, sealReply } from './clue-open.mjs';
import { confirmAction } from './confirm.mjs';
import { OUTCOMES, isClueId, transferOptions } from './logic.mjs';
import { ApiError, el, setPlain, setText, showError } from './shell.mjs';

/** The actions offered for a clue: the server decides in the end, and says why when it refuses. */
export function offeredActions(clue) {
  const handling = clue.relation === 'handling';
  const open = clue.status !== 'closed';
  const out = [];
  if (handling && clue.status === 'received') out.push('acknowledge');
  if (handling && clue.status === 'acknowledged') out.push('investigate');
  if (handling && (clue.status === 'acknowledged' || clue.status === 'investigating')) out.push('close', 'link_duplicate');
  if (!handling && open) out.push('take_over');
  if (!handling && !open) out.push('reopen');
  if (handling && open && (clue.transfer_targets ?? []).length > 0) out.push('transfer');
  if (handling && open) out.push('recuse');
  if (handling) out.push('reply');
  return out;
}

const CONFIRMED = new Set(['close', 'transfer', 'recuse', 'take_over', 'link_duplicate', 'reopen']);

function field(id, labelKey, input) {
  return el('div', { cls: 'field' }, [el('label', { key: labelKey, attrs: { for: id } }), input]);
}

function selectOf(id, options) {
  const s = el('select', { attrs: { id, name: id, required: true } });
  for (const o of options) {
    const option = el('option', { attrs: { value: o.value } });
    if (o.key) setText(option, o.key, o.params);
    else setPlain(option, o.text);
    s.append(option);
  }
  return s;
}

/** The inputs an action needs, and how to read them into the request (null and a catalog key when something is missing). */
function inputsFor(action, clue, directory) {
  switch (action) {
    case 'close': {
      const s = selectOf('action-outcome', [{ value: '', key: 'action.chooseOutcome' }, ...OUTCOMES.map((o) => ({ value: o, key: `outcome.${o}` }))]);
      return { nodes: [field('action-outcome', 'action.outcome', s)], read: () => (s.value ? { outcome: s.value } : { missing: 'action.error.outcome' }) };
    }
    case 'link_duplicate': {
      const i = el('input', { attrs: { id: 'action-duplicate-of', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '22' } });
      return { nodes: [field('action-duplicate-of', 'action.duplicateOf', i)], read: () => (isClueId(i.value.trim()) ? { duplicate_of: i.value.trim() } : { missing: 'action.error.duplicateOf' }) };
    }
    case 'transfer': {
      const s = selectOf('action-to', [{ value: '', key: 'action.chooseUnit' }, ...transferOptions(clue, directory).map((o) => (o.name === null ? { value: String(o.id), key: 'common.unitNumber', params: { id: o.id } } : { value: String(o.id), text: o.name }))]);
      const r = el('textarea', { attrs: { id: 'action-transfer-reason', rows: '3', maxlength: '500' } });
      return {
        nodes: [field('action-to', 'action.to', s), field('action-transfer-reason', 'action.reason', r)],
        read: () => (!s.value ? { missing: 'action.error.to' } : r.value.trim() === '' ? { missing: 'action.error.reason' } : { to: Number(s.value), reason: r.value.trim() }),
      };
    }
    case 'recuse': {
      const r = el('textarea', { attrs: { id: 'action-recuse-reason', rows: '3', maxlength: '500' } });
      return { nodes: [field('action-recuse-reason', 'action.reason', r)], read: () => (r.value.trim() === '' ? { missing: 'action.error.reason' } : { reason: r.value.trim() }) };
    }
    case 'reply': {
      const r = el('textarea', { attrs: { id: 'action-reply-text', rows: '5' } });
      return {
        nodes: [field('action-reply-text', 'action.replyText', r), el('p', { cls: 'hint', key: 'action.replyHint' })],
        read: () => {
          const text = r.value;
          if (text.trim() === '') return { missing: 'action.error.replyEmpty' };
          if (new TextEncoder().encode(text).length > PAYLOAD_MAX_PLAINTEXT) return { missing: 'action.error.replyLong' };
          return { text };
        },
      };
    }
    default:
      return { nodes: [], read: () => ({}) };
  }
}

async function send(ctx, clue, opened, action, values) {
  const path = `/api/v1/clues/${clue.clue_id}`;
  if (action === 'reply') return ctx.api.postBytes(`${path}/replies`, sealReply(clue, opened, clue.clue_id, values.text));
  const body = { action, ...values };
  try {
    return await ctx.api.post(`${path}/actions`, body);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 409 && e.body?.unit && (action === 'transfer' || action === 'recuse'))) throw e;
    // The new unit cannot open the clue yet: seal the data key to its keys here.
    if (!opened) throw new OpenError('clue.error.noKey');
    body.key_entries = resealFor(opened, e.body, action === 'transfer' ? body.to : null);
    return ctx.api.post(`${path}/actions`, body);
  }
}

function actionForm(ctx, clue, opened, directory, action, done) {
  const id = `action-${action}`;
  const { nodes, read } = inputsFor(action, clue, directory);
  const error = el('div', { cls: 'error', attrs: { id: `${id}-error`, role: 'alert', tabindex: '-1', hidden: true } });
  const submit = el('button', { cls: action === 'reply' ? 'primary' : 'secondary', key: `action.${action}`, attrs: { id: `${id}-submit`, type: 'submit', 'data-action': action } });
  const form = el('form', { cls: `action action-${action}`, attrs: { id, novalidate: true, 'aria-labelledby': `${id}-submit` } }, [...nodes, error, submit]);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    const values = read();
    if (values.missing) {
      setText(error, values.missing);
      error.hidden = false;
      error.focus();
      return;
    }
    if (CONFIRMED.has(action)) {
      const target = values.to ? transferOptions(clue, directory).find((o) => o.id === values.to) : null;
      const unit = !target ? '' : target.name ?? { $key: 'common.unitNumber', params: { id: target.id } };
      const params = { unit, outcome: values.outcome ? { $key: `outcome.${values.outcome}` } : '' };
      const yes = await confirmAction({ titleKey: `confirm.${action}.title`, textKey: `confirm.${action}.text`, params, confirmKey: `action.${action}`, opener: submit });
      if (!yes) return;
    }
    if (submit.disabled) return;
    submit.disabled = true;
    try {
      await send(ctx, clue, opened, action, values);
    } catch (err) {
      if (!form.isConnected) return;
      if (err instanceof OpenError) setText(error, err.key);
      else showError(error, err);
      error.hidden = false;
      error.focus();
      submit.disabled = false;
      return;
    }
    // Done: the clue is shown again (this form with it), the focus put at its heading and the result told.
    try {
      await done(action);
    } catch (err) {
      if (!form.isConnected) return;
      if (err instanceof OpenError) setText(error, err.key);
      else showError(error, err);
      error.hidden = false;
      error.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The actions section of the clue view; rerender() fetches the clue again and shows its new state. */
export function renderActions(ctx, clue, opened, directory, rerender) {
  const status = el('p', { attrs: { id: 'clue-action-status', role: 'status' } });
  const actions = offeredActions(clue);
  const forms = actions.map((a) => actionForm(ctx, clue, opened, directory, a, async (done) => {
    const result = ctx.t(`action.${done}.done`);
    try {
      await rerender();
    } catch (e) {
      // Transferred or recused: the clue may no longer be this unit's to see.
      if (e instanceof ApiError && e.status === 404) {
        ctx.navigate('#/queue');
        ctx.announce(result);
        return;
      }
      throw e;
    }
    const note = document.getElementById('clue-action-status');
    if (note) setText(note, `action.${done}.done`);
    // The form that had the focus is gone with the old view: the new view's heading takes it.
    const heading = document.getElementById('clue-heading');
    if (heading && (document.activeElement === document.body || !document.activeElement?.isConnected)) heading.focus();
    ctx.announce(result);
  }));
  return el('section', { cls: 'panel', attrs: { id: 'clue-actions', 'aria-labelledby': 'clue-actions-title' } }, [
    el('h2', { key: 'clue.actions', attrs: { id: 'clue-actions-title' } }),
    status,
    ...(forms.length > 0 ? forms : [el('p', { key: 'clue.noActions' })]),
  ]);
}
