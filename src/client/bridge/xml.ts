/**
 * A small, strict XML reader for the SOAP messages the bridge receives (Salesforce Outbound Messages): elements,
 * attributes, text, the five predefined entities and character references, comments, CDATA and the XML
 * declaration. A DOCTYPE is refused (no entity expansion, no external entities). Names keep their prefix; `local`
 * is the name without it, which is how the bridge matches elements (namespaces in outbound messages are fixed).
 */
export interface XmlElement {
  /** Qualified name as written, e.g. `sf:WhoId`. */
  name: string;
  /** Name without the prefix, e.g. `WhoId`. */
  local: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (character data directly inside it), entities decoded. */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string, position: number) {
    super(`${message} at character ${position}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?/;

export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;

  const fail = (message: string): never => {
    throw new XmlSyntaxError(message, i);
  };

  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < text.length) {
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0) fail('unterminated CDATA section');
      if (stack.length === 0) fail('character data outside the root element');
      stack[stack.length - 1]!.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      fail('DOCTYPE and other declarations are not accepted');
    } else if (text.startsWith('</', i)) {
      i += 2;
      const name = NAME.exec(text.slice(i))?.[0] ?? fail('expected an element name');
      i += name.length;
      skipSpace();
      if (text[i] !== '>') fail(`expected ">" to close </${name}`);
      i += 1;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`</${name}> does not close <${open?.name ?? '(nothing)'}>`);
      if (stack.length === 0) root = open!;
    } else if (text[i] === '<') {
      if (root) fail('content after the root element');
      i += 1;
      const name = NAME.exec(text.slice(i))?.[0] ?? fail('expected an element name');
      i += name.length;
      const el: XmlElement = { name, local: name.split(':').pop()!, attributes: {}, children: [], text: '' };
      for (;;) {
        const hadSpace = skipSpace();
        if (text.startsWith('/>', i)) {
          i += 2;
          attach(el, true);
          break;
        }
        if (text[i] === '>') {
          i += 1;
          attach(el, false);
          break;
        }
        if (!hadSpace) fail(`expected whitespace, ">" or "/>" in <${name}>`);
        const attr = NAME.exec(text.slice(i))?.[0] ?? fail(`expected an attribute name in <${name}>`);
        i += attr.length;
        skipSpace();
        if (text[i] !== '=') fail(`expected "=" after attribute ${attr}`);
        i += 1;
        skipSpace();
        const quote = text[i];
        if (quote !== '"' && quote !== "'") fail(`expected a quoted value for attribute ${attr}`);
        const end = text.indexOf(quote!, i + 1);
        if (end < 0) fail(`unterminated value of attribute ${attr}`);
        const value = text.slice(i + 1, end);
        if (value.includes('<')) fail(`"<" in the value of attribute ${attr}`);
        if (attr in el.attributes) fail(`duplicate attribute ${attr}`);
        el.attributes[attr] = decodeEntities(value, i, fail);
        i = end + 1;
      }
    } else {
      const end = text.indexOf('<', i);
      const chunk = text.slice(i, end < 0 ? text.length : end);
      if (stack.length === 0) {
        if (chunk.trim() !== '') fail('character data outside the root element');
      } else {
        stack[stack.length - 1]!.text += decodeEntities(chunk, i, fail);
      }
      i = end < 0 ? text.length : end;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) fail('no root element');
  return root!;

  function skipSpace(): boolean {
    const start = i;
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
    return i > start;
  }

  function attach(el: XmlElement, selfClosing: boolean): void {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    if (selfClosing) {
      if (!parent) root = el;
    } else {
      stack.push(el);
    }
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string, position: number, fail: (m: string) => never): string {
  return s.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) return fail(`bare "&" near character ${position}`);
    if (ref in ENTITIES) return ENTITIES[ref]!;
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(ref)?.[1] ?? /^#(\d{1,7})$/.exec(ref)?.[1];
    if (code !== undefined) {
      const n = ref.startsWith('#x') ? Number.parseInt(code, 16) : Number(code);
      if (n > 0 && n <= 0x10ffff) return String.fromCodePoint(n);
    }
    return fail(`unknown entity &${ref};`);
  });
}

/** The first child with this local name, or null. */
export function child(el: XmlElement, local: string): XmlElement | null {
  return el.children.find((c) => c.local === local) ?? null;
}

/** Trimmed text of the first child with this local name; null when absent, nil or empty. */
export function childText(el: XmlElement, local: string): string | null {
  const c = child(el, local);
  if (!c || isNil(c)) return null;
  const t = c.text.trim();
  return t === '' ? null : t;
}

function isNil(el: XmlElement): boolean {
  return Object.entries(el.attributes).some(([k, v]) => k.split(':').pop() === 'nil' && v === 'true');
}
