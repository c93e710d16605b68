/**
 * The SOQL the adapters send (src/activities/salesforce), parsed properly (tokenizer + recursive descent), and
 * nothing more:
 *
 *   SELECT field, …  FROM object
 *   [WHERE term AND term …  |  WHERE term OR term …]      one connective per query, no parentheses
 *        term := field = literal | field IN ( literal, … ) | field LIKE 'pattern'
 *   [ORDER BY field [ASC|DESC]]  [LIMIT n]
 *
 * Literals: 'strings' with the escapes `soqlString`/`soqlContains` write (\' \" \\ \n \r \t \b \f, and \_ \% for
 * literal wildcards), true and false. Like Salesforce: keywords and field names are case-insensitive, text
 * comparisons and LIKE are case-insensitive, ids match in 15 or 18 characters, ASC sorts nulls first and DESC last.
 *
 * Anything else — other operators, NOT, parentheses, null, numbers and dates, relationship fields, COUNT() and
 * other aggregates, GROUP BY, several ORDER BY fields, NULLS FIRST/LAST, OFFSET, subqueries — is answered 400
 * MALFORMED_QUERY, so an adapter that starts sending something new fails in its tests rather than getting an
 * answer the emulator guessed. AND mixed with OR without parentheses is refused by Salesforce too.
 */
import { fault, SalesforceFault } from './faults';
import type { FieldDef, ObjectDef, OrgSchema } from './schema';

type Literal = { kind: 'string'; value: string; likeSource: string } | { kind: 'boolean'; value: boolean };

type Term =
  | { kind: 'equals'; field: FieldRef; value: Literal; pos: number }
  | { kind: 'in'; field: FieldRef; values: Literal[]; pos: number }
  | { kind: 'like'; field: FieldRef; value: Literal & { kind: 'string' }; pos: number };

interface FieldRef {
  name: string;
  pos: number;
}

export interface SoqlStatement {
  select: FieldRef[];
  from: FieldRef;
  where?: { connective: 'and' | 'or'; terms: Term[] };
  orderBy?: { field: FieldRef; descending: boolean };
  limit?: number;
}

type TokenKind = 'ident' | 'string' | 'integer' | 'punct' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  /** Decoded value for strings. */
  value?: string;
  /** Regular expression source for LIKE patterns. */
  likeSource?: string;
}

function errorAt(soql: string, pos: number, errorCode: string, detail: string): SalesforceFault {
  const lineStart = soql.lastIndexOf('\n', pos - 1) + 1;
  const lineEnd = soql.indexOf('\n', pos);
  const line = soql.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  const row = soql.slice(0, pos).split('\n').length;
  const column = pos - lineStart + 1;
  return fault(
    400,
    errorCode,
    `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`,
  );
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  "'": "'",
  '"': '"',
  '\\': '\\',
};

const regexEscape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let value = '';
      let like = '';
      i++;
      for (;;) {
        if (i >= soql.length) throw errorAt(soql, start, 'MALFORMED_QUERY', `unterminated string literal`);
        const ch = soql.charAt(i);
        if (ch === "'") {
          i++;
          break;
        }
        if (ch === '\\') {
          const next = soql.charAt(i + 1);
          const decoded = next === '_' || next === '%' ? next : ESCAPES[next];
          if (decoded === undefined) {
            throw errorAt(
              soql,
              i,
              'MALFORMED_QUERY',
              `Invalid string literal '${soql.slice(start, i + 2)}'. Illegal character sequence '\\${next}' in string literal.`,
            );
          }
          value += decoded;
          like += regexEscape(decoded);
          i += 2;
          continue;
        }
        value += ch;
        like += ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : regexEscape(ch);
        i++;
      }
      tokens.push({ kind: 'string', text: soql.slice(start, i), pos: start, value, likeSource: like });
      continue;
    }
    const word = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)(?![\w.:-])/.exec(soql.slice(i));
    if (word) {
      tokens.push({ kind: /^\d/.test(word[0]) ? 'integer' : 'ident', text: word[0], pos: start });
      i += word[0].length;
      continue;
    }
    if ('=(),'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    throw errorAt(soql, start, 'MALFORMED_QUERY', `unexpected token: '${soql.slice(i).split(/[\s,()']/)[0] || c}'`);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', pos: soql.length });
  return tokens;
}

