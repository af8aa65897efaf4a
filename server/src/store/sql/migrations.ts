import type { SqlDriver, SqlExecutor } from './driver.js';
import { recount } from './recount.js';

/** One schema change; `version`s are applied in increasing order, each once. */
export interface Migration {
  version: number;
  name: string;
  /**
   * Runs before `sql`, in the same transaction: data changes that need the
   * application's code (the hot rank of recounted posts).
   */
  before?: (tx: SqlExecutor) => Promise<void>;
  sql: string;
}

/**
 * NOTIFY channel of the change log. Since migration 10 the payload is the
 * commit's changes (a ChangeNotice), or the last `changes.seq` alone when they
 * do not fit in a payload; before, always the seq.
 */
export const CHANGES_CHANNEL = 'news_forum_changes';
/** Advisory lock that orders change-log writers by commit. */
const CHANGE_LOG_LOCK = 7_301_001;
/** Set (transaction-local) while cast_votes logs its votes' changes itself. */
const VOTE_BATCH_SETTING = 'news_forum.votes_log_themselves';
/** Posts whose changes (before and after, about 700 bytes) fit in one NOTIFY payload, with room to spare. */
const MAX_NOTICE_POSTS = 8;
/**
 * Batches of votes this long or longer are cast set-wise (migration 13), by the nodes on either store and when
 * the caller does not say (a node of the version before); shorter ones vote by vote. cast_votes' text (migrations
 * 13 and 14) holds it: another value needs a migration of its own.
 */
export const SET_WISE_VOTES = 5;
/** Advisory lock that keeps nodes starting together from migrating twice. */
const MIGRATION_LOCK = 7_301_002;

const initial = /* sql */ `
-- Millisecond precision everywhere: the API's timestamps carry milliseconds,
-- and keyset cursors compare the exact stored value.
CREATE FUNCTION iso_time(ts timestamptz) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  RETURN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');

CREATE TABLE users (
  login text COLLATE "C" PRIMARY KEY,
  display_name text NOT NULL,
  scopes text[] NOT NULL DEFAULT '{}',
  password_hash text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE posts (
  id uuid PRIMARY KEY,
  title text NOT NULL,
  url text,
  text text,
  author text COLLATE "C" NOT NULL,
  created_at timestamptz(3) NOT NULL,
  upvotes integer NOT NULL DEFAULT 0 CHECK (upvotes >= 0),
  downvotes integer NOT NULL DEFAULT 0 CHECK (downvotes >= 0),
  score integer GENERATED ALWAYS AS (upvotes - downvotes) STORED,
  comment_count integer NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
  version bigint NOT NULL DEFAULT 1,
  -- hotRank() of @news-forum/protocol, written by the application on every vote.
  hot double precision NOT NULL
);
CREATE INDEX posts_hot ON posts (hot DESC, id DESC);
CREATE INDEX posts_new ON posts (created_at DESC, id DESC);
CREATE INDEX posts_top ON posts (score DESC, created_at DESC, id DESC);
CREATE INDEX posts_author ON posts (author);

CREATE TABLE votes (
  post_id uuid NOT NULL REFERENCES posts ON DELETE CASCADE,
  login text COLLATE "C" NOT NULL,
  value smallint NOT NULL CHECK (value IN (-1, 1)),
  PRIMARY KEY (post_id, login)
);
CREATE INDEX votes_login ON votes (login);

CREATE TABLE comments (
  id uuid PRIMARY KEY,
  post_id uuid NOT NULL REFERENCES posts ON DELETE CASCADE,
  parent_id uuid REFERENCES comments ON DELETE CASCADE,
  author text COLLATE "C" NOT NULL,
  text text NOT NULL,
  created_at timestamptz(3) NOT NULL,
  version bigint NOT NULL DEFAULT 1
);
CREATE INDEX comments_post ON comments (post_id, created_at, id);
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comments_author ON comments (author);

CREATE TABLE idempotency_keys (
  owner text COLLATE "C" NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  resource_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The API's JSON shapes, used by reads and by the change log alike.
CREATE FUNCTION user_json(u users) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'login', u.login, 'displayName', u.display_name, 'scopes', to_jsonb(u.scopes),
    'passwordHash', u.password_hash, 'createdAt', iso_time(u.created_at));

CREATE FUNCTION post_json(p posts) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', p.id, 'title', p.title, 'url', p.url, 'text', p.text, 'author', p.author,
    'createdAt', iso_time(p.created_at), 'upvotes', p.upvotes, 'downvotes', p.downvotes,
    'score', p.score, 'commentCount', p.comment_count, 'version', p.version);

CREATE FUNCTION comment_json(c comments) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', c.id, 'postId', c.post_id, 'parentId', c.parent_id, 'author', c.author,
    'text', c.text, 'createdAt', iso_time(c.created_at), 'version', c.version);

-- The change log read by every node's feed. NOTIFY carries only the seq
-- (payloads are limited to 8000 bytes); listeners read the rows.
CREATE TABLE changes (
  seq bigserial PRIMARY KEY,
  tbl text NOT NULL,
  old_val jsonb,
  new_val jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_created ON changes (created_at);

-- epoch changes when the database is recreated; pruned_through is the last
-- seq removed by pruning. A reader behind either has lost changes.
CREATE TABLE change_log_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  epoch uuid NOT NULL DEFAULT gen_random_uuid(),
  pruned_through bigint NOT NULL DEFAULT 0
);
INSERT INTO change_log_state DEFAULT VALUES;

CREATE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_doc jsonb;
  new_doc jsonb;
  new_seq bigint;
BEGIN
  IF TG_TABLE_NAME = 'posts' THEN
    IF TG_OP <> 'INSERT' THEN old_doc := post_json(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_doc := post_json(NEW); END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN old_doc := comment_json(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_doc := comment_json(NEW); END IF;
  END IF;
  -- The trigger is deferred to commit time and this lock is held until the
  -- commit completes, so seq order is commit order: a reader that has seen
  -- seq n can never later find a committed row below n.
  PERFORM pg_advisory_xact_lock(${CHANGE_LOG_LOCK});
  INSERT INTO changes (tbl, old_val, new_val) VALUES (TG_TABLE_NAME, old_doc, new_doc)
    RETURNING seq INTO new_seq;
  PERFORM pg_notify('${CHANGES_CHANNEL}', new_seq::text);
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER posts_changes AFTER INSERT OR UPDATE OR DELETE ON posts
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_change();
CREATE CONSTRAINT TRIGGER comments_changes AFTER INSERT OR UPDATE OR DELETE ON comments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION record_change();
`;

