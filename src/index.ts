/* The action's entry point; the runner starts dist/index.js, the bundle of this file. */
import { run } from './main.js';

await run();
