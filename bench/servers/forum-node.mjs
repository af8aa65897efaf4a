// One forum node as `news-forum-server` starts it (configured by the
// environment), with the rate limits raised out of the way of the load and a
// cheaper password hash so that a thousand accounts are made in seconds: the
// password cost has no environment variable, and one object here is simpler
// than seven RATE_* variables.

import { startServer } from '@news-forum/server';

const unlimited = { max: 1e9, windowMs: 60_000 };
const server = await startServer({
  passwordCost: 2 ** 10,
  limits: {
    requestsPerIp: unlimited,
    writesPerUser: unlimited,
    loginsPerIp: unlimited,
    failedLoginsPerLoginAndIp: unlimited,
    failedLoginsPerLogin: unlimited,
    signupsPerIp: unlimited,
    socketEventsPerSocket: unlimited,
  },
});
const stop = () => void server.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
