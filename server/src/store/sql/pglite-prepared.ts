import { type PGlite, parse, protocol } from '@electric-sql/pglite';

const { serialize } = protocol;
const STREAM = { syncToFs: false } as const;

interface Statement {
  text: string;
  /** The type of each parameter, which picks its serializer. */
  paramTypes: number[];
}

/**
 * Statements of one PGlite session kept parsed under a name. PGlite's own
 * `query` parses, describes and plans its statement on every call: for the
 * few statements a node runs per vote (the vote, the account, the change
 * log's read) that was about half of PostgreSQL's time. A named statement is
 * parsed once and, after PostgreSQL's first custom plans, planned once; each
 * call binds, executes and syncs, as `query` does after its parse.
 */
export class PreparedStatements {
  readonly #db: PGlite;
  readonly #statements = new Map<string, Statement>();

  constructor(db: PGlite) {
    this.#db = db;
  }

  /** Runs `text` as the statement `name` (prepared on first use); resolves to its rows. */
  query<R>(name: string, text: string, params: readonly unknown[]): Promise<R[]> {
    const db = this.#db;
    // As PGlite's query: after any transaction in progress, one statement at a time.
    return db._runExclusiveTransaction(() => db._runExclusiveQuery(() => this.#run<R>(name, text, params)));
  }

  async #run<R>(name: string, text: string, params: readonly unknown[]): Promise<R[]> {
    const db = this.#db;
    const messages = [];
    try {
      const statement = await this.#prepare(name, text);
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serializer = db.serializers[statement.paramTypes[i] ?? 0];
        return serializer ? serializer(value) : String(value);
      });
      messages.push(
        ...(await db.execProtocolStream(serialize.bind({ statement: name, values }), STREAM)),
        ...(await db.execProtocolStream(serialize.describe({ type: 'P' }), STREAM)),
        ...(await db.execProtocolStream(serialize.execute({}), STREAM)),
      );
    } finally {
      // Ends the extended query, also after an error (PostgreSQL skips to the Sync).
      messages.push(...(await db.execProtocolStream(serialize.sync(), STREAM)));
    }
    await db.syncToFs();
    return (parse.parseResults(messages, db.parsers)[0]?.rows ?? []) as R[];
  }

  async #prepare(name: string, text: string): Promise<Statement> {
    const known = this.#statements.get(name);
    if (known) {
      if (known.text !== text) throw new Error(`prepared statement ${name} is already another statement`);
      return known;
    }
    await this.#db.execProtocolStream(serialize.parse({ name, text }), STREAM);
    const described = await this.#db.execProtocolStream(serialize.describe({ type: 'S', name }), STREAM);
    // Kept only once PostgreSQL has it: a statement that failed to parse is parsed again next time.
    const statement = { text, paramTypes: parse.parseDescribeStatementResults(described) };
    this.#statements.set(name, statement);
    return statement;
  }
}
