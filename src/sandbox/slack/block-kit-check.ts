/**
 * The Block Kit rules Slack enforces on chat.postMessage / chat.update, for the blocks this product sends
 * (header, section, context, actions with buttons and static selects, divider, image). Slack rejects a message
 * that breaks one with `invalid_blocks` and messages such as
 * "[ERROR] must be less than 151 characters [json-pointer:/blocks/0/text/text]"; the emulator does the same, so
 * a renderer that breaks a limit fails in tests, not in production.
 */

type Json = Record<string, unknown>;

export function blockKitErrors(blocks: unknown): string[] {
  const errors: string[] = [];
  const err = (pointer: string, msg: string) => errors.push(`[ERROR] ${msg} [json-pointer:${pointer}]`);
  if (!Array.isArray(blocks)) {
    err('/blocks', 'must be an array');
    return errors;
  }
  if (blocks.length > 50) err('/blocks', 'must contain no more than 50 items');
  const blockIds = new Set<string>();
  blocks.forEach((raw, i) => {
    const p = `/blocks/${i}`;
    if (!isObject(raw)) return err(p, 'must be an object');
    const b = raw;
    if (b.block_id !== undefined) {
      if (typeof b.block_id !== 'string' || b.block_id.length === 0 || b.block_id.length > 255) {
        err(`${p}/block_id`, 'must be a string of 1 to 255 characters');
      } else if (blockIds.has(b.block_id)) {
        err(`${p}/block_id`, 'must be unique within the message');
      } else blockIds.add(b.block_id);
    }
    switch (b.type) {
      case 'header':
        textObject(b.text, `${p}/text`, 150, err, ['plain_text']);
        break;
      case 'section':
        if (b.text === undefined && b.fields === undefined) err(p, 'must provide text or fields');
        if (b.text !== undefined) textObject(b.text, `${p}/text`, 3000, err);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields) || b.fields.length === 0 || b.fields.length > 10) {
            err(`${p}/fields`, 'must contain 1 to 10 items');
          } else b.fields.forEach((f, j) => textObject(f, `${p}/fields/${j}`, 2000, err));
        }
        break;
      case 'context':
        if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 10) {
          err(`${p}/elements`, 'must contain 1 to 10 items');
        } else b.elements.forEach((e, j) => textObject(e, `${p}/elements/${j}`, 3000, err));
        break;
      case 'actions':
        actions(b, p, err);
        break;
      case 'divider':
        break;
      case 'image':
        if (typeof b.image_url !== 'string' || typeof b.alt_text !== 'string')
          err(p, 'image needs image_url and alt_text');
        break;
      default:
        err(`${p}/type`, `unsupported type: ${String(b.type)}`);
    }
  });
  return errors;
}

function actions(b: Json, p: string, err: (p: string, m: string) => void): void {
  if (!Array.isArray(b.elements) || b.elements.length === 0 || b.elements.length > 25) {
    err(`${p}/elements`, 'must contain 1 to 25 items');
    return;
  }
  const actionIds = new Set<string>();
  b.elements.forEach((raw, j) => {
    const q = `${p}/elements/${j}`;
    if (!isObject(raw)) return err(q, 'must be an object');
    const e = raw;
    if (e.action_id !== undefined) {
      if (typeof e.action_id !== 'string' || e.action_id.length === 0 || e.action_id.length > 255) {
        err(`${q}/action_id`, 'must be a string of 1 to 255 characters');
      } else if (actionIds.has(e.action_id)) {
        err(`${q}/action_id`, 'must be unique within the block');
      } else actionIds.add(e.action_id);
    }
    if (e.type === 'button') {
      textObject(e.text, `${q}/text`, 75, err, ['plain_text']);
      maxString(e.value, `${q}/value`, 2000, err);
      maxString(e.url, `${q}/url`, 3000, err);
      if (e.style !== undefined && e.style !== 'primary' && e.style !== 'danger')
        err(`${q}/style`, 'must be primary or danger');
    } else if (e.type === 'static_select') {
      textObject(e.placeholder, `${q}/placeholder`, 150, err, ['plain_text']);
      if (!Array.isArray(e.options) || e.options.length === 0 || e.options.length > 100) {
        err(`${q}/options`, 'must contain 1 to 100 items');
      } else {
        e.options.forEach((o, k) => {
          const r = `${q}/options/${k}`;
          if (!isObject(o)) return err(r, 'must be an object');
          textObject(o.text, `${r}/text`, 75, err, ['plain_text']);
          if (typeof o.value !== 'string' || o.value.length === 0) err(`${r}/value`, 'is required');
          else maxString(o.value, `${r}/value`, 75, err);
        });
      }
      if (e.confirm !== undefined) confirm(e.confirm, `${q}/confirm`, err);
    } else {
      err(`${q}/type`, `unsupported element type: ${String(e.type)}`);
    }
  });
}

function confirm(c: unknown, p: string, err: (p: string, m: string) => void): void {
  if (!isObject(c)) return err(p, 'must be an object');
  textObject(c.title, `${p}/title`, 100, err, ['plain_text']);
  textObject(c.text, `${p}/text`, 300, err);
  textObject(c.confirm, `${p}/confirm`, 30, err, ['plain_text']);
  textObject(c.deny, `${p}/deny`, 30, err, ['plain_text']);
}

function textObject(
  t: unknown,
  p: string,
  max: number,
  err: (p: string, m: string) => void,
  types: string[] = ['plain_text', 'mrkdwn'],
): void {
  if (!isObject(t)) return err(p, 'must be a text object');
  if (!types.includes(String(t.type))) err(`${p}/type`, `must be one of ${types.join(', ')}`);
  if (typeof t.text !== 'string' || t.text.length === 0) return err(`${p}/text`, 'must be a non-empty string');
  if (t.text.length > max) err(`${p}/text`, `must be less than ${max + 1} characters`);
}

function maxString(v: unknown, p: string, max: number, err: (p: string, m: string) => void): void {
  if (v === undefined) return;
  if (typeof v !== 'string') return err(p, 'must be a string');
  if (v.length > max) err(p, `must be less than ${max + 1} characters`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
