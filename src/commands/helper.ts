/** The argv that runs hotup's Erlang helper. Pure. */
export function helperArgv(helperDir: string, command: string, args: string[]): string[] {
  return ['escript', `${helperDir}/hotup_helper.escript`, command, ...args];
}