/**
 * Before migration 2 nothing tied a post, comment or vote to an account, so
 * a write racing its author's deleteUser could leave a row behind, to be
 * inherited by a later account of that login. Those rows go the way
 * deleteUser removes them: posts first (their comments and votes go by
 * cascade), then the comments (with their replies) and votes, and the posts
 * they touched are recounted. Every removed row reaches the change log.
 */
async function removeOrphans(tx: SqlExecutor): Promise<void> {
  // No write may slip in between the cleanup and the new keys' validation
  // (ADD FOREIGN KEY takes these locks anyway; taken up front, in one order).
  await tx.query('LOCK TABLE users, posts, comments, votes IN SHARE ROW EXCLUSIVE MODE');
  await tx.query('DELETE FROM posts p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.login = p.author)');
  const touched = await tx.query<{ post_id: string }>(
    `WITH v AS (DELETE FROM votes v WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.login = v.login) RETURNING post_id),
          c AS (DELETE FROM comments c WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.login = c.author) RETURNING post_id)
     SELECT post_id::text AS post_id FROM v UNION SELECT post_id::text FROM c`,
  );
  await recount(
    tx,
    touched.map((row) => row.post_id),
  );
  // ALTER TABLE refuses a table with pending trigger events: log the changes
  // now rather than at commit (the log's lock is held until commit all the same).
  await tx.query('SET CONSTRAINTS posts_changes, comments_changes IMMEDIATE');
}

/**
 * Writes by an account racing its deletion now wait for deleteUser's lock on
 * the account row and then fail on these keys. The cascades remove nothing
 * deleteUser has not removed itself (with counters adjusted); they are the
 * backstop.
 */
const accountKeys = /* sql */ `
ALTER TABLE posts ADD CONSTRAINT posts_author_fkey
  FOREIGN KEY (author) REFERENCES users (login) ON DELETE CASCADE;
ALTER TABLE comments ADD CONSTRAINT comments_author_fkey
  FOREIGN KEY (author) REFERENCES users (login) ON DELETE CASCADE;
ALTER TABLE votes ADD CONSTRAINT votes_login_fkey
  FOREIGN KEY (login) REFERENCES users (login) ON DELETE CASCADE;
`;

/**
 * A login names an account only until it is deleted and taken again: each
 * account gets an id of its own, which tokens carry, so a token outlives
 * neither its account nor its account's re-creation.
 */
const accountIds = /* sql */ `
-- PostgreSQL 18.7 refuses to add a column to a table whose row type a function uses.
DROP FUNCTION user_json(users);
ALTER TABLE users ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE users ADD CONSTRAINT users_id_key UNIQUE (id);

CREATE FUNCTION user_json(u users) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', u.id, 'login', u.login, 'displayName', u.display_name, 'scopes', to_jsonb(u.scopes),
    'passwordHash', u.password_hash, 'createdAt', iso_time(u.created_at));
`;

/**
 * Revocation: a per-account session version that tokens carry (raised to
 * end every session of the account), and the tokens signed out one by one,
 * kept until they expire.
 */
const revocation = /* sql */ `
DROP FUNCTION user_json(users);
ALTER TABLE users ADD COLUMN session_version integer NOT NULL DEFAULT 0;

CREATE FUNCTION user_json(u users) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', u.id, 'login', u.login, 'displayName', u.display_name, 'scopes', to_jsonb(u.scopes),
    'passwordHash', u.password_hash, 'createdAt', iso_time(u.created_at), 'sessionVersion', u.session_version);

CREATE TABLE revoked_tokens (
  jti uuid PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz(3) NOT NULL
);
CREATE INDEX revoked_tokens_expires ON revoked_tokens (expires_at);
CREATE INDEX revoked_tokens_account ON revoked_tokens (account_id);
`;

/**
 * A vote was six round trips (BEGIN, the account, the post, the vote, the
 * write, COMMIT); as a function call it is one, and one statement can cast
 * a whole batch of votes (see vote-batcher.ts). Inside PL/pgSQL each
 * statement of a READ COMMITTED transaction takes a fresh snapshot, so the
 * vote read after the post's row lock is the latest one, as it was when the
 * application ran the statements itself.
 */
const voteFunction = /* sql */ `
-- hotRank() of @news-forum/protocol (epoch 1134028003 s, decay 45000 s,
-- rounded to 1e-7 half up like Math.round), so a vote can rank its post
-- without a round trip to the application.
CREATE FUNCTION hot_rank(up integer, down integer, created timestamptz) RETURNS double precision
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN floor(
    (sign(up - down)::float8 * log(greatest(abs(up - down), 1)::float8)
      + (extract(epoch FROM created)::float8 - 1134028003::float8) / 45000::float8) * 1e7::float8
    + 0.5::float8) / 1e7::float8;

-- Sets p_login's vote on p_post (1, -1, or 0 to retract): doc is the post's
-- JSON, or NULL when there is no such post; account_gone says the voter's
-- account no longer exists (nothing is written). It answers rather than
-- raises so that one statement can cast many votes (one commit for all).
CREATE FUNCTION cast_vote(p_post uuid, p_login text, p_value smallint, OUT doc jsonb, OUT account_gone boolean)
  LANGUAGE plpgsql AS $$
DECLARE
  post posts;
  previous smallint;
  up integer;
  down integer;
BEGIN
  account_gone := false;
  IF p_value <> 0 THEN
    PERFORM 1 FROM users WHERE login = p_login FOR KEY SHARE;
    IF NOT FOUND THEN
      account_gone := true;
      RETURN;
    END IF;
  END IF;
  -- The row lock serializes votes on this post: the counters move exactly once per change.
  SELECT * INTO post FROM posts WHERE id = p_post FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT value INTO previous FROM votes WHERE post_id = p_post AND login = p_login;
  previous := coalesce(previous, 0);
  IF previous = p_value THEN
    doc := post_json(post);
    RETURN;
  END IF;
  up := post.upvotes + (p_value = 1)::int - (previous = 1)::int;
  down := post.downvotes + (p_value = -1)::int - (previous = -1)::int;
  IF p_value = 0 THEN
    DELETE FROM votes WHERE post_id = p_post AND login = p_login;
  ELSE
    INSERT INTO votes (post_id, login, value) VALUES (p_post, p_login, p_value)
      ON CONFLICT (post_id, login) DO UPDATE SET value = excluded.value;
  END IF;
  UPDATE posts SET upvotes = up, downvotes = down, hot = hot_rank(up, down, post.created_at), version = version + 1
    WHERE id = p_post RETURNING * INTO post;
  doc := post_json(post);
END $$;
`;

