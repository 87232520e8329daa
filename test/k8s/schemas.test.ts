import { type K8sObject, OVERLAYS, copy, find, hasKubectl, podTemplate, render } from './manifests';
import { validateSchemas } from './validate-schemas';

// Every rendered object against the Kubernetes schemas (kubernetes-models) and the
// CloudNativePG Cluster against its CRD's schema (vendored, infra/k8s/schemas/).
const kubectl = hasKubectl();
if (!kubectl && process.env.CI) throw new Error('kubectl is not installed (.ci/run installs kubernetes-client)');
const describeIfKubectl = kubectl ? describe : describe.skip;
jest.setTimeout(60_000);

describeIfKubectl('rendered manifests against the Kubernetes schemas', () => {
  const rendered = new Map(OVERLAYS.map((o) => [o, render(o)]));

  it.each(OVERLAYS)('%s: every object is valid', (overlay) => {
    const objs = rendered.get(overlay)!;
    expect(objs.length).toBeGreaterThan(20);
    expect(validateSchemas(objs)).toEqual([]);
  });

  it('catches what the API server would refuse or silently drop', () => {
    const broken = (change: (o: K8sObject[]) => void) => {
      const objs = copy(rendered.get('production')!);
      change(objs);
      return objs;
    };
    const cases: [(o: K8sObject[]) => void, RegExp][] = [
      [(o) => { podTemplate(find(o, 'Deployment', 'vote')!)!.spec.containers[0]!.ports![0]!.containerPort = 'http' as unknown as number; }, /^Deployment\/vote: .*containerPort must be integer/],
      [(o) => { delete (find(o, 'Deployment', 'gateway')!.spec as Record<string, unknown>).selector; }, /^Deployment\/gateway: .*must have required property selector/],
      [(o) => { (find(o, 'HorizontalPodAutoscaler', 'results')!.spec as Record<string, unknown>).maxReplicas = 'ten'; }, /^HorizontalPodAutoscaler\/results: .*maxReplicas must be integer/],
      [(o) => { o.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicies', metadata: { name: 'x' } }); }, /^NetworkPolicies\/x: no Kubernetes schema for networking\.k8s\.io\/v1 NetworkPolicies/],
      [(o) => { ((o.find((x) => x.kind === 'Cluster')!.spec as Record<string, unknown>).postgresql as Record<string, unknown>).synchronus = { method: 'any', number: 1 }; }, /^Cluster\/primaries-db: \/spec\/postgresql must NOT have additional properties \(synchronus\)/],
      [(o) => { (((o.find((x) => x.kind === 'Cluster')!.spec as Record<string, unknown>).postgresql as Record<string, unknown>).synchronous as Record<string, unknown>).method = 'all'; }, /^Cluster\/primaries-db: \/spec\/postgresql\/synchronous\/method must be equal to one of the allowed values/],
      [(o) => { (o.find((x) => x.kind === 'Cluster')!.spec as Record<string, unknown>).instances = '3'; }, /^Cluster\/primaries-db: \/spec\/instances must be integer/],
    ];
    // One run for every case: each broken copy differs from the valid render in one place only.
    const problems = validateSchemas(cases.flatMap(([change]) => broken(change)));
    for (const [, expected] of cases) expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});
