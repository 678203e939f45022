// A confirmation before an action that cannot be undone: a modal <dialog>
// (focus kept inside, Escape cancels), its texts from the catalog; closed,
// it gives the focus back to the control that opened it.

import { el } from './shell.mjs';

/**
 * @param {{titleKey: string, textKey: string, params?: object, confirmKey: string, opener?: Element}} texts
 *   opener: where the focus returns (by default the element focused when it opened)
 * @returns {Promise<boolean>} whether the person confirmed
 */
export function confirmAction({ titleKey, textKey, params, confirmKey, opener = document.activeElement }) {
  return new Promise((resolve) => {
    const ok = el('button', { cls: 'primary', key: confirmKey, attrs: { type: 'button', id: 'confirm-ok' } });
    const cancel = el('button', { cls: 'secondary', key: 'common.cancel', attrs: { type: 'button', id: 'confirm-cancel' } });
    const dialog = el('dialog', { cls: 'confirm', attrs: { 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-text' } }, [
      el('h2', { key: titleKey, params, attrs: { id: 'confirm-title' } }),
      el('p', { key: textKey, params, attrs: { id: 'confirm-text' } }),
      el('div', { cls: 'actions' }, [ok, cancel]),
    ]);
    let answered = false;
    const finish = (value) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected && !opener.disabled) opener.focus();
      resolve(value);
    };
    ok.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    dialog.addEventListener('cancel', () => finish(false));
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
