// Body building, limits and upload arithmetic (web/report/logic.mjs),
// checked against the crypto module where they meet it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as cc from '../../crypto/clueline-crypto.mjs';
import {
  LIMITS,
  LimitError,
  MAX_FILE_BYTES,
  buildAttachmentMessage,
  buildReportBody,
  checkAttachments,
  checkReportForm,
  fitWithin,
  isCleanableImage,
  nextAttachmentIndex,
  parseSitePath,
  photoName,
  resumePart,
  retryAfterSeconds,
  safeFileName,
  storedAttachmentBytes,
  streamLength,
  uploadParts,
  utf8Length,
} from '../logic.mjs';

await cc.ready();

test('buildReportBody has the shape of clueline submit', () => {
  assert.equal(buildReportBody({ text: 'hello' }, cc.PAYLOAD_MAX_PLAINTEXT), '{"v":1,"text":"hello"}');
  assert.equal(buildReportBody({ text: 'a', contact: '  ' }, cc.PAYLOAD_MAX_PLAINTEXT), '{"v":1,"text":"a"}', 'blank contact left out');
  const body = JSON.parse(
    buildReportBody(
      {
        text: '村干部\n"quoted"',
        contact: ' 138 0000 0000 ',
        attachments: [{ id: 'attachment-0', key: 'k'.repeat(43), name: 'photo-1.jpg', type: 'image/jpeg', size: 1234, extra: 'dropped' }],
      },
      cc.PAYLOAD_MAX_PLAINTEXT,
    ),
  );
  assert.deepEqual(body, {
    v: 1,
    text: '村干部\n"quoted"',
    contact: '138 0000 0000',
    attachments: [{ id: 'attachment-0', key: 'k'.repeat(43), name: 'photo-1.jpg', type: 'image/jpeg', size: 1234 }],
  });
  assert.deepEqual(Object.keys(body), ['v', 'text', 'contact', 'attachments']);
});

test('buildReportBody refuses a body that would not fit a sealed payload', () => {
  assert.throws(() => buildReportBody({ text: 'x'.repeat(cc.PAYLOAD_MAX_PLAINTEXT) }, cc.PAYLOAD_MAX_PLAINTEXT), (e) => e instanceof LimitError && e.code === 'tooLong');
  const fits = 'x'.repeat(cc.PAYLOAD_MAX_PLAINTEXT - '{"v":1,"text":""}'.length);
  assert.equal(utf8Length(buildReportBody({ text: fits }, cc.PAYLOAD_MAX_PLAINTEXT)), cc.PAYLOAD_MAX_PLAINTEXT);
});

test('the largest report the form allows fits and seals (CJK text, contact, eight long file names)', () => {
  const text = '举'.repeat(LIMITS.maxTextChars);
  const contact = '联'.repeat(LIMITS.maxContactChars);
  const attachments = Array.from({ length: LIMITS.maxAttachments }, (_, i) => ({
    id: `attachment-${i}`,
    key: cc.base64urlEncode(cc.generateAttachmentKey()),
    name: safeFileName('文'.repeat(500) + '.docx'),
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    size: MAX_FILE_BYTES,
  }));
  const body = buildReportBody({ text, contact, attachments }, cc.PAYLOAD_MAX_PLAINTEXT);
  assert.ok(utf8Length(body) <= cc.PAYLOAD_MAX_PLAINTEXT, `${utf8Length(body)} bytes`);
  const pk = cc.generateBoxKeyPair();
  const sealed = cc.sealPayload('message', new Uint8Array(16), [pk.publicKey], body);
  assert.equal(new TextDecoder().decode(cc.openPayload('message', new Uint8Array(16), sealed, pk)), body);
});

test('utf8Length agrees with TextEncoder', () => {
  for (const s of ['', 'abc', 'é', '举报', '😀', 'a😀b举', '\u{10FFFF}', 'x\ny']) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).length, s);
  }
});

