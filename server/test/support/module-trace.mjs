// `node --import ./module-trace.mjs`: appends the URL of every module the
// process loads through the ES module loader (its own files and each
// package's entry point) to the file named by MODULE_TRACE_FILE.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url);
