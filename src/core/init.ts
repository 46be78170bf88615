/**
 * `hotup init`: what the project in a directory builds, and a hotup.yml for it that loads as
 * written (it is parsed with the same loader as every command before it is written).
 */
import { writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { detectProject, type Project } from '../build/project.js';
import { CONFIG_FILE, parseConfig } from '../config/load.js';
import { hotupYml, type InitAnswers } from '../config/template.js';
import { HotupError, isHotupError } from '../errors.js';
import { LocalExecutor } from '../remote/local.js';

export type { Project } from '../build/project.js';

export interface InitResult {
  schema: 'hotup.init/1';
  file: string;
  app: string;
  tool: InitAnswers['tool'];
  environment: string;
  hosts: string[];
  deployTo: string;
}

/** Where init writes in DIR; refused when a hotup.yml is there, unless FORCE. Asked before any question. */
export function initFile(dir: string, force: boolean): string {
  const file = path.join(path.resolve(dir), CONFIG_FILE);
  if (!force && statSync(file, { throwIfNoEntry: false })) throw alreadyThere(file);
  return file;
}

function alreadyThere(file: string): HotupError {
  return new HotupError('USAGE', `${file} already exists`, 'Edit it (docs/config.md), or run hotup init --force to replace it.');
}

/** The rebar3, mix or umbrella project in DIR (null when there is none); mix.exs is read for the prod profile hotup.yml sets. */
export function detect(dir: string): Promise<Project | null> {
  return detectProject(path.resolve(dir), new LocalExecutor(), 'prod');
}

/** Writes hotup.yml in DIR from ANSWERS, after loading the text as every command will; nothing is written when it does not load. */
export async function writeInit(dir: string, answers: InitAnswers, force: boolean): Promise<InitResult> {
  const file = initFile(dir, force);
  const text = hotupYml(answers);
  try {
    parseConfig(text, file);
  } catch (e) {
    if (!isHotupError(e) || e.code !== 'CONFIG_INVALID') throw e;
    const problems = e.message.split('\n').slice(1).join('\n');
    throw new HotupError('USAGE', `these answers do not make a valid ${CONFIG_FILE}, so none was written:\n${problems}`,
      'Correct the value named above (docs/config.md says what each key takes) and run hotup init again.');
  }
  try {
    // `wx`: a hotup.yml that appeared since the check is not overwritten either.
    await writeFile(file, text, { flag: force ? 'w' : 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyThere(file);
    throw new HotupError('USAGE', `cannot write ${file}: ${(e as Error).message}`, 'Run hotup init in a directory you can write to.', { cause: e });
  }
  return { schema: 'hotup.init/1', file, app: answers.app, tool: answers.tool, environment: answers.env, hosts: answers.hosts, deployTo: answers.deployTo };
}
