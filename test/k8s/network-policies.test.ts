import { type K8sObject, OVERLAYS, copy, find, hasKubectl, render } from './manifests';
import { NetworkModel, checkNetworkSplit } from './network-policy';

// The NetworkPolicies evaluated for every pair of pods that matters: the split between
// the voting path, the results path and Postgres holds in each overlay.
const kubectl = hasKubectl();
if (!kubectl && process.env.CI) throw new Error('kubectl is not installed (.ci/run installs kubernetes-client)');
const describeIfKubectl = kubectl ? describe : describe.skip;

describeIfKubectl('NetworkPolicies', () => {
  const rendered = new Map(OVERLAYS.map((o) => [o, render(o)]));

  it.each(OVERLAYS)('%s: allow exactly the connections of the split', (overlay) => {
    expect(checkNetworkSplit(rendered.get(overlay)!)).toEqual([]);
  });

  it('deny the results service and the gateway any connection to Postgres, at both ends', () => {
    const net = new NetworkModel(rendered.get('production')!);
    // Even with its egress wide open, the results service meets Postgres's ingress policy.
    const open = copy(rendered.get('production')!);
    (find(open, 'NetworkPolicy', 'results')!.spec as unknown as { egress: unknown[] }).egress.push({});
    expect(new NetworkModel(open).allows('results', 'postgres', 5432)).toBe(false);
    for (const from of ['results', 'gateway']) {
      for (const port of [5432, 8000, 443]) expect({ from, port, allowed: net.allows(from, 'postgres', port) }).toEqual({ from, port, allowed: false });
    }
    expect(net.allows('vote', 'postgres', 5432)).toBe(true);
    expect(net.allows('worker', 'postgres', 5432)).toBe(true);
  });

  describe('catch a policy that opens the split (each on a broken copy)', () => {
    type Policy = { podSelector: unknown; policyTypes?: string[]; ingress?: unknown[]; egress?: unknown[] };
    const policy = (o: K8sObject[], name: string) => find(o, 'NetworkPolicy', name)!.spec as unknown as Policy;
    const cases: [string, (o: K8sObject[]) => void, RegExp][] = [
      // (Postgres's own ingress policy still stops this one at the database: two locks.)
      ['results allowed out to anything', (o) => { policy(o, 'results').egress!.push({}); }, /^results → internet:443\/TCP is allowed/],
      ['the gateway allowed to Postgres, both ways', (o) => {
        policy(o, 'gateway').egress!.push({ to: [{ podSelector: { matchLabels: { 'cnpg.io/cluster': 'primaries-db' } } }] });
        policy(o, 'postgres').ingress!.push({ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } }] });
      }, /^gateway → postgres:5432\/TCP is allowed/],
      ['Postgres open to every pod of the namespace', (o) => { policy(o, 'postgres').ingress!.push({ from: [{ podSelector: {} }] }); policy(o, 'results').egress!.push({ ports: [{ port: 5432 }] }); }, /^results → postgres:5432\/TCP is allowed/],
      ['no default deny', (o) => { o.splice(o.findIndex((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'default-deny'), 1); o.splice(o.findIndex((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'results'), 1); }, /^ingress-controller → results:3002\/TCP is allowed/],
      ['the worker cut off from Postgres', (o) => { policy(o, 'worker').egress!.shift(); }, /^worker → postgres:5432\/TCP is denied/],
      ['the ingress controller let into the vote service', (o) => { policy(o, 'vote').ingress!.push({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }); }, /^ingress-controller → vote:3001\/TCP is allowed/],
      ['the gateway cut off from the results service', (o) => { policy(o, 'results').ingress = []; }, /^gateway → results:3002\/TCP is denied/],
      ['no DNS', (o) => { o.splice(o.findIndex((x) => x.kind === 'NetworkPolicy' && x.metadata.name === 'dns'), 1); }, /^vote → kube-dns:53\/UDP is denied/],
    ];
    it.each(cases)('%s', (_label, change, expected) => {
      const broken = copy(rendered.get('production')!);
      change(broken);
      expect(checkNetworkSplit(broken)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });
  });
});
