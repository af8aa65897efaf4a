#!/usr/bin/env node
// The image's HEALTHCHECK: exit 0 while the node serves (see serves), 1 otherwise.
// HEALTH_URL, by default http://127.0.0.1:$PORT/readyz.
import { nodeServes } from './serving.js';

const url = process.env.HEALTH_URL || `http://127.0.0.1:${process.env.PORT || 3000}/readyz`;
process.exitCode = (await nodeServes(url)) ? 0 : 1;
