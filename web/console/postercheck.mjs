// Poster check (#/poster-check): a supervisor photographs a poster on a
// wall (or picks a photo) and the server says, for each QR code in it,
// whether it is one of this deployment's current codes. A forged copy that
// leads elsewhere is how a reporter would be phished, so the verdict says
// what to do in plain words, and shows the poster code to compare with
// the one printed at the poster's foot.

import { registerView } from './shell.mjs';
import { el, messageLine, showMessage, tel } from './admin-dom.mjs';
import { MAX_PHOTO_BYTES, ROLES, photoContentType, posterCheckErrorKey, verdictView } from './admin-logic.mjs';

let current = null;

registerView('poster-check', {
  navKey: 'postercheck.nav',
  roles: [...ROLES],
  async render(container, ctx) {
    leave();
    current = { previewUrl: null, generation: 0 };
    renderView(container, ctx, current);
  },
  leave,
});

function leave() {
  if (!current) return;
  if (current.previewUrl) URL.revokeObjectURL(current.previewUrl);
  current.generation += 1;
  current = null;
}

function renderView(container, ctx, view) {
  const camera = el('input', {
    id: 'postercheck-file', type: 'file', accept: 'image/jpeg,image/png', capture: 'environment', class: 'cl-file-input',
  });
  const pick = el('input', { id: 'postercheck-pick', type: 'file', accept: 'image/jpeg,image/png', class: 'cl-file-input' });
  const chosen = tel(ctx, 'p', 'postercheck.noPhoto', undefined, { id: 'postercheck-chosen', class: 'cl-hint' });
  const preview = el('img', { id: 'postercheck-preview', class: 'postercheck-preview', alt: '' });
  preview.hidden = true;
  const submit = tel(ctx, 'button', 'postercheck.submit', undefined, { type: 'submit', id: 'postercheck-submit', class: 'cl-button', disabled: true });
  const error = messageLine('postercheck-error', 'alert');
  const status = messageLine('postercheck-status');
  const verdict = el('section', { id: 'postercheck-verdict', class: 'cl-panel postercheck-verdict', 'aria-labelledby': 'postercheck-verdict-title', tabindex: '-1' });
  verdict.hidden = true;

  const form = el('form', { id: 'postercheck-form', class: 'cl-form', novalidate: true }, [
    el('div', { class: 'cl-field' }, [
      tel(ctx, 'label', 'postercheck.camera', undefined, { for: camera.id }),
      tel(ctx, 'p', 'postercheck.cameraHint', undefined, { class: 'cl-hint', id: 'postercheck-file-hint' }),
      camera,
    ]),
    el('div', { class: 'cl-field' }, [tel(ctx, 'label', 'postercheck.pick', undefined, { for: pick.id }), pick]),
    chosen,
    preview,
    el('div', { class: 'cl-actions' }, [submit]),
  ]);
  camera.setAttribute('aria-describedby', 'postercheck-file-hint');

  container.replaceChildren(el('div', { class: 'cl-view postercheck' }, [
    tel(ctx, 'h1', 'postercheck.title', undefined, { id: 'postercheck-title' }),
    tel(ctx, 'p', 'postercheck.intro', undefined, { class: 'cl-intro' }),
    tel(ctx, 'p', 'postercheck.privacy', undefined, { class: 'cl-hint' }),
    form, error, status, verdict,
  ]));

  let file = null;
  const choose = (input) => {
    const f = input.files?.[0] ?? null;
    // One photo at a time: the other picker is cleared so that it is clear which is sent.
    (input === camera ? pick : camera).value = '';
    file = f;
    verdict.hidden = true;
    showMessage(ctx, error, null);
    if (view.previewUrl) URL.revokeObjectURL(view.previewUrl);
    view.previewUrl = null;
    if (!f) {
      ctx.setText(chosen, 'postercheck.noPhoto');
      preview.hidden = true;
      submit.disabled = true;
      return;
    }
    ctx.setText(chosen, 'postercheck.chosen', { name: f.name, size: ctx.formatNumber(Math.ceil(f.size / 1024)) });
    view.previewUrl = URL.createObjectURL(f);
    preview.src = view.previewUrl;
    preview.alt = ctx.t('postercheck.previewAlt');
    preview.hidden = false;
    submit.disabled = false;
  };
  camera.addEventListener('change', () => choose(camera));
  pick.addEventListener('change', () => choose(pick));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!file) return;
    const generation = view.generation;
    showMessage(ctx, error, null);
    verdict.hidden = true;
    if (file.size > MAX_PHOTO_BYTES) {
      showMessage(ctx, error, posterCheckErrorKey(413), undefined, 'error');
      return;
    }
    submit.disabled = true;
    showMessage(ctx, status, 'postercheck.checking');
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const type = photoContentType(bytes, file.type);
      if (!type) {
        showMessage(ctx, error, posterCheckErrorKey(415), undefined, 'error');
        return;
      }
      const answer = await ctx.api.postBytes('/api/v1/qr/verify', bytes, type);
      if (generation !== view.generation) return;
      showVerdict(ctx, verdict, verdictView(answer));
      verdict.hidden = false;
      verdict.focus();
      ctx.announce(ctx.t(`postercheck.verdict.${verdictView(answer).verdict}.title`));
    } catch (e) {
      if (generation !== view.generation) return;
      showMessage(ctx, error, posterCheckErrorKey(e?.status), undefined, 'error');
    } finally {
      if (generation === view.generation) {
        showMessage(ctx, status, null);
        submit.disabled = false;
      }
    }
  });
}

