import './news-forum/define.js';

export type {
  CommentCreatedEventDetail,
  ErrorAction,
  ErrorEventDetail,
  LoginEventDetail,
  LogoutEventDetail,
  NewsForumEventMap,
  PostCreatedEventDetail,
  Vote,
  VoteEventDetail,
} from './events/events.js';
export { NewsForum } from './news-forum/news-forum.js';
