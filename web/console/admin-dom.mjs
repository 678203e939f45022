// DOM helpers of the hot spots, poster check and administration views.
// Elements are made with createElement and filled with textContent only:
// names and codes from the server never become markup.

/**
 * An element: attrs are set as attributes (class, id, for, type, …; a
 * value of true sets an empty attribute, false or null leaves it out);
 * children are nodes or plain strings (text nodes).
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value == null) continue;
    // Styles are never attributes: the CSP refuses inline style.
    if (name === 'style') throw new Error('el(): no style attribute');
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of [children].flat()) {
    if (child == null) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** An element whose text is a catalog entry, kept across a change of language. */
export function tel(ctx, tag, key, params, attrs = {}) {
  const node = el(tag, attrs);
  ctx.setText(node, key, params);
  return node;
}

/** A label and its control in one block. */
export function field(ctx, labelKey, control, hintKey) {
  const label = tel(ctx, 'label', labelKey, undefined, { for: control.id });
  const parts = [label];
  if (hintKey) {
    const hint = tel(ctx, 'p', hintKey, undefined, { class: 'cl-hint', id: `${control.id}-hint` });
    control.setAttribute('aria-describedby', hint.id);
    parts.push(hint);
  }
  parts.push(control);
  return el('div', { class: 'cl-field' }, parts);
}

/** A <select> of options [{value, key?, params?, text?}]; text is shown as is (names from the directory). */
export function select(ctx, id, options, selected) {
  const node = el('select', { id, name: id });
  for (const o of options) {
    const option = el('option', { value: o.value });
    if (o.key) ctx.setText(option, o.key, o.params);
    else option.textContent = o.text;
    if (String(o.value) === String(selected)) option.selected = true;
    node.append(option);
  }
  return node;
}

/** A status line that shows a catalog text (or nothing): role=status for polite messages, alert for errors. */
export function messageLine(id, role = 'status') {
  const node = el('p', { id, class: 'cl-message', role });
  node.hidden = true;
  return node;
}

export function showMessage(ctx, node, key, params, kind = 'info') {
  if (!key) {
    node.hidden = true;
    node.textContent = '';
    delete node.dataset.i18n;
    delete node.dataset.i18nParams;
    delete node.dataset.kind;
    return;
  }
  ctx.setText(node, key, params);
  node.dataset.kind = kind;
  node.hidden = false;
}

let confirmCounter = 0;

/**
 * Asks to confirm a change in a modal <dialog> (focus stays inside, Esc
 * cancels). Resolves true when confirmed. title/text/ok are catalog keys
 * with their parameters.
 */
export function confirmDialog(ctx, { titleKey, textKey, okKey, params, danger = false }) {
  return new Promise((resolve) => {
    const n = ++confirmCounter;
    const title = tel(ctx, 'h2', titleKey, params, { id: `admin-confirm-title-${n}` });
    const text = tel(ctx, 'p', textKey, params, { id: 'admin-confirm-text' });
    const ok = tel(ctx, 'button', okKey, params, { type: 'button', id: 'admin-confirm-ok', class: danger ? 'cl-button cl-danger' : 'cl-button' });
    const cancel = tel(ctx, 'button', 'admin.confirm.cancel', undefined, { type: 'button', id: 'admin-confirm-cancel', class: 'cl-button cl-secondary' });
    const dialog = el('dialog', { id: 'admin-confirm', class: 'cl-dialog', 'aria-labelledby': title.id, 'aria-describedby': text.id }, [
      title, text, el('div', { class: 'cl-actions' }, [cancel, ok]),
    ]);
    const opener = document.activeElement;
    let answered = false;
    const finish = (value) => {
      if (answered) return;
      answered = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(value);
    };
    ok.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('close', () => finish(false));
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has the focus: Enter alone never disables anyone.
    cancel.focus();
  });
}

/** Removes an open confirmation (when the view is left while it is open). */
export function closeDialogs() {
  for (const d of document.querySelectorAll('dialog.cl-dialog')) d.close();
}
