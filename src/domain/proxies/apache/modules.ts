/**
 * `apache2ctl -M` filtered to the proxy modules (expected command: `APACHECTL -M 2>&1 | grep -E
 * 'proxy|ssl'`): lines such as ` proxy_module (shared)`. grep exits 1 when nothing matched, which
 * means mod_proxy is not loaded at all.
 */
export interface ModulesReport {
  modules: string[];
  proxyLoaded: boolean;
  proxyHttpLoaded: boolean;
  sslLoaded: boolean;
}

export function parseModules(output: string): ModulesReport {
  const modules = [...output.matchAll(/^\s*([a-z0-9_]+_module) \((?:shared|static)\)/gm)].map(
    (m) => m[1] ?? "",
  );
  return {
    modules,
    proxyLoaded: modules.includes("proxy_module"),
    proxyHttpLoaded: modules.includes("proxy_http_module"),
    sslLoaded: modules.includes("ssl_module"),
  };
}