// Pages: the post of a page's discussion carries the page's normalised URL,
// one post per page. post_json is extended rather than rewritten, so the
// fields other migrations give it stay.
const pagePosts = /* sql */ `
ALTER TABLE posts ADD COLUMN page_url text;
CREATE UNIQUE INDEX posts_page_url ON posts (page_url) WHERE page_url IS NOT NULL;
ALTER FUNCTION post_json(posts) RENAME TO post_json_without_page;
CREATE FUNCTION post_json(p posts) RETURNS jsonb LANGUAGE sql STABLE
  RETURN post_json_without_page(p) || CASE WHEN p.page_url IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('pageUrl', p.page_url) END;
`;

/**
 * Replies to a reader's post or comment. They go with the reply (or its
 * post), and with the recipient's account.
 */
const notifications = /* sql */ `
CREATE TABLE notifications (
  id uuid PRIMARY KEY,
  recipient text COLLATE "C" NOT NULL REFERENCES users (login) ON DELETE CASCADE,
  comment_id uuid NOT NULL REFERENCES comments ON DELETE CASCADE,
  post_id uuid NOT NULL REFERENCES posts ON DELETE CASCADE,
  actor text COLLATE "C" NOT NULL,
  excerpt text NOT NULL,
  created_at timestamptz(3) NOT NULL,
  read_at timestamptz(3)
);
CREATE INDEX notifications_recipient ON notifications (recipient, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (recipient) WHERE read_at IS NULL;
CREATE INDEX notifications_comment ON notifications (comment_id);
CREATE INDEX notifications_created ON notifications (created_at);

CREATE FUNCTION notification_json(n notifications) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', n.id, 'recipient', n.recipient, 'commentId', n.comment_id, 'postId', n.post_id, 'actor', n.actor,
    'excerpt', n.excerpt, 'createdAt', iso_time(n.created_at), 'readAt', iso_time(n.read_at));
`;

/**
 * Moderation: edits (`edited_at`), hiding (by a moderator or by flags),
 * locked threads, flags (one per reader and item), bans, and the log of
 * what moderators and admins did (no foreign keys: entries outlive what they name).
 */
const moderation = /* sql */ `
DROP FUNCTION post_json(posts);
DROP FUNCTION comment_json(comments);
DROP FUNCTION user_json(users);
ALTER TABLE posts ADD COLUMN edited_at timestamptz(3),
  ADD COLUMN hidden boolean NOT NULL DEFAULT false,
  ADD COLUMN locked boolean NOT NULL DEFAULT false,
  ADD COLUMN flag_count integer NOT NULL DEFAULT 0 CHECK (flag_count >= 0);
ALTER TABLE comments ADD COLUMN edited_at timestamptz(3),
  ADD COLUMN hidden boolean NOT NULL DEFAULT false,
  ADD COLUMN flag_count integer NOT NULL DEFAULT 0 CHECK (flag_count >= 0);
-- banned without banned_until: for good.
ALTER TABLE users ADD COLUMN banned boolean NOT NULL DEFAULT false,
  ADD COLUMN banned_until timestamptz(3),
  ADD COLUMN ban_reason text;
CREATE INDEX posts_moderation ON posts (created_at DESC, id DESC) WHERE hidden OR flag_count > 0;
CREATE INDEX comments_moderation ON comments (created_at DESC, id DESC) WHERE hidden OR flag_count > 0;

-- Members only when they say something, so untouched items keep their shape.
CREATE FUNCTION post_json(p posts) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', p.id, 'title', p.title, 'url', p.url, 'text', p.text, 'author', p.author,
    'createdAt', iso_time(p.created_at), 'upvotes', p.upvotes, 'downvotes', p.downvotes,
    'score', p.score, 'commentCount', p.comment_count, 'version', p.version)
  || jsonb_strip_nulls(jsonb_build_object('editedAt', iso_time(p.edited_at), 'hidden', nullif(p.hidden, false),
    'locked', nullif(p.locked, false), 'flagCount', nullif(p.flag_count, 0)));

CREATE FUNCTION comment_json(c comments) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', c.id, 'postId', c.post_id, 'parentId', c.parent_id, 'author', c.author,
    'text', c.text, 'createdAt', iso_time(c.created_at), 'version', c.version)
  || jsonb_strip_nulls(jsonb_build_object('editedAt', iso_time(c.edited_at), 'hidden', nullif(c.hidden, false),
    'flagCount', nullif(c.flag_count, 0)));

CREATE FUNCTION user_json(u users) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', u.id, 'login', u.login, 'displayName', u.display_name, 'scopes', to_jsonb(u.scopes),
    'passwordHash', u.password_hash, 'createdAt', iso_time(u.created_at), 'sessionVersion', u.session_version)
  || CASE WHEN u.banned THEN jsonb_build_object('ban', jsonb_build_object('until', iso_time(u.banned_until), 'reason', u.ban_reason))
          ELSE '{}'::jsonb END;

CREATE TABLE post_flags (
  post_id uuid NOT NULL REFERENCES posts ON DELETE CASCADE,
  login text COLLATE "C" NOT NULL REFERENCES users (login) ON DELETE CASCADE,
  reason text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, login)
);
CREATE INDEX post_flags_login ON post_flags (login);
CREATE TABLE comment_flags (
  comment_id uuid NOT NULL REFERENCES comments ON DELETE CASCADE,
  login text COLLATE "C" NOT NULL REFERENCES users (login) ON DELETE CASCADE,
  reason text NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (comment_id, login)
);
CREATE INDEX comment_flags_login ON comment_flags (login);

CREATE TABLE moderation_log (
  id bigserial PRIMARY KEY,
  at timestamptz(3) NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  target_kind text NOT NULL,
  target_id text NOT NULL,
  reason text,
  detail jsonb
);
`;

