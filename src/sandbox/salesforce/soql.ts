/**
 * A SOQL subset, parsed properly (tokenizer + recursive descent), with Salesforce's own error codes:
 *
 *   SELECT field, … | COUNT()  FROM object
 *   [WHERE cond]  cond := cond OR cond | cond AND cond | NOT cond | ( cond )
 *                       | field (= | != | <> | < | <= | > | >=) literal
 *                       | field [NOT] IN ( literal, … ) | field LIKE 'pattern'
 *   [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …]  [LIMIT n]
 *
 * Literals: 'strings' with SOQL escapes (\' \" \\ \n \r \t \b \f \uXXXX, and \_ \% for literal wildcards), numbers,
 * true/false/null, date (2026-01-31) and date-time (2026-01-31T12:00:00Z) literals. Like Salesforce: keywords and
 * field names are case-insensitive, text comparisons and LIKE are case-insensitive, ids match in 15 or 18 characters.
 */
import { fault, SalesforceFault } from './faults';
import type { FieldDef, ObjectDef, OrgSchema } from './schema';

type Literal =
  | { kind: 'string'; value: string; likeSource: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: string };

type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

type Condition =
  | { kind: 'and' | 'or'; terms: Condition[] }
  | { kind: 'not'; term: Condition }
  | { kind: 'compare'; field: FieldRef; op: CompareOp; value: Literal; pos: number }
  | { kind: 'in'; field: FieldRef; negated: boolean; values: Literal[]; pos: number }
  | { kind: 'like'; field: FieldRef; value: Literal; pos: number };

interface FieldRef {
  name: string;
  pos: number;
}

