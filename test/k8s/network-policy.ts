import { type K8sObject, type LabelSelector, podTemplate, selects, workloads } from './manifests';

/**
 * A NetworkPolicy evaluator (networking.k8s.io/v1 semantics) over the rendered pods and a
 * few stand-ins for what the operators run: the CloudNativePG instances, the ingress
 * controller, cluster DNS, an address on the internet. A connection is allowed when the
 * source's egress and the destination's ingress both allow it; a pod that no policy of a
 * direction selects is open in that direction.
 * Assumption, stated in docs/deploy.md: pod addresses are private (here 10.244.0.0/16).
 */

export interface Endpoint {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ip: string;
  /** Only pods have policies applied to them and are selected by pod selectors. */
  pod: boolean;
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { protocol?: string; port?: number | string; endPort?: number }[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}

function ipv4(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits ?? 32));
  const start = Math.floor(ipv4(base!) / size) * size;
  return ipv4(ip) >= start && ipv4(ip) < start + size;
}

function namespaceLabels(ns: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': ns };
}

function peerMatches(peer: Peer, policyNamespace: string, target: Endpoint): boolean {
  if (peer.ipBlock) return inCidr(target.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(target.ip, c));
  if (!target.pod) return false;
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(target.namespace)) : target.namespace === policyNamespace;
  const podOk = peer.podSelector ? selects(peer.podSelector, target.labels) : true;
  return nsOk && podOk;
}

function portMatches(rule: Rule, port: number, protocol: string): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some((p) => (p.protocol ?? 'TCP') === protocol
    && (p.port === undefined || (typeof p.port === 'number' && (p.endPort ? port >= p.port && port <= p.endPort : port === p.port))));
}

/** The evaluator over one rendered overlay. */
export class NetworkModel {
  readonly endpoints: Endpoint[];
  private readonly policies: { namespace: string; spec: PolicySpec }[];

  constructor(objs: K8sObject[]) {
    const ns = objs.find((o) => o.metadata.namespace)?.metadata.namespace ?? 'default';
    let n = 1;
    const ip = () => `10.244.0.${n++}`;
    const pods: Endpoint[] = workloads(objs).map((w) => ({ name: w.metadata.name, namespace: w.metadata.namespace ?? ns, labels: podTemplate(w)!.labels, ip: ip(), pod: true }));
    const cluster = objs.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/'));
    if (cluster) pods.push({ name: 'postgres', namespace: ns, labels: { 'cnpg.io/cluster': cluster.metadata.name, 'cnpg.io/instanceRole': 'primary' }, ip: ip(), pod: true });
    pods.push(
      { name: 'ingress-controller', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, ip: ip(), pod: true },
      { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: ip(), pod: true },
      { name: 'cnpg-operator', namespace: 'cnpg-system', labels: { 'app.kubernetes.io/name': 'cloudnative-pg' }, ip: ip(), pod: true },
      { name: 'internet', namespace: '', labels: {}, ip: '203.0.113.10', pod: false },
    );
    this.endpoints = pods;
    this.policies = objs.filter((o) => o.kind === 'NetworkPolicy').map((o) => ({ namespace: o.metadata.namespace ?? ns, spec: o.spec as unknown as PolicySpec }));
  }

  endpoint(name: string): Endpoint {
    const e = this.endpoints.find((x) => x.name === name);
    if (!e) throw new Error(`no pod ${name} in the rendered manifests`);
    return e;
  }

  private applying(e: Endpoint, type: 'Ingress' | 'Egress') {
    if (!e.pod) return [];
    // Without policyTypes a policy is an Ingress policy, and an Egress one too if it has egress rules.
    const types = (p: PolicySpec) => p.policyTypes ?? ['Ingress', ...(p.egress ? ['Egress'] : [])];
    return this.policies.filter((p) => p.namespace === e.namespace && selects(p.spec.podSelector, e.labels) && types(p.spec).includes(type));
  }

  /** Whether `from` may open a connection to `to` on `port`. */
  allows(from: string, to: string, port: number, protocol = 'TCP'): boolean {
    const a = this.endpoint(from);
    const b = this.endpoint(to);
    const egress = this.applying(a, 'Egress');
    const egressOk = egress.length === 0 || egress.some((p) => (p.spec.egress ?? []).some((r) => portMatches(r, port, protocol) && (!r.to?.length || r.to.some((peer) => peerMatches(peer, p.namespace, b)))));
    const ingress = this.applying(b, 'Ingress');
    const ingressOk = ingress.length === 0 || ingress.some((p) => (p.spec.ingress ?? []).some((r) => portMatches(r, port, protocol) && (!r.from?.length || r.from.some((peer) => peerMatches(peer, p.namespace, a)))));
    return egressOk && ingressOk;
  }
}

const REDIS = [6379, 26379];

/** The connections the split needs, and those it forbids; every mismatch as a sentence. */
export function checkNetworkSplit(objs: K8sObject[]): string[] {
  const net = new NetworkModel(objs);
  const problems: string[] = [];
  const names = new Set(net.endpoints.map((e) => e.name));
  const must = (from: string, to: string, ports: number[], allowed: boolean, protocol = 'TCP') => {
    if (!names.has(from) || !names.has(to)) return;
    for (const port of ports) {
      if (net.allows(from, to, port, protocol) !== allowed) problems.push(`${from} → ${to}:${port}/${protocol} is ${allowed ? 'denied' : 'allowed'}`);
    }
  };
  for (const n of ['gateway', 'vote', 'results', 'worker', 'migrate', 'postgres', 'ingress-controller']) if (!names.has(n)) problems.push(`no ${n} pod to check`);

  must('ingress-controller', 'gateway', [8080], true);
  for (const s of ['vote', 'results', 'worker', 'admin', 'redis', 'postgres']) must('ingress-controller', s, [3001, 3002, 3003, 3004, 5432, 6379, 8080], false);
  must('gateway', 'vote', [3001], true);
  must('gateway', 'results', [3002], true);
  // The split: the gateway and the results service cannot open a connection to Postgres.
  for (const s of ['gateway', 'results', 'redis', 'ingress-controller']) must(s, 'postgres', [5432, 8000], false);
  for (const s of ['vote', 'worker', 'migrate', 'admin']) must(s, 'postgres', [5432], true);
  for (const s of ['gateway', 'vote', 'results', 'worker', 'admin']) must(s, 'redis', REDIS, true);
  must('migrate', 'redis', REDIS, false);
  must('redis', 'redis', REDIS, true);
  must('postgres', 'postgres', [5432], true);
  must('cnpg-operator', 'postgres', [8000], true);
  must('worker', 'internet', [443], true);
  for (const s of ['gateway', 'vote', 'results', 'migrate', 'redis']) must(s, 'internet', [443, 80], false);
  for (const s of ['gateway', 'vote', 'results', 'worker', 'migrate', 'redis', 'postgres']) must(s, 'kube-dns', [53], true, 'UDP');
  // Nothing reaches the worker, and the vote and results services only from the gateway.
  for (const s of ['results', 'vote', 'redis', 'postgres']) must(s, 'worker', [3003], false);
  for (const s of ['results', 'worker', 'redis']) must(s, 'vote', [3001], false);
  return problems;
}
