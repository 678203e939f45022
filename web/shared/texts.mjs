// What the citizen pages and the console share about texts: filling a
// catalog entry's "{name}" placeholders, numbers in a language, and catalog
// texts bound to DOM nodes (data-i18n, data-i18n-params, data-i18n-attr),
// so that a change of language re-renders them. Each page keeps its own
// catalogs, translator and formats of dates; only the mechanism is here.

/**
 * Fills "{name}" placeholders of template from params; formatOne turns a
 * parameter into text. A placeholder without a parameter stays as it is.
 * @param {string} template
 * @param {Record<string, unknown> | undefined} params
 * @param {(value: unknown) => string} formatOne
 */
export function fillPlaceholders(template, params, formatOne) {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name) => {
    if (!params || !(name in params)) return whole;
    return formatOne(params[name]);
  });
}

/** A number in the language's notation (the digits as they are if Intl does not know the tag). */
export function formatNumber(n, lang) {
  try {
    return new Intl.NumberFormat(lang).format(n);
  } catch {
    return String(n);
  }
}

/**
 * The DOM side of a page's catalog: translate(key, params) is called each
 * time, so the page may swap its translator on a change of language.
 * @param {(key: string, params?: object) => string} translate
 */
export function bindTexts(translate) {
  /** Sets an element's text from the catalog, and remembers key and parameters for a change of language. */
  function setText(node, key, params) {
    node.dataset.i18n = key;
    if (params !== undefined) node.dataset.i18nParams = JSON.stringify(params);
    else delete node.dataset.i18nParams;
    node.textContent = translate(key, params);
    return node;
  }

  /** An element's text that does not come from the catalog (names, report text, file names). */
  function setPlain(node, text) {
    delete node.dataset.i18n;
    delete node.dataset.i18nParams;
    node.textContent = text;
    return node;
  }

  /** An attribute (aria-label, placeholder) from the catalog, kept across a change of language. */
  function setAttrText(node, attr, key, params) {
    const map = node.dataset.i18nAttr ? JSON.parse(node.dataset.i18nAttr) : {};
    map[attr] = [key, params ?? null];
    node.dataset.i18nAttr = JSON.stringify(map);
    node.setAttribute(attr, translate(key, params ?? undefined));
  }

  /** Renders every bound text and attribute under root again (after a change of language). */
  function applyTexts(root) {
    for (const node of root.querySelectorAll('[data-i18n]')) {
      const params = node.dataset.i18nParams ? JSON.parse(node.dataset.i18nParams) : undefined;
      node.textContent = translate(node.dataset.i18n, params);
    }
    for (const node of root.querySelectorAll('[data-i18n-attr]')) {
      for (const [attr, [key, params]] of Object.entries(JSON.parse(node.dataset.i18nAttr))) {
        node.setAttribute(attr, translate(key, params ?? undefined));
      }
    }
  }

  return { setText, setPlain, setAttrText, applyTexts };
}
