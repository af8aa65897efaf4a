import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from '@jest/globals';
import ts from 'typescript';

// The SDK's public API is what its built entry exports. It may grow; a name
// that disappears breaks its users, so the list is pinned here.
const EXPORTED = [
  'ApiError',
  'ApiInfo',
  'CallOptions',
  'Change',
  'ClientOptions',
  'ClientToServerEvents',
  'Comment',
  'CommentListQuery',
  'CommentsApi',
  'ConnectionEvents',
  'CreateOptions',
  'DEFAULT_PAGE_SIZE',
  'DEFAULT_POST_SORT',
  'ErrorCode',
  'Live',
  'LiveCommentsTopic',
  'LivePost',
  'LivePostsTopic',
  'LiveStatus',
  'LiveTopic',
  'LiveView',
  'LoadMoreResult',
  'MAX_PAGE_SIZE',
  'MAX_TOPICS_PER_SOCKET',
  'NetworkError',
  'NewComment',
  'NewPageComment',
  'NewPost',
  'NewUser',
  'NewsForumClient',
  'NewsForumError',
  'NewsForumErrorJSON',
  'Notification',
  'NotificationListQuery',
  'NotificationPage',
  'NotificationReadRequest',
  'NotificationReadResult',
  'NotificationsApi',
  'POST_SORTS',
  'Page',
  'PageComment',
  'PagedLiveView',
  'PagesApi',
  'Post',
  'PostListQuery',
  'PostSort',
  'PostsApi',
  'Presence',
  'PresenceTopic',
  'Problem',
  'Rankable',
  'RequestError',
  'Result',
  'RetryDelay',
  'Scope',
  'ServerToClientEvents',
  'Session',
  'SocketAuth',
  'SocketClientOptions',
  'StatusEvent',
  'SubscribeAck',
  'TimeoutError',
  'Topic',
  'TopicEvents',
  'UnsubscribeAck',
  'User',
  'UserListQuery',
  'UsersApi',
  'VOTES',
  'Vote',
  'WatchOptions',
  'WatchPostsOptions',
  'components',
  'createClient',
  'hotRank',
  'isNewsForumError',
  'normalisePageUrl',
  'operations',
  'paths',
  // moderation
  'Ban',
  'CommentEdit',
  'FlagReason',
  'ModerationAction',
  'ModerationApi',
  'ModerationListQuery',
  'ModerationLogEntry',
  'ModerationQueueItem',
  'NewBan',
  'PostEdit',
  'ReasonOptions',
];
const VALUES = [
  'ApiError',
  'DEFAULT_PAGE_SIZE',
  'DEFAULT_POST_SORT',
  'MAX_PAGE_SIZE',
  'MAX_TOPICS_PER_SOCKET',
  'NetworkError',
  'NewsForumError',
  'POST_SORTS',
  'TimeoutError',
  'VOTES',
  'createClient',
  'hotRank',
  'isNewsForumError',
  'normalisePageUrl',
];

const sortedNames = (names: Iterable<string>) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

it('the built types export exactly the pinned names', () => {
  const file = fileURLToPath(new URL('../dist/index.d.ts', import.meta.url));
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(file)!)!;
  expect(sortedNames(checker.getExportsOfModule(module).map((symbol) => symbol.name))).toEqual(sortedNames(EXPORTED));
}, 60_000);

it('the built ESM and CommonJS entries export exactly the pinned values', async () => {
  const esm = await import('../dist/index.js' as string);
  const cjs = createRequire(import.meta.url)('../dist/index.cjs') as object;
  expect(sortedNames(Object.keys(esm))).toEqual(sortedNames(VALUES));
  expect(sortedNames(Object.keys(cjs))).toEqual(sortedNames(VALUES));
}, 60_000);