/**
 * A batch of votes (cast_votes, one statement) logs one change per run of
 * votes on a post, from the post before the run's first vote to the post
 * after its last, instead of one change per vote: the relays coalesce the
 * changes of a post anyway, and every node read and parsed each of them.
 * The batch takes the log's lock after its last vote, like the deferred
 * trigger at commit, so seq order stays commit order. The vote's own row
 * events are not queued for record_change(): the trigger's WHEN is evaluated
 * when the row is written, while the batch's setting is on. cast_vote keeps
 * its arguments and results (a node of the previous version still calls it,
 * and its votes are logged by the trigger as before) and can also return the
 * post as it was before the vote.
 */
const foldedVoteChanges = /* sql */ `
DROP TRIGGER posts_changes ON posts;
CREATE CONSTRAINT TRIGGER posts_changes AFTER INSERT OR UPDATE OR DELETE ON posts
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (current_setting('${VOTE_BATCH_SETTING}', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION record_change();

DROP FUNCTION cast_vote(uuid, text, smallint);
CREATE FUNCTION cast_vote(p_post uuid, p_login text, p_value smallint, p_before boolean DEFAULT false,
  OUT doc jsonb, OUT account_gone boolean, OUT old_doc jsonb)
  LANGUAGE plpgsql AS $$
DECLARE
  post posts;
  previous smallint;
  up integer;
  down integer;
BEGIN
  account_gone := false;
  IF p_value <> 0 THEN
    PERFORM 1 FROM users WHERE login = p_login FOR KEY SHARE;
    IF NOT FOUND THEN
      account_gone := true;
      RETURN;
    END IF;
  END IF;
  -- The row lock serializes votes on this post: the counters move exactly once per change.
  SELECT * INTO post FROM posts WHERE id = p_post FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF p_before THEN
    old_doc := post_json(post);
  END IF;
  SELECT value INTO previous FROM votes WHERE post_id = p_post AND login = p_login;
  previous := coalesce(previous, 0);
  IF previous = p_value THEN
    doc := coalesce(old_doc, post_json(post));
    RETURN;
  END IF;
  up := post.upvotes + (p_value = 1)::int - (previous = 1)::int;
  down := post.downvotes + (p_value = -1)::int - (previous = -1)::int;
  IF p_value = 0 THEN
    DELETE FROM votes WHERE post_id = p_post AND login = p_login;
  ELSE
    INSERT INTO votes (post_id, login, value) VALUES (p_post, p_login, p_value)
      ON CONFLICT (post_id, login) DO UPDATE SET value = excluded.value;
  END IF;
  UPDATE posts SET upvotes = up, downvotes = down, hot = hot_rank(up, down, post.created_at), version = version + 1
    WHERE id = p_post RETURNING * INTO post;
  doc := post_json(post);
END $$;

-- Casts the votes in array order; row n answers the n-th vote as cast_vote does.
-- Votes on one post are folded into one change only when they are adjacent
-- (the caller sorts by post): a post that comes back later starts a new run.
CREATE FUNCTION cast_votes(p_posts uuid[], p_logins text[], p_values smallint[])
  RETURNS TABLE (n integer, doc jsonb, account_gone boolean) LANGUAGE plpgsql AS $$
DECLARE
  befores jsonb[] := '{}';
  afters jsonb[] := '{}';
  run_before jsonb;
  run_after jsonb;
  vote record;
  last_seq bigint;
BEGIN
  PERFORM set_config('${VOTE_BATCH_SETTING}', 'on', true);
  FOR i IN 1 .. coalesce(cardinality(p_posts), 0) LOOP
    IF i > 1 AND p_posts[i] IS DISTINCT FROM p_posts[i - 1] THEN
      IF run_after IS DISTINCT FROM run_before THEN
        befores := array_append(befores, run_before);
        afters := array_append(afters, run_after);
      END IF;
      run_before := NULL;
      run_after := NULL;
    END IF;
    -- An assignment, not SELECT … INTO: evaluated as a simple expression, without a query's executor.
    vote := cast_vote(p_posts[i], p_logins[i], p_values[i], run_before IS NULL);
    n := i;
    doc := vote.doc;
    account_gone := vote.account_gone;
    run_before := coalesce(run_before, vote.old_doc);
    run_after := coalesce(doc, run_after);
    RETURN NEXT;
  END LOOP;
  IF run_after IS DISTINCT FROM run_before THEN
    befores := array_append(befores, run_before);
    afters := array_append(afters, run_after);
  END IF;
  PERFORM set_config('${VOTE_BATCH_SETTING}', '', true);
  IF cardinality(afters) > 0 THEN
    -- Held until commit, as record_change() holds it.
    PERFORM pg_advisory_xact_lock(${CHANGE_LOG_LOCK});
    WITH logged AS (
      INSERT INTO changes (tbl, old_val, new_val)
        SELECT 'posts', r.old_val, r.new_val FROM unnest(befores, afters) WITH ORDINALITY AS r(old_val, new_val, k) ORDER BY r.k
        RETURNING seq)
    SELECT max(seq) INTO last_seq FROM logged;
    PERFORM pg_notify('${CHANGES_CHANNEL}', last_seq::text);
  END IF;
END $$;
`;

