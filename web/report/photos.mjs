// Photo cleaning on the phone: decode and re-encode as JPEG, which leaves
// every piece of metadata behind (EXIF with GPS and maker notes, XMP, IPTC,
// ICC names), turned upright first (EXIF orientation) and scaled so that the
// long side is at most PHOTO_MAX_SIDE pixels.

import { PHOTO_QUALITY, fitWithin } from './logic.mjs';

/** Decodes an image file, upright. Resolves to {source, width, height, release}. */
async function decode(file) {
  if (typeof createImageBitmap === 'function') {
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
      return { source: bitmap, width: bitmap.width, height: bitmap.height, release: () => bitmap.close() };
    } catch {
      // fall through: some browsers decode more formats (HEIC on Safari) through <img>
    }
  }
  if (typeof document === 'undefined') throw new Error('cannot decode');
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    if (!img.naturalWidth || !img.naturalHeight) throw new Error('cannot decode');
    // <img> applies the EXIF orientation (CSS image-orientation: from-image).
    return { source: img, width: img.naturalWidth, height: img.naturalHeight, release: () => URL.revokeObjectURL(url) };
  } catch (e) {
    URL.revokeObjectURL(url);
    throw e;
  }
}

function draw(ctx, source, width, height) {
  ctx.fillStyle = '#ffffff'; // transparent PNG areas become white, not black
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(source, 0, 0, width, height);
}

async function encode(source, width, height) {
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (ctx && typeof canvas.convertToBlob === 'function') {
      draw(ctx, source, width, height);
      return canvas.convertToBlob({ type: 'image/jpeg', quality: PHOTO_QUALITY });
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no canvas');
  draw(ctx, source, width, height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', PHOTO_QUALITY));
  canvas.width = 0;
  canvas.height = 0;
  return blob;
}

/**
 * A photo without its metadata: a new JPEG of the decoded pixels.
 * @param {Blob} file
 * @returns {Promise<Blob>} image/jpeg
 * @throws when this browser cannot decode the file (the page then sends it
 *   as it is, with a warning)
 */
export async function cleanPhoto(file) {
  const decoded = await decode(file);
  try {
    const { width, height } = fitWithin(decoded.width, decoded.height);
    const blob = await encode(decoded.source, width, height);
    if (!blob || blob.type !== 'image/jpeg' || blob.size === 0) throw new Error('cannot encode');
    return blob;
  } finally {
    decoded.release();
  }
}
