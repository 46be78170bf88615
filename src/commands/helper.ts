/** The argv that runs hotup's Erlang helper. Pure. */

/** The files a host needs to run the helper (uploaded next to each other). */
export const HELPER_FILES = ['hotup_helper.escript', 'encode.fun', 'hotup_beam.erl'];

/** Where the helper lives on a production host: inside the release root, which the deploy user owns. */
export function hostHelperDir(root: string): string {
  return `${root}/.hotup/helper`;
}

/** The release's own escript, so hosts without a system Erlang can run the helper. */
export function releaseEscript(root: string, erts: string): string {
  return `${root}/erts-${erts}/bin/escript`;
}

export function helperArgv(helperDir: string, command: string, args: string[], escript = 'escript'): string[] {
  return [escript, `${helperDir}/hotup_helper.escript`, command, ...args];
}
