// Jest setupFilesAfterEnv of the projects that start processes: after each test file, kill the
// Node processes a failed or timed-out test left running (its own afterAll closes the servers).
import { afterAll } from '@jest/globals';
import { stopChildren } from './bundle.js';

afterAll(async () => {
  const killed = await stopChildren();
  if (killed > 0) console.warn(`Killed ${killed} child process(es) that a test left running.`);
});
