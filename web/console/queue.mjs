// The unit's clue queue (#/queue): GET /api/v1/queue with the filters of
// docs/openapi.yaml, page after page on "more", deadline badges, an order
// by deadline over what is loaded; above it, the accounts of the unit that
// wait for the unit key.

import { renderAwaitingKeys } from './grants.mjs';
import { setLabel, setSiteName, setTime } from './labels.mjs';
import { BADGES, CLUE_ROLES, STATUSES, badgesFor, currentDeadline, queueQuery, sortClues } from './logic.mjs';
import { el, hasText, registerView, renderToken, setPlain, setText, showError } from './shell.mjs';

// Kept while the page lives, so that coming back from a clue shows the same filters.
const filters = { status: '', category: '', site: '', escalated: '', overdue: false, order: 'deadline' };

function select(id, labelKey, options, value) {
  const s = el('select', { attrs: { id, name: id } });
  for (const o of options) {
    const option = el('option', { attrs: { value: o.value } });
    if (o.key) setText(option, o.key);
    else setPlain(option, o.text);
    option.selected = o.value === value;
    s.append(option);
  }
  return el('div', { cls: 'field' }, [el('label', { key: labelKey, attrs: { for: id } }), s]);
}

/** The filter form; onApply() is not called while isBusy() (a load is under way). */
function filterForm(directory, onApply, isBusy) {
  const categories = (directory.categories ?? []).map((c) => (hasText(`category.${c}`) ? { value: c, key: `category.${c}` } : { value: c, text: c }));
  const sites = (directory.sites ?? []).map((s) => ({ value: String(s.id), text: s.name }));
  const overdue = el('input', { attrs: { id: 'queue-overdue', type: 'checkbox', name: 'overdue' } });
  overdue.checked = filters.overdue;
  const form = el('form', { cls: 'filters', attrs: { id: 'queue-filters', 'aria-labelledby': 'queue-filters-title' } }, [
    el('h2', { cls: 'visually-hidden', key: 'queue.filtersTitle', attrs: { id: 'queue-filters-title' } }),
    select('queue-status', 'queue.filter.status', [{ value: '', key: 'queue.filter.any' }, ...STATUSES.map((s) => ({ value: s, key: `status.${s}` }))], filters.status),
    select('queue-category', 'queue.filter.category', [{ value: '', key: 'queue.filter.any' }, ...categories], filters.category),
    select('queue-site', 'queue.filter.site', [{ value: '', key: 'queue.filter.any' }, ...sites], filters.site),
    select('queue-escalated', 'queue.filter.escalated', [
      { value: '', key: 'queue.filter.any' },
      { value: '1', key: 'queue.filter.escalatedToUs' },
      { value: '0', key: 'queue.filter.handledByUs' },
    ], filters.escalated),
    el('div', { cls: 'field check' }, [overdue, el('label', { key: 'queue.filter.overdue', attrs: { for: 'queue-overdue' } })]),
    select('queue-order', 'queue.filter.order', [
      { value: 'deadline', key: 'queue.order.deadline' },
      { value: 'queue', key: 'queue.order.queue' },
    ], filters.order),
    el('button', { cls: 'secondary', key: 'queue.apply', attrs: { id: 'queue-apply', type: 'submit' } }),
  ]);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (isBusy()) return;
    filters.status = form.querySelector('#queue-status').value;
    filters.category = form.querySelector('#queue-category').value;
    filters.site = form.querySelector('#queue-site').value;
    filters.escalated = form.querySelector('#queue-escalated').value;
    filters.overdue = form.querySelector('#queue-overdue').checked;
    filters.order = form.querySelector('#queue-order').value;
    onApply();
  });
  return form;
}

function row(clue, directory, nowMs) {
  const link = el('a', { key: 'queue.openClue', params: { id: clue.clue_id.slice(0, 8) }, attrs: { href: `#/clue/${clue.clue_id}` } });
  const deadline = currentDeadline(clue);
  const deadlineCell = el('td', { cls: 'deadline' });
  if (deadline) {
    deadlineCell.append(el('span', { key: `queue.deadline.${deadline.kind}` }), ' ', setTime(el('time'), deadline.iso));
  } else {
    deadlineCell.append(el('span', { key: 'queue.deadline.none' }));
  }
  const badges = el('td', { cls: 'badges' });
  for (const b of badgesFor(clue, nowMs)) badges.append(el('span', { cls: `badge badge-${b}`, key: `badge.${b}`, attrs: { 'data-badge': b } }), ' ');
  return el('tr', { attrs: { 'data-clue-id': clue.clue_id, 'data-status': clue.status } }, [
    el('td', {}, [link]),
    setSiteName(el('td'), directory, clue.site_id),
    setLabel(el('td'), 'category', clue.category),
    setLabel(el('td', { cls: 'status' }), 'status', clue.status),
    el('td', {}, [setTime(el('time'), clue.received_at)]),
    deadlineCell,
    badges,
  ]);
}

