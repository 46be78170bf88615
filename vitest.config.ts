import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Two files at a time: integration files mostly wait (on nodes, relups, sshd), and each has its own
    // sshd, ports, node names and temp dirs; shared fixture builds are made once under a lock.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
