// Entry of the self-contained dist/news-forum.js: the element, defined, and
// the SDK it carries anyway, so a page can script the forum without a second download.
// The SDK first: rollup lays modules out in import order, and the widget's
// code compresses better after the SDK and Lit than between them.
export { createClient, hotRank, isNewsForumError } from '@news-forum/sdk';
export * from './index.js';