/**
 * A commit's changes are announced with their content, so that a reader at
 * the seq before them delivers them without reading the log (a statement per
 * commit on every node: on PGlite, 1.5 ms of the 4.5 ms from a vote's request
 * to its first send). The payload is a ChangeNotice; one whose JSON would not
 * fit in NOTIFY's 8,000 bytes is replaced by the last seq alone, as before, and
 * the rows are read. A node of the previous version reads the log on any
 * payload that is not a seq. change_stamp() names a row's created_at the same
 * way in the notice and in the log's read, whatever the session's time zone.
 */
const changeNotices = /* sql */ `
CREATE FUNCTION change_stamp(at timestamptz) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (extract(epoch FROM at) * 1000000)::bigint::text;

-- rows: [seq, old_val, new_val] of one table, in seq order, all written at p_at.
CREATE FUNCTION change_notice(p_tbl text, p_at timestamptz, p_rows jsonb) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  notice text;
BEGIN
  notice := jsonb_build_object('e', (SELECT epoch FROM change_log_state LIMIT 1), 't', p_tbl, 'c', change_stamp(p_at),
    'r', p_rows)::text;
  IF octet_length(notice) < 8000 THEN
    RETURN notice;
  END IF;
  RETURN (p_rows -> -1 ->> 0);
END $$;

CREATE OR REPLACE FUNCTION record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_doc jsonb;
  new_doc jsonb;
  new_seq bigint;
  new_at timestamptz;
BEGIN
  IF TG_TABLE_NAME = 'posts' THEN
    IF TG_OP <> 'INSERT' THEN old_doc := post_json(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_doc := post_json(NEW); END IF;
  ELSE
    IF TG_OP <> 'INSERT' THEN old_doc := comment_json(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN new_doc := comment_json(NEW); END IF;
  END IF;
  -- Held until the commit completes: seq order is commit order (see migration 1).
  PERFORM pg_advisory_xact_lock(${CHANGE_LOG_LOCK});
  INSERT INTO changes (tbl, old_val, new_val) VALUES (TG_TABLE_NAME, old_doc, new_doc)
    RETURNING seq, created_at INTO new_seq, new_at;
  PERFORM pg_notify('${CHANGES_CHANNEL}', change_notice(TG_TABLE_NAME, new_at, jsonb_build_array(jsonb_build_array(new_seq, old_doc, new_doc))));
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION cast_votes(p_posts uuid[], p_logins text[], p_values smallint[])
  RETURNS TABLE (n integer, doc jsonb, account_gone boolean) LANGUAGE plpgsql AS $$
DECLARE
  befores jsonb[] := '{}';
  afters jsonb[] := '{}';
  run_before jsonb;
  run_after jsonb;
  vote record;
  logged jsonb;
  logged_at timestamptz;
  last_seq bigint;
BEGIN
  PERFORM set_config('${VOTE_BATCH_SETTING}', 'on', true);
  FOR i IN 1 .. coalesce(cardinality(p_posts), 0) LOOP
    IF i > 1 AND p_posts[i] IS DISTINCT FROM p_posts[i - 1] THEN
      IF run_after IS DISTINCT FROM run_before THEN
        befores := array_append(befores, run_before);
        afters := array_append(afters, run_after);
      END IF;
      run_before := NULL;
      run_after := NULL;
    END IF;
    -- An assignment, not SELECT … INTO: evaluated as a simple expression, without a query's executor.
    vote := cast_vote(p_posts[i], p_logins[i], p_values[i], run_before IS NULL);
    n := i;
    doc := vote.doc;
    account_gone := vote.account_gone;
    run_before := coalesce(run_before, vote.old_doc);
    run_after := coalesce(doc, run_after);
    RETURN NEXT;
  END LOOP;
  IF run_after IS DISTINCT FROM run_before THEN
    befores := array_append(befores, run_before);
    afters := array_append(afters, run_after);
  END IF;
  PERFORM set_config('${VOTE_BATCH_SETTING}', '', true);
  IF cardinality(afters) > 0 THEN
    -- Held until commit, as record_change() holds it.
    PERFORM pg_advisory_xact_lock(${CHANGE_LOG_LOCK});
    -- More posts than fit in a payload are not gathered for one, only to be dropped.
    WITH inserted AS (
      INSERT INTO changes (tbl, old_val, new_val)
        SELECT 'posts', r.old_val, r.new_val FROM unnest(befores, afters) WITH ORDINALITY AS r(old_val, new_val, k) ORDER BY r.k
        RETURNING seq, old_val, new_val, created_at)
    SELECT jsonb_agg(jsonb_build_array(seq, old_val, new_val) ORDER BY seq) FILTER (WHERE cardinality(afters) <= ${MAX_NOTICE_POSTS}),
           max(created_at), max(seq)
      INTO logged, logged_at, last_seq FROM inserted;
    PERFORM pg_notify('${CHANGES_CHANNEL}', CASE WHEN logged IS NULL THEN last_seq::text ELSE change_notice('posts', logged_at, logged) END);
  END IF;
END $$;
`;

/**
 * A hidden post takes no votes: cast_vote answers as for a post that does
 * not exist (to everyone but moderators it is not there, and moderators
 * restore it first). Checked under the post's row lock, so a vote and a hide
 * are ordered. Otherwise cast_vote is migration 9's.
 */
