import { describe, expect, test } from '@jest/globals';
import rethinkdb from 'rethinkdb';
import { isUnavailable, storeError } from '../../src/store/rethinkdb/connection.js';
import { StoreError } from '../../src/store/store-error.js';

// The driver's own error classes, as the server's answers become them (no server needed).
const errors = (rethinkdb as unknown as { Error: Record<string, new (message: string) => Error> }).Error;

// What RethinkDB 2.4 answers (as an internal error) when a table's metadata is asked of servers that were just killed.
const TABLE_UNREACHABLE =
  "Unexpected exception: The attempt to read or modify the table's configuration failed because none of the servers were accessible.  If it was an attempt to modify, the modification did not take place.";
const TABLE_CONTACT_LOST =
  "Unexpected exception: The attempt to modify the table's configuration failed because we lost contact with the servers after initiating the modification, or the Raft leader lost contact with its followers, or we timed out while waiting for the changes to propagate.  The modification may or may not have taken place.";

describe('RethinkDB errors as the store reports them', () => {
  test('a lost server, a lost majority or a lost connection is unavailable', () => {
    for (const name of ['ReqlDriverError', 'ReqlAvailabilityError', 'ReqlOpFailedError', 'ReqlOpIndeterminateError', 'ReqlTimeoutError']) {
      const error = new errors[name]!('gone');
      expect(isUnavailable(error)).toBe(true);
      expect(storeError(error)).toMatchObject({ kind: 'unavailable', cause: error });
    }
  });

  test('an internal error saying the table could not be reached is unavailable; any other internal error is not', () => {
    for (const message of [TABLE_UNREACHABLE, TABLE_CONTACT_LOST]) {
      expect(storeError(new errors.ReqlInternalError!(message))).toBeInstanceOf(StoreError);
    }
    const bug = new errors.ReqlInternalError!('Unexpected exception: something else');
    expect(isUnavailable(bug)).toBe(false);
    expect(storeError(bug)).toBe(bug);
  });

  test('a query the server refuses is not unavailable', () => {
    const wrong = new errors.ReqlQueryLogicError!('Expected type NUMBER but found STRING');
    expect(isUnavailable(wrong)).toBe(false);
    expect(storeError(wrong)).toBe(wrong);
  });
});
