import type { Command } from 'commander';
import { descriptionOf } from './descriptions.js';

interface InspectFlags {
  json?: boolean;
  vsn?: string;
  from?: string;
  old?: string;
}

export function register(program: Command): void {
  program
    .command('inspect')
    .description(descriptionOf('inspect'))
    .argument('<artifact>', 'a release tarball (.tar.gz), a release root (bin/, lib/, releases/), or a relup file')
    .option('--vsn <vsn>', 'the release version to inspect when the directory holds several')
    .option('--from <vsn>', 'the version that runs: judge only the upgrade from it (default: every up-path of the relup)')
    .option('--old <release>', 'the release that runs, as a release root or tarball of its own: judge the upgrade from it')
    .option('--json', 'print one JSON document on stdout')
    .action(async (artifact: string, flags: InspectFlags) => {
      // Offline: no config and no connections. Imported here, as in withFrame, to keep `hotup --help` fast.
      const [{ humanReporter, jsonReporter }, { makeStyle }, { exitCodeFor, inspectExitCode }] = await Promise.all([
        import('../report/reporter.js'), import('../report/style.js'), import('../report/exit-codes.js'),
      ]);
      const reporter = flags.json ? jsonReporter() : humanReporter();
      try {
        const { inspect } = await import('../core/inspect.js');
        const result = await inspect(artifact, { ...(flags.vsn ? { vsn: flags.vsn } : {}), ...(flags.from ? { from: flags.from } : {}), ...(flags.old ? { old: flags.old } : {}) });
        const { renderInspect } = await import('../report/render-inspect.js');
        reporter.result(result, renderInspect(result, makeStyle(process.stdout)));
        process.exitCode = inspectExitCode(result);
      } catch (e) {
        reporter.error(e);
        process.exitCode = exitCodeFor(e);
      }
    });
}