const hiddenPostsUnvoted = /* sql */ `
CREATE OR REPLACE FUNCTION cast_vote(p_post uuid, p_login text, p_value smallint, p_before boolean DEFAULT false,
  OUT doc jsonb, OUT account_gone boolean, OUT old_doc jsonb)
  LANGUAGE plpgsql AS $$
DECLARE
  post posts;
  previous smallint;
  up integer;
  down integer;
BEGIN
  account_gone := false;
  IF p_value <> 0 THEN
    PERFORM 1 FROM users WHERE login = p_login FOR KEY SHARE;
    IF NOT FOUND THEN
      account_gone := true;
      RETURN;
    END IF;
  END IF;
  -- The row lock serializes votes on this post: the counters move exactly once per change.
  SELECT * INTO post FROM posts WHERE id = p_post FOR UPDATE;
  IF NOT FOUND OR post.hidden THEN
    RETURN;
  END IF;
  IF p_before THEN
    old_doc := post_json(post);
  END IF;
  SELECT value INTO previous FROM votes WHERE post_id = p_post AND login = p_login;
  previous := coalesce(previous, 0);
  IF previous = p_value THEN
    doc := coalesce(old_doc, post_json(post));
    RETURN;
  END IF;
  up := post.upvotes + (p_value = 1)::int - (previous = 1)::int;
  down := post.downvotes + (p_value = -1)::int - (previous = -1)::int;
  IF p_value = 0 THEN
    DELETE FROM votes WHERE post_id = p_post AND login = p_login;
  ELSE
    INSERT INTO votes (post_id, login, value) VALUES (p_post, p_login, p_value)
      ON CONFLICT (post_id, login) DO UPDATE SET value = excluded.value;
  END IF;
  UPDATE posts SET upvotes = up, downvotes = down, hot = hot_rank(up, down, post.created_at), version = version + 1
    WHERE id = p_post RETURNING * INTO post;
  doc := post_json(post);
END $$;
`;

/**
 * A batch of votes waits at most 5 s for a lock (a post another session holds,
 * the change log's): a session stopped inside a transaction held every vote
 * batch on its posts, and so each slot of every node's batcher, until its end.
 * The batch then fails as `unavailable` (55P03), and its votes can be sent again.
 */
const voteLockWaitBounded = /* sql */ `
ALTER FUNCTION cast_votes(uuid[], text[], smallint[]) SET lock_timeout = '5s';
`;

/** What later versions of cast_votes add to migration 13's, which has them all empty. */
interface CastVotesParts {
  /** How the statement begins. */
  create: string;
  /** Variables. */
  declare: string;
  /** Aggregates of the logged changes, and the variables they go into. */
  gather: string;
  into: string;
  /** Statements after the NOTIFY. */
  answer: string;
}

/** cast_votes as migration 13 defines it and later ones replace it (CastVotesParts). */
const castVotes = ({
  create,
  declare,
  gather,
  into,
  answer,
}: CastVotesParts) => /* sql */ `${create} cast_votes(p_posts uuid[], p_logins text[], p_values smallint[], p_set_wise_from integer DEFAULT ${SET_WISE_VOTES})
  RETURNS TABLE (n integer, doc jsonb, account_gone boolean) LANGUAGE plpgsql
  SET lock_timeout = '5s' SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  answers cast_votes_answer[];
  present text[];
  locked_posts posts[];
  befores jsonb[] := '{}';
  afters jsonb[] := '{}';
  run_before jsonb;
  run_after jsonb;
  vote record;
  logged jsonb;
  logged_at timestamptz;
  last_seq bigint;
${declare}BEGIN
  PERFORM set_config('${VOTE_BATCH_SETTING}', 'on', true);
  IF coalesce(cardinality(p_posts), 0) < p_set_wise_from THEN
    FOR i IN 1 .. coalesce(cardinality(p_posts), 0) LOOP
      IF i > 1 AND p_posts[i] IS DISTINCT FROM p_posts[i - 1] THEN
        IF run_after IS DISTINCT FROM run_before THEN
          befores := array_append(befores, run_before);
          afters := array_append(afters, run_after);
        END IF;
        run_before := NULL;
        run_after := NULL;
      END IF;
      vote := cast_vote(p_posts[i], p_logins[i], p_values[i], run_before IS NULL);
      n := i;
      doc := vote.doc;
      account_gone := vote.account_gone;
      run_before := coalesce(run_before, vote.old_doc);
      run_after := coalesce(doc, run_after);
      RETURN NEXT;
    END LOOP;
    IF run_after IS DISTINCT FROM run_before THEN
      befores := array_append(befores, run_before);
      afters := array_append(afters, run_after);
    END IF;
  ELSE
    -- Accounts, then posts, each in key order; what the locks found is all the statement after them reads of either.
    -- One key lookup each (LATERAL): \`= ANY (array)\` let a generic plan scan the whole table, comparing each row with
    -- every key of the batch.
    SELECT coalesce(array_agg(u.login ORDER BY b.login), '{}') INTO present
      FROM (SELECT DISTINCT login FROM unnest(p_logins) AS login ORDER BY login) b,
           LATERAL (SELECT login FROM users WHERE login = b.login FOR KEY SHARE) u;
    SELECT coalesce(array_agg(l.post ORDER BY b.id), '{}') INTO locked_posts
      FROM (SELECT DISTINCT id FROM unnest(p_posts) AS id ORDER BY id) b,
           LATERAL (SELECT p AS post FROM posts p WHERE p.id = b.id FOR UPDATE) l;
    WITH ballot AS (
      SELECT b.k::integer AS k, b.post_id, b.login, b.value, b.value <> 0 AND NOT b.login = ANY (present) AS gone
        FROM unnest(p_posts, p_logins, p_values) WITH ORDINALITY AS b(post_id, login, value, k)
    ),
    prior AS (
      SELECT p.id, post_json(p) AS body, p.upvotes, p.downvotes, p.version, p.created_at
        FROM unnest(locked_posts) AS p WHERE NOT p.hidden
    ),
    -- The votes that count, each with the vote it replaces: the stored one, or the voter's previous in the batch.
    replacing AS (
      SELECT b.k, b.post_id, b.login, b.value, v.value AS stored,
             coalesce(lag(b.value) OVER pair, v.value, 0) AS previous,
             lead(b.k) OVER pair IS NULL AS last_of_pair
        FROM ballot b
        JOIN prior p ON p.id = b.post_id
        LEFT JOIN votes v ON v.post_id = b.post_id AND v.login = b.login
       WHERE NOT b.gone
      WINDOW pair AS (PARTITION BY b.post_id, b.login ORDER BY b.k)
    ),
    counted AS (
      SELECT r.*,
             (sum((r.value = 1)::int - (r.previous = 1)::int) OVER run)::int AS up,
             (sum((r.value = -1)::int - (r.previous = -1)::int) OVER run)::int AS down,
             count(*) FILTER (WHERE r.value <> r.previous) OVER run AS moves,
             lead(r.k) OVER run IS NULL AS last_of_post
        FROM replacing r
      WINDOW run AS (PARTITION BY r.post_id ORDER BY r.k)
    ),
    -- Each vote's post as that vote left it.
    answered AS (
      SELECT c.*, p.body AS before_body, p.body || jsonb_build_object(
               'upvotes', p.upvotes + c.up, 'downvotes', p.downvotes + c.down,
               'score', (p.upvotes + c.up) - (p.downvotes + c.down), 'version', p.version + c.moves) AS body
        FROM counted c JOIN prior p ON p.id = c.post_id
    ),
    removed AS (
      DELETE FROM votes v USING counted c
       WHERE c.last_of_pair AND c.value = 0 AND c.stored IS NOT NULL AND v.post_id = c.post_id AND v.login = c.login
    ),
    written AS (
      INSERT INTO votes (post_id, login, value)
        SELECT c.post_id, c.login, c.value FROM counted c WHERE c.last_of_pair AND c.value <> 0 AND c.value IS DISTINCT FROM c.stored
        ON CONFLICT (post_id, login) DO UPDATE SET value = excluded.value
    ),
    moved AS (
      UPDATE posts p SET upvotes = b.upvotes + c.up, downvotes = b.downvotes + c.down,
             hot = hot_rank(b.upvotes + c.up, b.downvotes + c.down, b.created_at), version = b.version + c.moves
        FROM counted c JOIN prior b ON b.id = c.post_id
       WHERE c.last_of_post AND c.moves > 0 AND p.id = c.post_id
    )
    SELECT
      (SELECT array_agg(ROW(b.k, a.body, b.gone)::cast_votes_answer ORDER BY b.k)
         FROM ballot b LEFT JOIN answered a ON a.k = b.k),
      (SELECT coalesce(array_agg(a.before_body ORDER BY a.k), '{}') FROM answered a WHERE a.last_of_post AND a.moves > 0),
      (SELECT coalesce(array_agg(a.body ORDER BY a.k), '{}') FROM answered a WHERE a.last_of_post AND a.moves > 0)
      INTO answers, befores, afters;
  END IF;
  PERFORM set_config('${VOTE_BATCH_SETTING}', '', true);
  IF cardinality(afters) > 0 THEN
    -- Held until commit, as record_change() holds it.
    PERFORM pg_advisory_xact_lock(${CHANGE_LOG_LOCK});
    -- More posts than fit in a payload are not gathered for one, only to be dropped.
    WITH inserted AS (
      INSERT INTO changes (tbl, old_val, new_val)
        SELECT 'posts', r.old_val, r.new_val FROM unnest(befores, afters) WITH ORDINALITY AS r(old_val, new_val, o) ORDER BY r.o
        RETURNING seq, old_val, new_val, created_at)
    SELECT jsonb_agg(jsonb_build_array(seq, old_val, new_val) ORDER BY seq) FILTER (WHERE cardinality(afters) <= ${MAX_NOTICE_POSTS}),
${gather}           max(created_at), max(seq)
      INTO logged, ${into}logged_at, last_seq FROM inserted;
    PERFORM pg_notify('${CHANGES_CHANNEL}', CASE WHEN logged IS NULL THEN last_seq::text ELSE change_notice('posts', logged_at, logged) END);
${answer}  END IF;
  RETURN QUERY SELECT a.k, a.body, a.gone FROM unnest(answers) AS a;
END $$;
`;