interface OrderTerm {
  field: FieldRef;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlStatement {
  select: FieldRef[] | 'count';
  from: FieldRef;
  where?: Condition;
  orderBy: OrderTerm[];
  limit?: number;
}

type TokenKind = 'ident' | 'string' | 'number' | 'date' | 'datetime' | 'op' | 'punct' | 'eof';

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
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
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
          if (next === '_' || next === '%') {
            value += next;
            like += regexEscape(next);
            i += 2;
            continue;
          }
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(soql.slice(i + 2, i + 6))) {
            const decoded = String.fromCharCode(parseInt(soql.slice(i + 2, i + 6), 16));
            value += decoded;
            like += regexEscape(decoded);
            i += 6;
            continue;
          }
          const decoded = ESCAPES[next];
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
    const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/.exec(soql.slice(i));
    if (dateTime) {
      tokens.push({ kind: 'datetime', text: dateTime[0], pos: start });
      i += dateTime[0].length;
      continue;
    }
    const date = /^\d{4}-\d{2}-\d{2}(?![\w:])/.exec(soql.slice(i));
    if (date) {
      tokens.push({ kind: 'date', text: date[0], pos: start });
      i += date[0].length;
      continue;
    }
    const number = /^-?\d+(?:\.\d+)?(?![\w.])/.exec(soql.slice(i));
    if (number) {
      tokens.push({ kind: 'number', text: number[0], pos: start });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(soql.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], pos: start });
      i += ident[0].length;
      continue;
    }
    const op = /^(?:!=|<>|<=|>=|=|<|>)/.exec(soql.slice(i));
    if (op) {
      tokens.push({ kind: 'op', text: op[0], pos: start });
      i += op[0].length;
      continue;
    }
    if ('(),'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    throw errorAt(soql, start, 'MALFORMED_QUERY', `unexpected token: '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', pos: soql.length });
  return tokens;
}

const KEYWORDS = new Set(
  [
    'SELECT',
    'FROM',
    'WHERE',
    'AND',
    'OR',
    'NOT',
    'IN',
    'LIKE',
    'ORDER',
    'BY',
    'ASC',
    'DESC',
    'NULLS',
    'FIRST',
    'LAST',
    'LIMIT',
    'TRUE',
    'FALSE',
    'NULL',
  ].map((k) => k.toLowerCase()),
);

class Parser {
  private readonly tokens: Token[];
  private at = 0;

  constructor(private readonly soql: string) {
    this.tokens = tokenize(soql);
  }

  parse(): SoqlStatement {
    this.expectKeyword('SELECT');
    const select = this.selectList();
    this.expectKeyword('FROM');
    const from = this.fieldRef();
    let where: Condition | undefined;
    if (this.acceptKeyword('WHERE')) where = this.orCondition();
    const orderBy: OrderTerm[] = [];
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      do orderBy.push(this.orderTerm());
      while (this.acceptPunct(','));
    }
    let limit: number | undefined;
    if (this.acceptKeyword('LIMIT')) {
      const t = this.next();
      if (t.kind !== 'number' || !/^\d+$/.test(t.text)) this.unexpected(t);
      limit = Number(t.text);
    }
    const end = this.peek();
    if (end.kind !== 'eof') this.unexpected(end);
    return { select, from, where, orderBy, limit };
  }

  private selectList(): FieldRef[] | 'count' {
    const first = this.peek();
    if (this.isKeywordLike(first, 'COUNT') && this.tokens[this.at + 1]?.text === '(') {
      this.at += 2;
      this.expectPunct(')');
      return 'count';
    }
    const fields: FieldRef[] = [];
    do fields.push(this.fieldRef());
    while (this.acceptPunct(','));
    return fields;
  }

  private orderTerm(): OrderTerm {
    const field = this.fieldRef();
    let descending = false;
    if (this.acceptKeyword('DESC')) descending = true;
    else this.acceptKeyword('ASC');
    let nullsLast = descending;
    if (this.acceptKeyword('NULLS')) {
      if (this.acceptKeyword('LAST')) nullsLast = true;
      else {
        this.expectKeyword('FIRST');
        nullsLast = false;
      }
    }
    return { field, descending, nullsLast };
  }

  private orCondition(): Condition {
    const terms = [this.andCondition()];
    while (this.acceptKeyword('OR')) terms.push(this.andCondition());
    return terms.length === 1 ? terms[0]! : { kind: 'or', terms };
  }

  private andCondition(): Condition {
    const terms = [this.notCondition()];
    while (this.acceptKeyword('AND')) terms.push(this.notCondition());
    return terms.length === 1 ? terms[0]! : { kind: 'and', terms };
  }

  private notCondition(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', term: this.notCondition() };
    if (this.acceptPunct('(')) {
      const inner = this.orCondition();
      this.expectPunct(')');
      return inner;
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const field = this.fieldRef();
    const t = this.next();
    if (t.kind === 'op') {
      const op = (t.text === '<>' ? '!=' : t.text) as CompareOp;
      return { kind: 'compare', field, op, value: this.literal(), pos: t.pos };
    }
    if (this.isKeywordLike(t, 'LIKE')) {
      const value = this.literal();
      return { kind: 'like', field, value, pos: t.pos };
    }
    let negated = false;
    let inToken = t;
    if (this.isKeywordLike(t, 'NOT')) {
      negated = true;
      inToken = this.next();
    }
    if (this.isKeywordLike(inToken, 'IN')) {
      this.expectPunct('(');
      const values = [this.literal()];
      while (this.acceptPunct(',')) values.push(this.literal());
      this.expectPunct(')');
      return { kind: 'in', field, negated, values, pos: inToken.pos };
    }
    return this.unexpected(inToken);
  }

  private literal(): Literal {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.value!, likeSource: t.likeSource! };
      case 'number':
        return { kind: 'number', value: Number(t.text) };
      case 'date':
        return { kind: 'date', value: t.text };
      case 'datetime':
        return { kind: 'datetime', value: t.text };
      case 'ident': {
        const word = t.text.toLowerCase();
        if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
        if (word === 'null') return { kind: 'null' };
        return this.unexpected(t);
      }
      default:
        return this.unexpected(t);
    }
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

  private isKeywordLike(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeywordLike(this.peek(), word)) return false;
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
  /** Selected fields in the order asked, or 'count' for COUNT(). */
  fields: FieldDef[] | 'count';
  matches: (record: StoredRecord) => boolean;
  compare: (a: StoredRecord, b: StoredRecord) => number;
  limit?: number;
}

const TEXT_TYPES = new Set(['string', 'email', 'phone', 'url', 'picklist', 'textarea']);
const ID_TYPES = new Set(['id', 'reference']);

function literalTypeError(field: FieldDef, lit: Literal): string | null {
  if (lit.kind === 'null') return null;
  if (TEXT_TYPES.has(field.type) || ID_TYPES.has(field.type)) {
    return lit.kind === 'string'
      ? null
      : `value of filter criterion for field '${field.name}' must be of type string and should be enclosed in quotes`;
  }
  const expected: Record<string, Literal['kind']> = {
    boolean: 'boolean',
    int: 'number',
    date: 'date',
    datetime: 'datetime',
  };
  const want = expected[field.type];
  if (want && lit.kind !== want) {
    return `value of filter criterion for field '${field.name}' must be of type ${field.type} and should not be enclosed in quotes`;
  }
  return null;
}

function normalise(field: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (ID_TYPES.has(field.type) && typeof value === 'string') return value.slice(0, 15);
  if (TEXT_TYPES.has(field.type) && typeof value === 'string') return value.toLowerCase();
  if (field.type === 'datetime' && typeof value === 'string') return Date.parse(value.replace(/\+0000$/, 'Z'));
  return value;
}

function literalValue(field: FieldDef, lit: Literal): unknown {
  if (lit.kind === 'null') return null;
  if (lit.kind === 'string') return normalise(field, lit.value);
  if (lit.kind === 'datetime') return Date.parse(lit.value);
  return lit.value;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
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
      const detail = ref.name.includes('.')
        ? `Didn't understand relationship '${ref.name.split('.')[0]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`
        : `No such column '${ref.name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`;
      throw errorAt(soql, ref.pos, 'INVALID_FIELD', detail);
    }
    return field;
  };
  const filterable = (ref: FieldRef): FieldDef => {
    const field = resolve(ref);
    if (field.type === 'textarea') {
      throw errorAt(soql, ref.pos, 'INVALID_FIELD', `field '${field.name}' can not be filtered in a query call`);
    }
    return field;
  };
  const checkLiteral = (field: FieldDef, lit: Literal, pos: number): void => {
    const problem = literalTypeError(field, lit);
    if (problem) throw errorAt(soql, pos, 'INVALID_QUERY_FILTER_OPERATOR', problem);
  };

  const compile = (c: Condition): ((r: StoredRecord) => boolean) => {
    switch (c.kind) {
      case 'and': {
        const terms = c.terms.map(compile);
        return (r) => terms.every((t) => t(r));
      }
      case 'or': {
        const terms = c.terms.map(compile);
        return (r) => terms.some((t) => t(r));
      }
      case 'not': {
        const term = compile(c.term);
        return (r) => !term(r);
      }
      case 'compare': {
        const field = filterable(c.field);
        checkLiteral(field, c.value, c.pos);
        const want = literalValue(field, c.value);
        if (want === null && c.op !== '=' && c.op !== '!=') {
          throw errorAt(soql, c.pos, 'INVALID_QUERY_FILTER_OPERATOR', `invalid operator on null: '${c.op}'`);
        }
        return (r) => {
          const have = normalise(field, r[field.name]);
          if (c.op === '=') return have === want;
          if (c.op === '!=') return have !== want;
          if (have === null) return false;
          const d = compareValues(have, want);
          return c.op === '<' ? d < 0 : c.op === '<=' ? d <= 0 : c.op === '>' ? d > 0 : d >= 0;
        };
      }
      case 'in': {
        const field = filterable(c.field);
        c.values.forEach((v) => checkLiteral(field, v, c.pos));
        const wanted = new Set(c.values.map((v) => literalValue(field, v)));
        return (r) => wanted.has(normalise(field, r[field.name])) !== c.negated;
      }
      case 'like': {
        const field = filterable(c.field);
        if (!TEXT_TYPES.has(field.type) && !ID_TYPES.has(field.type)) {
          throw errorAt(soql, c.pos, 'INVALID_QUERY_FILTER_OPERATOR', `invalid operator on ${field.type} field: LIKE`);
        }
        if (c.value.kind !== 'string') {
          throw errorAt(soql, c.pos, 'INVALID_QUERY_FILTER_OPERATOR', `LIKE expects a string pattern`);
        }
        const pattern = new RegExp(`^${c.value.likeSource}$`, 'i');
        return (r) => {
          const v = r[field.name];
          return typeof v === 'string' && pattern.test(v);
        };
      }
    }
  };

  const fields = statement.select === 'count' ? 'count' : statement.select.map(resolve);
  const order = statement.orderBy.map((o) => {
    const field = resolve(o.field);
    if (field.type === 'textarea') {
      throw errorAt(soql, o.field.pos, 'INVALID_FIELD', `field '${field.name}' can not be sorted in a query call`);
    }
    return { def: field, descending: o.descending, nullsLast: o.nullsLast };
  });
  if (statement.select === 'count' && order.length > 0) {
    throw errorAt(soql, statement.orderBy[0]!.field.pos, 'MALFORMED_QUERY', 'Ordered field cannot be aggregated');
  }
  return {
    object,
    fields,
    matches: statement.where ? compile(statement.where) : () => true,
    compare: (a, b) => {
      for (const o of order) {
        const x = normalise(o.def, a[o.def.name]);
        const y = normalise(o.def, b[o.def.name]);
        if (x === y) continue;
        if (x === null) return o.nullsLast ? 1 : -1;
        if (y === null) return o.nullsLast ? -1 : 1;
        const d = compareValues(x, y);
        if (d !== 0) return o.descending ? -d : d;
      }
      return 0;
    },
    limit: statement.limit,
  };
}
