// Entry of the self-contained dist/news-forum.js: the element, defined, and
// the SDK it carries anyway, so a page can script the forum without a second download.
export * from './index.js';
export { createClient, hotRank, isNewsForumError } from '@news-forum/sdk';