/** SOQL's reserved keywords (never a field or object name), with the clause words and boolean literals. */
const KEYWORDS = new Set(
  'and asc desc excludes first from group having in includes last like limit not null nulls or select where with'
    .split(' ')
    .concat(['order', 'by', 'true', 'false']),
);

class Parser {
  private readonly tokens: Token[];
  private at = 0;

  constructor(private readonly soql: string) {
    this.tokens = tokenize(soql);
  }

  parse(): SoqlStatement {
    this.expectKeyword('SELECT');
    const select: FieldRef[] = [];
    do select.push(this.fieldRef());
    while (this.acceptPunct(','));
    this.expectKeyword('FROM');
    const from = this.fieldRef();
    const statement: SoqlStatement = { select, from };
    if (this.acceptKeyword('WHERE')) statement.where = this.where();
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      const field = this.fieldRef();
      const descending = this.acceptKeyword('DESC');
      if (!descending) this.acceptKeyword('ASC');
      statement.orderBy = { field, descending };
    }
    if (this.acceptKeyword('LIMIT')) {
      const t = this.next();
      if (t.kind !== 'integer') this.unexpected(t);
      statement.limit = Number(t.text);
    }
    const end = this.peek();
    if (end.kind !== 'eof') this.unexpected(end);
    return statement;
  }

  private where(): NonNullable<SoqlStatement['where']> {
    const terms = [this.term()];
    const first = this.peek();
    const connective = this.isKeyword(first, 'AND') ? 'and' : this.isKeyword(first, 'OR') ? 'or' : null;
    if (connective) {
      while (this.acceptKeyword(connective)) terms.push(this.term());
    }
    return { connective: connective ?? 'and', terms };
  }

  private term(): Term {
    const field = this.fieldRef();
    const t = this.next();
    if (t.kind === 'punct' && t.text === '=') return { kind: 'equals', field, value: this.literal(), pos: t.pos };
    if (this.isKeyword(t, 'LIKE')) {
      const pattern = this.next();
      if (pattern.kind !== 'string') this.unexpected(pattern);
      const value = { kind: 'string' as const, value: pattern.value!, likeSource: pattern.likeSource! };
      return { kind: 'like', field, value, pos: t.pos };
    }
    if (this.isKeyword(t, 'IN')) {
      this.expectPunct('(');
      const values = [this.literal()];
      while (this.acceptPunct(',')) values.push(this.literal());
      this.expectPunct(')');
      return { kind: 'in', field, values, pos: t.pos };
    }
    return this.unexpected(t);
  }

  private literal(): Literal {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.value!, likeSource: t.likeSource! };
    if (this.isKeyword(t, 'TRUE') || this.isKeyword(t, 'FALSE')) {
      return { kind: 'boolean', value: this.isKeyword(t, 'TRUE') };
    }
    return this.unexpected(t);
  }

  private fieldRef(): FieldRef {
    const t = this.next();
    if (t.kind !== 'ident' || KEYWORDS.has(t.text.toLowerCase())) this.unexpected(t);
    return { name: t.text, pos: t.pos };
  }

  private peek(): Token {
    return this.tokens[this.at]!;
  }

  private next(): Token {
    const t = this.tokens[this.at]!;
    if (t.kind !== 'eof') this.at++;
    return t;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word.toUpperCase();
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(this.peek(), word)) return false;
    this.at++;
    return true;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) this.unexpected(this.peek());
  }

  private acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind !== 'punct' || t.text !== p) return false;
    this.at++;
    return true;
  }

  private expectPunct(p: string): void {
    if (!this.acceptPunct(p)) this.unexpected(this.peek());
  }

  private unexpected(t: Token): never {
    throw errorAt(
      this.soql,
      t.pos,
      'MALFORMED_QUERY',
      `unexpected token: ${t.kind === 'eof' ? '<EOF>' : `'${t.text}'`}`,
    );
  }
}