/**
 * A batch of votes can be cast set-wise: the statements that lock its
 * accounts and its posts (in key order) return what they locked, and one
 * statement reads the votes they replace, counts each vote in array order
 * (window functions over the batch, so a voter's second vote on a post
 * replaces the first), writes each voter's last vote and each post's last
 * state once, and answers each vote with the post as that vote left it.
 * Vote by vote, cast_vote runs five statements per vote inside PL/pgSQL; the
 * set-wise statement costs more to start (its sorts, hashes and window
 * aggregates) and less per vote, so batches shorter than `p_set_wise_from`
 * (the caller's choice) still go vote by vote. Both answer as cast_vote
 * does (the tests compare them on the same ballots). Each post that changed
 * logs one change per run of votes on it (set-wise, per post: the caller
 * sorts by post, so that is one run). A
 * vote changes only the counters, `score`, `version` and `hot` (not in the
 * document), so its answer, and the change's new document, is the post's
 * document before the batch with those members replaced. Plans are generic:
 * a batch's arrays differ every call, and planning the statement anew each
 * time cost more than it saved. The function takes the argument in place of
 * the three-argument one, which migration 12's lock timeout named.
 */
const setWiseVotes = /* sql */ `
CREATE TYPE cast_votes_answer AS (k integer, body jsonb, gone boolean);

DROP FUNCTION cast_votes(uuid[], text[], smallint[]);
${castVotes({ create: 'CREATE FUNCTION', declare: '', gather: '', into: '', answer: '' })}`;

/**
 * cast_votes answers with the changes it logged too, in a row of its own:
 * n = 0, doc = {e: epoch, c: change_stamp, r: [[seq, post id, upvotes,
 * downvotes, version, new version], …]} with the post's counters before the
 * change. The change's new document is the answer of the vote that made it
 * (the post's answer at the new version), and its old one that document with
 * the counters before, so the caller's own feed hands the changes on without
 * reading them back from the log (ChangeFeed.cast): a batch of more posts
 * than fit in a NOTIFY payload was read back by every node, the one that cast
 * it too. The row is small: answering with the documents cost as much as
 * reading them back. A node of the version before skips the row, which
 * answers no vote.
 */
