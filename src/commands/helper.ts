/** The argv that runs hotup's Erlang helper where Erlang is installed (this machine, a build host). Pure. */

/** The files a build host needs to run the helper (uploaded next to each other). */
export const HELPER_FILES = ['hotup_helper.escript', 'encode.fun', 'hotup_beam.erl'];

export function helperArgv(helperDir: string, command: string, args: string[]): string[] {
  return ['escript', `${helperDir}/hotup_helper.escript`, command, ...args];
}