test('streamLength is the length encryptAttachment produces', () => {
  const key = cc.generateAttachmentKey();
  for (const size of [0, 1, 65535, 65536, 65537, 200000]) {
    assert.equal(cc.encryptAttachment(new Uint8Array(size), key).length, streamLength(size), `size ${size}`);
  }
});

test('MAX_FILE_BYTES is the largest file whose stream fits 16 MiB', () => {
  assert.ok(streamLength(MAX_FILE_BYTES) <= LIMITS.maxAttachmentBytes);
  assert.ok(streamLength(MAX_FILE_BYTES + 1) > LIMITS.maxAttachmentBytes);
});

test('checkAttachments: count, size per file, total, empty files, with what the clue has', () => {
  assert.deepEqual(checkAttachments([{ name: 'a', size: 10 }]), []);
  const codes = (p) => p.map((e) => e.code);
  assert.deepEqual(codes(checkAttachments(Array.from({ length: 9 }, (_, i) => ({ name: `f${i}`, size: 1 })))), ['tooManyFiles']);
  assert.deepEqual(codes(checkAttachments([{ name: 'a', size: 1 }], { count: 8 })), ['tooManyFiles']);
  assert.equal(checkAttachments([{ name: 'a', size: 1 }], { count: 7 }).length, 0);
  assert.deepEqual(codes(checkAttachments([{ name: 'big', size: MAX_FILE_BYTES + 1 }])), ['fileTooLarge']);
  assert.deepEqual(checkAttachments([{ name: 'big', size: MAX_FILE_BYTES + 1 }])[0].params.name, 'big');
  assert.deepEqual(codes(checkAttachments([{ name: 'e', size: 0 }])), ['fileEmpty']);
  const four = Array.from({ length: 4 }, (_, i) => ({ name: `f${i}`, size: MAX_FILE_BYTES }));
  assert.deepEqual(codes(checkAttachments(four)), [], 'four files of the largest size fit 64 MiB');
  assert.deepEqual(codes(checkAttachments([...four, { name: 'x', size: 1 }])), [], 'and one more small one');
  assert.deepEqual(codes(checkAttachments([...four, { name: 'x', size: 300000 }])), ['totalTooLarge']);
  assert.deepEqual(codes(checkAttachments([{ name: 'x', size: 100 }], { count: 1, bytes: LIMITS.maxTotalBytes })), ['totalTooLarge']);
});

test('checkReportForm: category and text are required', () => {
  const codes = (f) => checkReportForm(f).map((e) => e.code);
  assert.deepEqual(codes({ category: 'bribery', text: 'x' }), []);
  assert.deepEqual(codes({ text: 'x' }), ['categoryRequired']);
  assert.deepEqual(codes({ category: 'bribery', text: '   ' }), ['textRequired']);
  assert.deepEqual(codes({ category: 'bribery', text: 'x'.repeat(LIMITS.maxTextChars + 1) }), ['tooLong']);
  assert.deepEqual(codes({ category: 'bribery', text: 'x', contact: 'c'.repeat(LIMITS.maxContactChars + 1) }), ['contactTooLong']);
});

test('uploadParts cuts a stream into parts of at most 1 MiB, the last final', () => {
  const MiB = 1 << 20;
  assert.deepEqual(uploadParts(100), [{ part: 0, offset: 0, size: 100, final: true }]);
  assert.deepEqual(uploadParts(2 * MiB), [
    { part: 0, offset: 0, size: MiB, final: false },
    { part: 1, offset: MiB, size: MiB, final: true },
  ]);
  const parts = uploadParts(streamLength(MAX_FILE_BYTES));
  assert.equal(parts.length, 16);
  assert.equal(parts.reduce((n, p) => n + p.size, 0), streamLength(MAX_FILE_BYTES));
  assert.ok(parts.every((p, i) => p.final === (i === parts.length - 1) && p.size <= MiB));
});

test('resumePart continues after the parts the server holds', () => {
  assert.equal(resumePart(0), 0);
  assert.equal(resumePart(3 << 20), 3);
  assert.equal(resumePart(100), null);
  assert.equal(resumePart(-1), null);
});