const changesAnswered = castVotes({
  create: 'CREATE OR REPLACE FUNCTION',
  declare: '  priors jsonb;\n',
  gather: /* sql */ `           jsonb_agg(jsonb_build_array(seq, old_val -> 'id', old_val -> 'upvotes', old_val -> 'downvotes', old_val -> 'version',
                                       new_val -> 'version') ORDER BY seq),
`,
  into: 'priors, ',
  answer: /* sql */ `    n := 0;
    doc := jsonb_build_object('e', (SELECT epoch FROM change_log_state LIMIT 1), 'c', change_stamp(logged_at), 'r', priors);
    account_gone := false;
    RETURN NEXT;
`,
});

/**
 * Votes keep their cascades and lose their foreign keys' checks. Both vote
 * functions lock the account FOR KEY SHARE and the post FOR UPDATE before
 * writing a vote (what the checks lock), and write nothing for an account or
 * a post they did not find: the checks, one query per new vote for each key,
 * only repeated those locks, and cost about a tenth of what PostgreSQL spent
 * on a batch of new votes. The cascades become triggers, once per deleting
 * statement: a post's votes, or an account's, go with it. A deletion that
 * waited on a vote's lock deletes that vote too (in READ COMMITTED, the
 * trigger's statement reads what committed meanwhile).
 */
const voteKeysLocked = /* sql */ `
ALTER TABLE votes DROP CONSTRAINT votes_post_id_fkey;
ALTER TABLE votes DROP CONSTRAINT votes_login_fkey;

CREATE FUNCTION delete_votes_of_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM votes v USING gone g WHERE v.post_id = g.id;
  RETURN NULL;
END $$;
CREATE TRIGGER posts_delete_votes AFTER DELETE ON posts REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION delete_votes_of_posts();

CREATE FUNCTION delete_votes_of_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM votes v USING gone g WHERE v.login = g.login;
  RETURN NULL;
END $$;
CREATE TRIGGER users_delete_votes AFTER DELETE ON users REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION delete_votes_of_users();
`;

/** Migration 16's reading of who hid the hidden items of `table` (see hiddenBy). */
const hiddenByOfHidden = (table: 'posts' | 'comments', alias: 'p' | 'c', kind: 'post' | 'comment') => /* sql */ `\
UPDATE ${table} AS ${alias} SET version = version + 1, hidden_by = CASE
    WHEN ${alias}.flag_count > 0 AND NOT EXISTS (SELECT 1 FROM moderation_log l
      WHERE (l.action = 'hide' AND l.target_kind = '${kind}' AND l.target_id = ${alias}.id::text)
         OR (l.action = 'ban' AND l.target_id COLLATE "C" = ${alias}.author AND l.detail->>'hideContent' = 'true'))
    THEN 'flags' ELSE 'moderator' END
  WHERE ${alias}.hidden;`;

/**
 * Who hid an item: `flags` (enough readers flagged it) until a moderator
 * decides, else `moderator` (a moderator's hide, or a ban's), so readers are
 * not told a moderator removed what only flags hid. Items hidden before this
 * are read from the log: flagged, and neither hidden by a moderator nor by a
 * ban of their author with its content, they were hidden by flags. Their
 * version moves, so every node's feed takes the new field. A node of the
 * previous version that hides writes no reason: hidden without one reads as
 * a moderator's, as it did before.
 */
const hiddenBy = /* sql */ `
ALTER TABLE posts ADD COLUMN hidden_by text CHECK (hidden_by IN ('moderator', 'flags'));
ALTER TABLE comments ADD COLUMN hidden_by text CHECK (hidden_by IN ('moderator', 'flags'));

CREATE OR REPLACE FUNCTION post_json(p posts) RETURNS jsonb LANGUAGE sql STABLE
  RETURN post_json_without_page(p)
    || CASE WHEN p.page_url IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('pageUrl', p.page_url) END
    || CASE WHEN p.hidden THEN jsonb_build_object('hiddenBy', coalesce(p.hidden_by, 'moderator')) ELSE '{}'::jsonb END;

CREATE OR REPLACE FUNCTION comment_json(c comments) RETURNS jsonb LANGUAGE sql STABLE
  RETURN jsonb_build_object(
    'id', c.id, 'postId', c.post_id, 'parentId', c.parent_id, 'author', c.author,
    'text', c.text, 'createdAt', iso_time(c.created_at), 'version', c.version)
  || jsonb_strip_nulls(jsonb_build_object('editedAt', iso_time(c.edited_at), 'hidden', nullif(c.hidden, false),
    'hiddenBy', CASE WHEN c.hidden THEN coalesce(c.hidden_by, 'moderator') END, 'flagCount', nullif(c.flag_count, 0)));

${hiddenByOfHidden('posts', 'p', 'post')}
${hiddenByOfHidden('comments', 'c', 'comment')}
`;

/** The schema, oldest first. Append new migrations; never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'account foreign keys', before: removeOrphans, sql: accountKeys },
  { version: 3, name: 'account ids', sql: accountIds },
  { version: 4, name: 'revocation', sql: revocation },
  { version: 5, name: 'vote function', sql: voteFunction },
  { version: 6, name: 'moderation', sql: moderation },
  { version: 7, name: 'page posts', sql: pagePosts },
  { version: 8, name: 'notifications', sql: notifications },
  { version: 9, name: 'folded vote changes', sql: foldedVoteChanges },
  { version: 10, name: 'change notices', sql: changeNotices },
  { version: 11, name: 'hidden posts unvoted', sql: hiddenPostsUnvoted },
  { version: 12, name: 'vote lock wait bounded', sql: voteLockWaitBounded },
  { version: 13, name: 'set-wise votes', sql: setWiseVotes },
  { version: 14, name: 'changes answered', sql: changesAnswered },
  { version: 15, name: 'vote keys locked', sql: voteKeysLocked },
  { version: 16, name: 'hidden by', sql: hiddenBy },
];

/**
 * Applies the migrations the database lacks, in one transaction. Safe to run
 * from several nodes at once. `through` stops after that version (tests).
 */
export async function migrate(driver: SqlDriver, through = Number.POSITIVE_INFINITY): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).map((row) => row.version));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version) || migration.version > through) continue;
      await migration.before?.(tx);
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
  });
}