function showVerdict(ctx, section, view) {
  section.dataset.verdict = view.verdict;
  const parts = [
    tel(ctx, 'h2', `postercheck.verdict.${view.verdict}.title`, undefined, { id: 'postercheck-verdict-title', class: `postercheck-title postercheck-${view.verdict}` }),
    tel(ctx, 'p', `postercheck.verdict.${view.verdict}.advice`),
  ];
  if (view.codes.length > 1) parts.push(tel(ctx, 'p', 'postercheck.codesFound', { count: view.codes.length }));
  const list = el('ol', { class: 'postercheck-codes' });
  view.codes.forEach((code, i) => {
    const items = [
      tel(ctx, 'h3', 'postercheck.code.heading', { n: i + 1 }),
      tel(ctx, 'p', `postercheck.code.${code.verdict}`, undefined, { class: `postercheck-code-verdict postercheck-${code.verdict}` }),
    ];
    const facts = [];
    if (code.site) {
      facts.push(
        [tel(ctx, 'dt', 'postercheck.site'), el('dd', { class: 'postercheck-site-name' }, code.site.name)],
        [tel(ctx, 'dt', 'postercheck.unit'), el('dd', { class: 'postercheck-unit-name' }, code.site.unitName)],
        [tel(ctx, 'dt', 'postercheck.posterCode'), el('dd', { class: 'postercheck-poster-code cl-code' }, code.site.posterCode)],
      );
    }
    if (code.text !== null && code.text !== '') {
      facts.push([tel(ctx, 'dt', 'postercheck.codeText'), el('dd', { class: 'postercheck-code-text cl-code' }, code.text)]);
    }
    if (facts.length) items.push(el('dl', { class: 'cl-facts' }, facts.map((pair) => el('div', {}, pair))));
    // A forged copy prints the genuine code too: comparing it proves nothing.
    if (code.site && (code.verdict === 'genuine' || code.verdict === 'revoked')) items.push(tel(ctx, 'p', 'postercheck.compare', { code: code.site.posterCode }, { class: 'cl-hint' }));
    list.append(el('li', { 'data-verdict': code.verdict }, items));
  });
  if (view.codes.length) parts.push(list);
  section.replaceChildren(...parts);
}