test('nextAttachmentIndex and storedAttachmentBytes read the follow-up list', () => {
  assert.equal(nextAttachmentIndex([]), 0);
  assert.equal(nextAttachmentIndex([{ n: 0 }, { n: 2 }]), 3);
  assert.equal(storedAttachmentBytes([{ n: 0, bytes: 10 }, { n: 1, bytes: 5 }]), 15);
});

test('buildAttachmentMessage names each upload index', () => {
  const m = JSON.parse(buildAttachmentMessage('more', [{ n: 2, id: 'attachment-2', key: 'K', name: 'a.pdf', type: 'application/pdf', size: 3 }], cc.PAYLOAD_MAX_PLAINTEXT));
  assert.deepEqual(m, { v: 1, text: 'more', attachments: [{ n: 2, id: 'attachment-2', key: 'K', name: 'a.pdf', type: 'application/pdf', size: 3 }] });
});

test('retryAfterSeconds reads seconds or an HTTP date, bounded', () => {
  assert.equal(retryAfterSeconds('7'), 7);
  assert.equal(retryAfterSeconds(null), 5);
  assert.equal(retryAfterSeconds('garbage'), 5);
  assert.equal(retryAfterSeconds('0'), 1);
  assert.equal(retryAfterSeconds('99999'), 600);
  const now = Date.parse('2026-11-23T10:00:00Z');
  assert.equal(retryAfterSeconds('Mon, 23 Nov 2026 10:00:30 GMT', now), 30);
});

test('parseSitePath takes the token from /s/{token} and /s/{token}/followup', () => {
  const token = 'A'.repeat(113) + '_-';
  assert.deepEqual(parseSitePath(`/s/${token}`), { token, page: 'report' });
  assert.deepEqual(parseSitePath(`/s/${token}/`), { token, page: 'report' });
  assert.deepEqual(parseSitePath(`/s/${token}/followup`), { token, page: 'followup' });
  assert.equal(parseSitePath(`/s/${token}x`), null);
  assert.equal(parseSitePath(`/s/${token.slice(1)}`), null);
  assert.equal(parseSitePath(`/s/${token.slice(1)}=`), null);
  assert.equal(parseSitePath('/'), null);
  assert.equal(parseSitePath(`/x/${token}`), null);
  assert.equal(parseSitePath(`/s/${token}/other`), null);
});

test('photos: which are cleaned, their size and their names', () => {
  for (const [type, name] of [['image/jpeg', 'a.jpg'], ['image/png', ''], ['image/webp', ''], ['image/heic', ''], ['', 'IMG_1.HEIC'], ['', 'x.jpeg']]) {
    assert.ok(isCleanableImage(type, name), `${type} ${name}`);
  }
  for (const [type, name] of [['application/pdf', 'a.pdf'], ['image/gif', 'a.gif'], ['video/mp4', 'a.mp4'], ['', 'notes.txt']]) {
    assert.ok(!isCleanableImage(type, name), `${type} ${name}`);
  }
  assert.deepEqual(fitWithin(4032, 3024), { width: 2560, height: 1920 });
  assert.deepEqual(fitWithin(3024, 4032), { width: 1920, height: 2560 });
  assert.deepEqual(fitWithin(800, 600), { width: 800, height: 600 });
  assert.equal(photoName(3), 'photo-3.jpg');
});

test('safeFileName drops paths and control characters and bounds the length', () => {
  assert.equal(safeFileName('C:\\Users\\x\\report.pdf'), 'report.pdf');
  assert.equal(safeFileName('../../etc/passwd'), 'passwd');
  assert.equal(safeFileName('a\u0000b\nc.txt'), 'abc.txt');
  assert.equal(safeFileName(''), 'file');
  const long = safeFileName('n'.repeat(300) + '.pdf');
  assert.equal(long.length, LIMITS.maxNameChars);
  assert.ok(long.endsWith('.pdf'));
});
