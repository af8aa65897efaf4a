#!/usr/bin/env node
import { modules } from './load-bundle.js';

await modules.runCli();
