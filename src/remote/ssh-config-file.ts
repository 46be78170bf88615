/** Reads an OpenSSH client config file and the files its `Include` lines name. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HotupError } from '../errors.js';
import { expandTilde, parseSshConfig, type IncludeReader, type SshConfig } from './ssh-config.js';

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    // No config is an empty config, as for ssh.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HotupError('CONFIG_INVALID', `cannot read the ssh config ${file}: ${(e as Error).message}`,
      'Make the file readable, point ssh.config in hotup.yml at another one, or set ssh.config: false.');
  }
}

const hasGlob = (s: string) => /[*?[]/.test(s);

function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

/** Relative Include paths are under ~/.ssh, as ssh takes them in a user's config; globs in the last part only. */
function includeReader(home: string): IncludeReader {
  return (pattern, from) => {
    const expanded = expandTilde(pattern, home);
    const full = path.isAbsolute(expanded) ? expanded : path.join(home, '.ssh', expanded);
    const dir = path.dirname(full);
    if (hasGlob(dir)) {
      throw new HotupError('CONFIG_INVALID', `the ssh config ${from} includes ${pattern}: hotup expands * and ? only in the last part of an Include path`,
        'List the files, or the directory\'s files with a pattern in the last part only.');
    }
    let files = [full];
    if (hasGlob(path.basename(full))) {
      const re = globRegExp(path.basename(full));
      let names: string[] = [];
      try {
        names = readdirSync(dir);
      } catch {
        // A pattern over a missing directory names no files, as for ssh.
      }
      files = names.filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
    }
    return files.flatMap((file) => {
      const text = readText(file);
      return text === undefined ? [] : [{ file, text }];
    });
  };
}

export function loadSshConfig(file: string, home: string): SshConfig {
  const text = readText(file);
  return text === undefined ? { lines: [] } : parseSshConfig(text, file, includeReader(home));
}
