// Names of things for display: catalog entries for what the catalogs know
// (statuses, categories, levels, outcomes, badges), the directory's names
// for units and sites, and the raw value for anything new.

import { setPlain, setText, hasText } from './shell.mjs';
import { siteById, unitById } from './logic.mjs';

/** Sets node to the catalog's name of a category/level/status…, or the value itself when the catalog has none. */
export function setLabel(node, prefix, value) {
  const key = `${prefix}.${value}`;
  if (value && hasText(key)) setText(node, key);
  else if (value) setPlain(node, value);
  else setText(node, 'common.none');
  return node;
}

export function setUnitName(node, directory, id) {
  const unit = unitById(directory, id);
  if (unit) setPlain(node, unit.name);
  else setText(node, 'common.unitNumber', { id });
  return node;
}

export function setSiteName(node, directory, id) {
  const site = siteById(directory, id);
  if (site) setPlain(node, site.name);
  else setText(node, 'common.siteNumber', { id });
  return node;
}

/** A time as the catalog's time format, re-rendered on a change of language. */
export function setTime(node, iso) {
  if (iso === null || iso === undefined) return setText(node, 'common.never');
  node.dateTime = iso;
  return setText(node, 'common.time', { time: { $date: iso } });
}
