import { badRequest } from '../../core/errors.ts';

/**
 * Stripe's search language, for customers: clauses `field:'value'` (exact), `field~'value'`
 * (substring, 3 characters or more), `created>1700000000` (and <, >=, <=), `metadata['key']:'value'`,
 * `-` before a clause to negate it, `null` for a missing value; up to 10 clauses joined by AND or
 * OR (not both; a space means AND). Parsed here into clauses that store.ts turns into SQL.
 */

export type SearchField = 'created' | 'email' | 'name' | 'phone' | 'metadata';
export type SearchOp = ':' | '~' | '>' | '<' | '>=' | '<=';

export interface SearchClause {
  negate: boolean;
  field: SearchField;
  /** The metadata key, for `metadata['key']`. */
  key?: string;
  op: SearchOp;
  value: string | number | null;
}

export interface CustomerSearch {
  join: 'AND' | 'OR';
  clauses: SearchClause[];
}

const FIELDS = new Set<string>(['created', 'email', 'name', 'phone', 'metadata']);
const MAX_CLAUSES = 10;

const invalid = (message: string) => badRequest('parameter_invalid', `Invalid query: ${message}`, 'query');

export function parseCustomerSearch(query: string): CustomerSearch {
  const p = new Parser(query);
  const clauses = [p.clause()];
  const joins = new Set<'AND' | 'OR'>();
  while (p.skipSpace()) {
    joins.add(p.keyword() ?? 'AND');
    clauses.push(p.clause());
  }
  if (joins.size > 1) throw invalid('AND and OR cannot be combined in one query');
  if (clauses.length > MAX_CLAUSES) throw invalid(`at most ${MAX_CLAUSES} clauses are allowed`);
  return { join: [...joins][0] ?? 'AND', clauses };
}

class Parser {
  private at = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s.trim();
    if (this.s === '') throw invalid('the query is empty');
  }

  /** Skips spaces; whether anything is left. */
  skipSpace(): boolean {
    while (this.s[this.at] === ' ') this.at++;
    return this.at < this.s.length;
  }

  keyword(): 'AND' | 'OR' | undefined {
    const m = /^(AND|OR) +/i.exec(this.s.slice(this.at));
    if (!m) return undefined;
    this.at += m[0].length;
    return m[1]!.toUpperCase() as 'AND' | 'OR';
  }

  clause(): SearchClause {
    const negate = this.s[this.at] === '-';
    if (negate) this.at++;
    const name = /^[a-z_]+/.exec(this.s.slice(this.at))?.[0] ?? '';
    if (!FIELDS.has(name)) throw invalid(`unknown field '${name || this.s.slice(this.at, this.at + 20)}' at position ${this.at}; customers are searched by created, email, metadata, name and phone`);
    this.at += name.length;
    const field = name as SearchField;
    let key: string | undefined;
    if (field === 'metadata') {
      if (this.s[this.at] !== '[') throw invalid(`metadata is searched as metadata['key'] (position ${this.at})`);
      this.at++;
      key = this.quoted();
      if (this.s[this.at] !== ']') throw invalid(`expected ] at position ${this.at}`);
      this.at++;
    }
    const op = /^(>=|<=|:|~|>|<)/.exec(this.s.slice(this.at))?.[0] as SearchOp | undefined;
    if (!op) throw invalid(`expected :, ~, >, <, >= or <= at position ${this.at}`);
    this.at += op.length;
    const clause: SearchClause = { negate, field, ...(key !== undefined ? { key } : {}), op, value: this.value() };
    check(clause);
    return clause;
  }

  private value(): string | number | null {
    const c = this.s[this.at];
    if (c === "'" || c === '"') return this.quoted();
    const m = /^(null|-?\d+)(?=$| )/.exec(this.s.slice(this.at));
    if (!m) throw invalid(`expected a quoted value or a number at position ${this.at}`);
    this.at += m[0].length;
    return m[1] === 'null' ? null : Number(m[1]);
  }

  /** A value in single or double quotes; a backslash escapes the quote. */
  private quoted(): string {
    const q = this.s[this.at];
    if (q !== "'" && q !== '"') throw invalid(`expected a quoted string at position ${this.at}`);
    let out = '';
    for (let i = this.at + 1; i < this.s.length; i++) {
      const c = this.s[i]!;
      if (c === '\\' && i + 1 < this.s.length) out += this.s[++i];
      else if (c === q) {
        this.at = i + 1;
        return out;
      } else out += c;
    }
    throw invalid(`unterminated string at position ${this.at}`);
  }
}

function check(c: SearchClause): void {
  if (c.field === 'created') {
    if (typeof c.value !== 'number') throw invalid('created takes a unix timestamp, as in created>1700000000');
    if (c.op === '~') throw invalid('created cannot be searched by substring');
    return;
  }
  if (c.op !== ':' && c.op !== '~') throw invalid(`${c.field} is searched with : or ~, not ${c.op}`);
  if (typeof c.value === 'number') c.value = String(c.value);
  if (c.op === '~' && (c.value === null || c.value.length < 3)) throw invalid('a substring search (~) needs at least 3 characters');
}