registerView('queue', {
  navKey: 'nav.queue',
  roles: CLUE_ROLES,
  async render(container, ctx) {
    const current = renderToken();
    const directory = await ctx.directory();
    if (!current()) return;
    const awaiting = el('section', { cls: 'panel', attrs: { id: 'awaiting-keys', 'aria-labelledby': 'awaiting-keys-title', hidden: true } });
    const statusLine = el('p', { attrs: { id: 'queue-status', role: 'status' } });
    const errorBox = el('div', { cls: 'error', attrs: { id: 'queue-error', role: 'alert', hidden: true } });
    const body = el('tbody', { attrs: { id: 'queue-rows' } });
    const headers = ['clue', 'site', 'category', 'status', 'received', 'deadline', 'flags'].map((h) => el('th', { key: `queue.col.${h}`, attrs: { scope: 'col' } }));
    const table = el('table', { cls: 'queue', attrs: { id: 'queue-table' } }, [
      el('caption', { cls: 'visually-hidden', key: 'queue.caption' }),
      el('thead', {}, [el('tr', {}, headers)]),
      body,
    ]);
    const more = el('button', { cls: 'secondary', key: 'queue.more', attrs: { id: 'queue-more', type: 'button', hidden: true } });
    const badgeLegend = el('ul', { cls: 'legend' }, BADGES.map((b) => el('li', {}, [el('span', { cls: `badge badge-${b}`, key: `badge.${b}` }), ' ', el('span', { key: `badge.${b}.hint` })])));

    let loaded = [];
    let cursor = null;
    // Each load is numbered: only the latest one's answer is shown, so a
    // late "more" cannot add rows of other filters or set their cursor.
    let loadSeq = 0;
    let loading = false;
    let form = null;
    let focusedButton = null;
    const setBusy = (busy) => {
      loading = busy;
      const buttons = [form.querySelector('#queue-apply'), more];
      if (busy) focusedButton = buttons.find((b) => b === document.activeElement) ?? null;
      for (const b of buttons) b.disabled = busy;
      if (busy) form.setAttribute('aria-busy', 'true');
      else form.removeAttribute('aria-busy');
      // A button disabled under the focus loses it; it gets it back when the load is done.
      if (!busy && focusedButton && !focusedButton.hidden && (document.activeElement === document.body || document.activeElement === null)) focusedButton.focus();
      if (!busy) focusedButton = null;
    };
    const show = () => {
      const nowMs = Date.now();
      body.replaceChildren(...sortClues(loaded, filters.order).map((c) => row(c, directory, nowMs)));
      setText(statusLine, cursor ? 'queue.countMore' : 'queue.count', { count: loaded.length });
      more.hidden = !cursor;
    };
    const load = async (append) => {
      const seq = ++loadSeq;
      const latest = () => current() && seq === loadSeq;
      errorBox.hidden = true;
      setBusy(true);
      try {
        const page = await ctx.api.get('/api/v1/queue', queueQuery(filters, append ? cursor : null));
        if (!latest()) return;
        loaded = append ? [...loaded, ...page.clues] : page.clues;
        cursor = page.next_cursor;
        show();
      } catch (e) {
        if (!latest()) return;
        showError(errorBox, e);
        errorBox.hidden = false;
      } finally {
        if (latest()) setBusy(false);
      }
    };
    more.addEventListener('click', () => {
      if (!loading) load(true);
    });
    form = filterForm(directory, () => load(false), () => loading);

    container.append(
      el('h1', { key: 'queue.heading' }),
      awaiting,
      form,
      statusLine,
      errorBox,
      el('div', { cls: 'table-wrap', attrs: { tabindex: '0', role: 'region', 'aria-labelledby': 'queue-status' } }, [table]),
      more,
      el('details', { cls: 'legend-box' }, [el('summary', { key: 'queue.legend' }), badgeLegend]),
    );
    renderAwaitingKeys(awaiting, ctx, current).catch(() => {});
    await load(false);
  },
});
