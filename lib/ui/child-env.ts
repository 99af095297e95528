/**
 * The environment of the processes the workbench starts (`ledgerlab run`): named variables only, never the
 * server's environment wholesale. A variable such as NODE_OPTIONS, or one planted on Object.prototype (Node's
 * spawn copies inherited keys of the env object too), would otherwise run code in every child. The object has
 * no prototype, so nothing inherited can reach the child.
 */

/** What a run needs: the search path and locale, LedgerLabʼs own settings, the hub's credentials and proxies. */
const PASS = /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|TZ|TMPDIR|TERM|CI|LC_[A-Z]+|LEDGERLAB_[A-Z0-9_]+|HF_(TOKEN|ENDPOINT|HOME|HUB_CACHE)|HUGGING_FACE_HUB_TOKEN|JUPYTER_PATH|LD_LIBRARY_PATH|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)$/;

/** The environment for a child run under results root `root`, from `from` (default process.env). */
export function childEnv(root: string, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.create(null);
  for (const key of Object.keys(from)) {
    const value = from[key];
    if (PASS.test(key) && typeof value === 'string') env[key] = value;
  }
  env.LEDGERLAB_RESULTS = root;
  return env;
}
