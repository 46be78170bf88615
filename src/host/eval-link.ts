/**
 * The NodeLink through the release's own start script: every request is one
 * `bin/<app> eval` (relx) or `bin/<app> rpc` (mix), a fresh VM each time.
 */
import { HotupError, isHotupError } from '../errors.js';
import type { Executor } from '../remote/executor.js';
import { framedExpr, liveExprs, nodeEvalArgv, pingArgv, type NodeFlavor } from '../commands/node.js';
import { decodeFramed, type Term } from '../terms/etf.js';
import type { NodeLink } from './node-link.js';
import type { NodeRequest } from './protocol.js';

export interface EvalSite {
  root: string;
  app: string;
  flavor: NodeFlavor;
  /** Source of erlang-helpers/encode.fun. */
  encoder: string;
  /** Variables every command of the release's script needs on this host. */
  env: Record<string, string>;
}

const NOT_RUNNING = /Node is not running|Node '?[^ ]+'? not responding|could not connect/i;
const PING_TIMEOUT_MS = 30_000;

function expression(req: NodeRequest): string {
  switch (req.op) {
    case 'which_releases': return liveExprs.whichReleases();
    case 'unpack_release': {
      const [vsn, app] = req.name.split('/') as [string, string];
      return liveExprs.unpackRelease(vsn, app);
    }
    case 'check_install_release': return liveExprs.checkInstallRelease(req.vsn);
    case 'install_release': return liveExprs.installRelease(req.vsn);
    case 'make_permanent': return liveExprs.makePermanent(req.vsn);
    case 'create_releases': return liveExprs.createReleases(req.vsn, req.app);
    case 'eval': return req.expr;
  }
}

export class EvalLink implements NodeLink {
  constructor(private readonly exec: Executor, private readonly site: EvalSite) {}

  async up(): Promise<boolean> {
    const { root, app, flavor, env } = this.site;
    return (await this.exec.run(pingArgv(root, app, flavor), { timeoutMs: PING_TIMEOUT_MS, env })).code === 0;
  }

  async call(req: NodeRequest, timeoutMs: number): Promise<Term> {
    const { root, app, flavor, encoder } = this.site;
    const host = this.exec.target;
    const argv = nodeEvalArgv(root, app, flavor, framedExpr(encoder, expression(req)));
    // relx's script gives erl_call its own timeout (seconds); keep it inside ours.
    const env = { ...this.site.env, RELX_RPC_TIMEOUT: String(Math.max(1, Math.floor(timeoutMs / 1000) - 1)) };
    const r = await this.exec.run(argv, { timeoutMs, env }).catch((e: unknown) => {
      if (!isHotupError(e) || e.code !== 'COMMAND_TIMEOUT') throw e;
      throw new HotupError('CALL_FAILED', `${req.op} on the node did not answer within ${timeoutMs / 1000} s`,
        'The node may be busy or stuck: run `hotup status`, and look at the node\'s logs.', { host, cause: e });
    });
    const out = `${r.stdout}\n${r.stderr}`;
    if (r.code !== 0 && NOT_RUNNING.test(out)) {
      throw new HotupError('NODE_DOWN', `the node of ${app} under ${root} is not running`,
        `Start it (for example \`${root}/bin/${app} daemon\`) or check that deploy_to points at the live release.`, { host });
    }
    const term = decodeFramed(r.stdout);
    if (term === undefined) {
      throw new HotupError('CALL_FAILED', `${req.op} on the node failed (exit ${r.code}): ${out.trim().slice(0, 600) || 'no output'}`,
        `Run \`${root}/bin/${app} eval 'release_handler:which_releases().'\` on the host to see whether the node answers.`, { host });
    }
    return term;
  }

  async close(): Promise<void> {}
}
