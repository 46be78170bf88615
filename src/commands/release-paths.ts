/** Paths inside a release root (`deploy_to` on a host, or a built release). */

export function releasesDir(root: string): string {
  return `${root}/releases`;
}

export function startErlDataPath(root: string): string {
  return `${root}/releases/start_erl.data`;
}

export function releasesFilePath(root: string): string {
  return `${root}/releases/RELEASES`;
}

export function relupPath(root: string, vsn: string): string {
  return `${root}/releases/${vsn}/relup`;
}

export function relFilePath(root: string, vsn: string, app: string): string {
  return `${root}/releases/${vsn}/${app}.rel`;
}

/**
 * Where the tarball goes so that `release_handler:unpack_release("<vsn>/<app>")`
 * finds it: release_handler looks for `releases/<Name>.tar.gz`.
 */
export function shippedTarballPath(root: string, vsn: string, app: string): string {
  return `${root}/releases/${vsn}/${app}.tar.gz`;
}

/** Where a project keeps its own appup for APP (git-tracked, unlike ebin/); it wins over any other. */
export function userAppupPath(projectDir: string, app: string): string {
  return `${projectDir}/rel/appups/${app}.appup`;
}

export function releaseScript(root: string, app: string): string {
  return `${root}/bin/${app}`;
}