export function parseSoql(soql: string): SoqlStatement {
  return new Parser(soql).parse();
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation against the org's schema
// ---------------------------------------------------------------------------------------------------------------

export type StoredRecord = Record<string, unknown>;

export interface CompiledQuery {
  object: ObjectDef;
  /** Selected fields in the order asked. */
  fields: FieldDef[];
  matches: (record: StoredRecord) => boolean;
  compare: (a: StoredRecord, b: StoredRecord) => number;
  limit?: number;
}

const TEXT_TYPES = new Set(['string', 'email', 'phone', 'url', 'picklist', 'textarea']);
const ID_TYPES = new Set(['id', 'reference']);

/** Why `lit` cannot be compared with `field`, in Salesforce's words; null when it can. */
function literalTypeError(field: FieldDef, lit: Literal): string | null {
  const textual = TEXT_TYPES.has(field.type) || ID_TYPES.has(field.type);
  if (textual) {
    return lit.kind === 'string'
      ? null
      : `value of filter criterion for field '${field.name}' must be of type string and should be enclosed in quotes`;
  }
  // Only string and boolean literals exist here: a field of any other type cannot match either.
  return field.type === 'boolean' && lit.kind === 'boolean'
    ? null
    : `value of filter criterion for field '${field.name}' must be of type ${field.type} and should not be enclosed in quotes`;
}

function normalise(field: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (ID_TYPES.has(field.type) && typeof value === 'string') return value.slice(0, 15);
  if (TEXT_TYPES.has(field.type) && typeof value === 'string') return value.toLowerCase();
  if (field.type === 'datetime' && typeof value === 'string') return Date.parse(value.replace(/\+0000$/, 'Z'));
  return value;
}

/** Order of two non-null normalised values: date-times as instants, the rest as (lower-cased) text. */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export function compileQuery(soql: string, schema: OrgSchema): CompiledQuery {
  const statement = parseSoql(soql);
  const object = schema.object(statement.from.name);
  if (!object) {
    throw errorAt(
      soql,
      statement.from.pos,
      'INVALID_TYPE',
      `sObject type '${statement.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  const resolve = (ref: FieldRef): FieldDef => {
    const field = schema.field(object, ref.name);
    if (!field) {
      throw errorAt(
        soql,
        ref.pos,
        'INVALID_FIELD',
        `No such column '${ref.name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return field;
  };
  /** A field the query filters or sorts on: long text areas can be neither. */
  const usable = (ref: FieldRef, use: 'filtered' | 'sorted'): FieldDef => {
    const field = resolve(ref);
    if (field.type === 'textarea') {
      throw errorAt(soql, ref.pos, 'INVALID_FIELD', `field '${field.name}' can not be ${use} in a query call`);
    }
    return field;
  };
  const wanted = (field: FieldDef, lit: Literal, pos: number): unknown => {
    const problem = literalTypeError(field, lit);
    if (problem) throw errorAt(soql, pos, 'INVALID_QUERY_FILTER_OPERATOR', problem);
    return normalise(field, lit.value);
  };

  const compile = (t: Term): ((r: StoredRecord) => boolean) => {
    const field = usable(t.field, 'filtered');
    switch (t.kind) {
      case 'equals': {
        const want = wanted(field, t.value, t.pos);
        return (r) => normalise(field, r[field.name]) === want;
      }
      case 'in': {
        const set = new Set(t.values.map((v) => wanted(field, v, t.pos)));
        return (r) => set.has(normalise(field, r[field.name]));
      }
      case 'like': {
        if (!TEXT_TYPES.has(field.type) && !ID_TYPES.has(field.type)) {
          throw errorAt(soql, t.pos, 'INVALID_QUERY_FILTER_OPERATOR', `invalid operator on ${field.type} field: LIKE`);
        }
        const pattern = new RegExp(`^${t.value.likeSource}$`, 'i');
        return (r) => {
          const v = r[field.name];
          return typeof v === 'string' && pattern.test(v);
        };
      }
    }
  };

  const fields = statement.select.map(resolve);
  const terms = statement.where?.terms.map(compile) ?? [];
  const all = statement.where?.connective !== 'or';
  const order = statement.orderBy && { def: usable(statement.orderBy.field, 'sorted'), ...statement.orderBy };
  return {
    object,
    fields,
    matches: (r) => terms.length === 0 || (all ? terms.every((t) => t(r)) : terms.some((t) => t(r))),
    compare: (a, b) => {
      if (!order) return 0;
      const x = normalise(order.def, a[order.def.name]);
      const y = normalise(order.def, b[order.def.name]);
      if (x === y) return 0;
      // Salesforce's defaults: nulls first ascending, last descending.
      if (x === null) return order.descending ? 1 : -1;
      if (y === null) return order.descending ? -1 : 1;
      const d = compareValues(x, y);
      return order.descending ? -d : d;
    },
    limit: statement.limit,
  };
}
