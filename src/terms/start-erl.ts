import { HotupError } from '../errors.js';

/** `releases/start_erl.data`: the ERTS and release version the node boots. */
export interface StartErlData {
  erts: string;
  vsn: string;
}

export function parseStartErlData(text: string, where: string): StartErlData {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new HotupError(
      'NOT_A_RELEASE',
      `${where} should hold "ERTS_VSN APP_VSN", found ${JSON.stringify(text.trim().slice(0, 80))}`,
      'Check that deploy_to is the release root; the file is written by the release tooling and by release_handler:make_permanent/1.',
    );
  }
  return { erts: parts[0], vsn: parts[1] };
}
