import { describe, expect, test } from '@jest/globals';
import type { LivePost, Post } from '@news-forum/sdk';
import { Votes } from '../../src/news-forum/votes.js';

/** A post as the stream sends it: counts and version, no `myVote`. */
function live(upvotes: number, downvotes: number, version: number): LivePost {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    title: 'A post',
    url: null,
    text: null,
    author: 'ana',
    createdAt: '2026-01-01T00:00:00.000Z',
    upvotes,
    downvotes,
    score: upvotes - downvotes,
    commentCount: 0,
    version,
  };
}

/** The same post as a REST answer to the reader, who voted `myVote`. */
const answered = (post: LivePost, myVote: Post['myVote']): Post => ({ ...post, myVote });
const counts = ({ upvotes, downvotes, score }: LivePost) => ({ upvotes, downvotes, score });

describe('the reader’s vote', () => {
  test('is none until a REST answer tells it', () => {
    const votes = new Votes();
    const post = live(3, 1, 4);
    expect(votes.of(post.id)).toBe(0);
    votes.learn([answered(post, -1)]);
    expect(votes.of(post.id)).toBe(-1);
  });

  test('is the one being sent while it is on its way', () => {
    const votes = new Votes();
    const post = live(0, 0, 1);
    votes.start(post, 1);
    expect(votes.of(post.id)).toBe(1);
    expect(votes.sending(post.id)).toBe(true);
  });
});

describe('the reader’s vote from another tab', () => {
  test('is taken at its version, and an older one changes nothing', () => {
    const votes = new Votes();
    const post = live(3, 1, 4);
    votes.learn([answered(post, 0)]);
    expect(votes.hear(post.id, 1, 5)).toBe(true);
    expect(votes.of(post.id)).toBe(1);
    expect(votes.hear(post.id, -1, 4)).toBe(false);
    expect(votes.of(post.id)).toBe(1);
  });

  test('is not undone by an older answer to a vote of this tab', () => {
    const votes = new Votes();
    const post = live(0, 0, 1);
    votes.start(post, -1);
    votes.hear(post.id, 1, 3);
    votes.settle(post.id, answered(live(0, 1, 2), -1));
    expect(votes.of(post.id)).toBe(1);
  });
});

describe('counts shown while a vote is on its way', () => {
  test('an upvote from none adds one up', () => {
    const votes = new Votes();
    const post = live(2, 1, 5);
    votes.start(post, 1);
    expect(counts(votes.show(post))).toEqual({ upvotes: 3, downvotes: 1, score: 2 });
  });

  test('turning an upvote into a downvote moves one from up to down', () => {
    const votes = new Votes();
    const post = live(2, 1, 5);
    votes.learn([answered(post, 1)]);
    votes.start(post, -1);
    expect(counts(votes.show(post))).toEqual({ upvotes: 1, downvotes: 2, score: -1 });
  });

  test('retracting a downvote takes one down away', () => {
    const votes = new Votes();
    const post = live(2, 1, 5);
    votes.learn([answered(post, -1)]);
    votes.start(post, 0);
    expect(counts(votes.show(post))).toEqual({ upvotes: 2, downvotes: 0, score: 2 });
  });

  test('a copy newer than the one voted on already counts the vote, and is shown as it is', () => {
    const votes = new Votes();
    const post = live(2, 1, 5);
    votes.start(post, 1);
    const streamed = live(3, 1, 6);
    expect(votes.show(streamed)).toEqual(streamed);
  });
});

describe('the answer to a vote', () => {
  test('accepted: the server’s counts and the vote are kept', () => {
    const votes = new Votes();
    const post = live(2, 1, 5);
    votes.start(post, 1);
    votes.settle(post.id, answered(live(3, 1, 6), 1));
    expect(votes.sending(post.id)).toBe(false);
    expect(votes.of(post.id)).toBe(1);
    // The stream's copy lags behind the answer: the answer's counts are shown.
    expect(counts(votes.show(post))).toEqual({ upvotes: 3, downvotes: 1, score: 2 });
  });

  test('refused: the vote is undone', () => {
    const votes = new Votes();
    const post = live(2, 1, 5);
    votes.start(post, 1);
    votes.settle(post.id, undefined);
    expect(votes.of(post.id)).toBe(0);
    expect(votes.show(post)).toEqual(post);
  });
});

describe('copies of a post', () => {
  test('an older REST copy does not replace a newer one', () => {
    const votes = new Votes();
    const older = live(1, 0, 2);
    votes.learn([answered(live(4, 0, 5), 1)]);
    votes.learn([answered(older, 1)]);
    expect(counts(votes.show(older))).toEqual({ upvotes: 4, downvotes: 0, score: 4 });
  });

  test('the stream’s copy wins once it is newer than the REST one', () => {
    const votes = new Votes();
    votes.learn([answered(live(4, 0, 5), 1)]);
    const streamed = live(4, 2, 7);
    expect(votes.show(streamed)).toEqual(streamed);
  });
});

test('signing out forgets the reader’s votes and those on their way', () => {
  const votes = new Votes();
  const post = live(2, 1, 5);
  votes.learn([answered(post, -1)]);
  votes.start(post, 1);
  votes.clear();
  expect(votes.of(post.id)).toBe(0);
  expect(votes.sending(post.id)).toBe(false);
  expect(votes.show(post)).toEqual(post);
});
