import { checkPlatform } from './check-platform';
import { checkServiceContainers } from './check-services';
import { type Container, type K8sObject, OVERLAYS, copy, find, hasKubectl, podTemplate, render } from './manifests';

// No cluster runs in CI: these checks hold infra/k8s to the code as compose.test.ts holds
// docker-compose.yml. `kubectl kustomize` (Debian's kubernetes-client; .ci/run installs it)
// renders each overlay exactly as `kubectl apply -k` would send it.
const kubectl = hasKubectl();
if (!kubectl && process.env.CI) throw new Error('kubectl is not installed (.ci/run installs kubernetes-client)');
const describeIfKubectl = kubectl ? describe : describe.skip;

function check(objs: K8sObject[], production = true): string[] {
  const { problems, envs } = checkServiceContainers(objs);
  return [...problems, ...checkPlatform(objs, envs, { production })];
}

const rendered = new Map<string, K8sObject[]>();
const get = (overlay: string) => {
  if (!rendered.has(overlay)) rendered.set(overlay, render(overlay));
  return rendered.get(overlay)!;
};

function container(objs: K8sObject[], kind: string, name: string, index = 0): Container {
  return podTemplate(find(objs, kind, name)!)!.spec.containers[index]!;
}
const envVar = (c: Container, name: string) => c.env!.find((v) => v.name === name)!;
const spec = (o: K8sObject | undefined) => o!.spec as Record<string, unknown> & { [k: string]: never };

describeIfKubectl('Kubernetes manifests (infra/k8s)', () => {
  it.each(OVERLAYS)('%s: agree with the config schemas, entry files, ports, probes and the platform rules', (overlay) => {
    expect(check(get(overlay), overlay === 'production')).toEqual([]);
  });

  it('run the services in their own namespace, the production one with the Pod Security "restricted" level', () => {
    for (const overlay of OVERLAYS) {
      const objs = get(overlay);
      const ns = objs.find((o) => o.kind === 'Namespace');
      expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(objs.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === ns?.metadata.name)).toBe(true);
    }
  });

  describe('catch mistakes (each on a broken copy of the production render)', () => {
    const cases: [string, (objs: K8sObject[]) => void, RegExp][] = [
      ['an unknown variable', (o) => { container(o, 'Deployment', 'vote').env!.push({ name: 'VOTE_PORTT', value: '3001' }); }, /^Deployment\/vote\/vote: environment variable VOTE_PORTT is not in the vote config schema/],
      ['a variable of another service', (o) => { container(o, 'Deployment', 'results').env!.push({ name: 'DATABASE_URL', value: 'postgres://x@db/p' }); }, /^Deployment\/results\/results: environment variable DATABASE_URL is not in the results config schema/],
      ['an invalid value', (o) => { envVar(container(o, 'Deployment', 'worker'), 'VOTE_WORKER_CONCURRENCY').value = 'many'; }, /^Deployment\/worker\/worker: configuration does not load: .*VOTE_WORKER_CONCURRENCY/],
      ['a missing ConfigMap key', (o) => { envVar(container(o, 'Deployment', 'gateway'), 'VOTE_HOST').valueFrom!.configMapKeyRef!.key = 'VOTE_HOSTS'; }, /^Deployment\/gateway\/gateway: VOTE_HOST refers to ConfigMap primaries-common-\w+ key VOTE_HOSTS, which does not exist/],
      ['a port the service does not listen on', (o) => { envVar(container(o, 'Deployment', 'vote'), 'VOTE_PORT').value = '3005'; }, /^Deployment\/vote\/vote: listens on 3005 \(VOTE_PORT\)/],
      ['a service bound to loopback', (o) => { envVar(container(o, 'Deployment', 'results'), 'RESULTS_BIND').value = '127.0.0.1'; }, /^Deployment\/results\/results: RESULTS_BIND must be 0\.0\.0\.0/],
      ['a readiness probe on a path the service does not serve', (o) => { container(o, 'Deployment', 'vote').readinessProbe!.httpGet!.path = '/_gateway/ready'; }, /^Deployment\/vote\/vote: readinessProbe on \/_gateway\/ready, but the vote service serves \/ready/],
      ['a liveness probe on another port', (o) => { container(o, 'Deployment', 'worker').livenessProbe!.httpGet!.port = 3001; }, /^Deployment\/worker\/worker: livenessProbe on port 3001, but the service listens on 3003/],
      ['no liveness probe', (o) => { delete container(o, 'Deployment', 'results').livenessProbe; }, /^Deployment\/results\/results: no livenessProbe over HTTP/],
      ['no memory limit', (o) => { delete container(o, 'Deployment', 'vote').resources!.limits!.memory; }, /^Deployment\/vote\/vote: no memory limits/],
      ['a missing entry file', (o) => { container(o, 'Deployment', 'vote').command = ['node', '--import', 'tsx', 'services/vote/src/nope.ts']; }, /^Deployment\/vote\/vote: entry file services\/vote\/src\/nope\.ts does not exist/],
      ['another service\'s entry', (o) => { container(o, 'Deployment', 'results').command = ['node', '--import', 'tsx', 'services/vote/src/server.ts']; }, /^Deployment\/results\/results: runs the vote service's entry/],
      ['Service links left on', (o) => { delete podTemplate(find(o, 'Deployment', 'gateway')!)!.spec.enableServiceLinks; }, /^Deployment\/gateway: enableServiceLinks is not false/],
      ['a secret value in the repository', (o) => { o.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'primaries-redis', namespace: 'primaries' }, data: { password: 'c2VjcmV0' } }); }, /^a Secret is in the manifests/],
      ['an upstream on the wrong port', (o) => { envVar(container(o, 'Deployment', 'gateway'), 'VOTE_UPSTREAM').value = 'http://vote:3002'; }, /^gateway: VOTE_UPSTREAM port 3002 is not a port of Service vote/],
      ['an upstream listing instances', (o) => { envVar(container(o, 'Deployment', 'gateway'), 'VOTE_UPSTREAM').value = 'http://vote:3001,http://vote-2:3001'; }, /^gateway: VOTE_UPSTREAM lists several URLs; name the vote Service once/],
      ['an upstream that is no Service', (o) => { envVar(container(o, 'Deployment', 'gateway'), 'RESULTS_UPSTREAM').value = 'http://results-svc:3002'; }, /^gateway: RESULTS_UPSTREAM names host results-svc, which is no Service/],
      ['a migration Job with a service variable', (o) => { podTemplate(find(o, 'Job', 'migrate')!)!.spec.initContainers![0]!.env!.push({ name: 'REDIS_URL', value: 'redis://x' }); }, /^Job\/migrate\/migrate: unknown environment variable REDIS_URL/],
      ['a migration Job running something else', (o) => { podTemplate(find(o, 'Job', 'migrate')!)!.spec.initContainers![0]!.command = ['node', '--import', 'tsx', 'packages/cli/src/main.ts', 'db', 'migrat']; }, /^Job\/migrate\/migrate: runs .*, not a migration command/],
      ['no autoscaler for the results service', (o) => { o.splice(o.findIndex((x) => x.kind === 'HorizontalPodAutoscaler' && x.metadata.name === 'results'), 1); }, /^results: no HorizontalPodAutoscaler/],
      ['an autoscaler for a Deployment that does not exist', (o) => { (spec(find(o, 'HorizontalPodAutoscaler', 'vote')).scaleTargetRef as unknown as { name: string }).name = 'votes'; }, /^HorizontalPodAutoscaler\/vote: scales Deployment\/votes, which does not exist/],
      ['no disruption budget for Redis', (o) => { o.splice(o.findIndex((x) => x.kind === 'PodDisruptionBudget' && x.metadata.name === 'redis'), 1); }, /^StatefulSet\/redis: no PodDisruptionBudget selects its pods/],
      ['a Service selecting nothing', (o) => { (spec(find(o, 'Service', 'results')).selector as unknown as Record<string, string>)['app.kubernetes.io/name'] = 'result'; }, /^Service\/results: selects no pods/],
      ['an Ingress without the vote host', (o) => { ((spec(find(o, 'Ingress', 'primaries')).rules as unknown as { host: string }[])[0]!).host = 'vote.example.kz'; }, /^Ingress: no rule for VOTE_HOST vote\.primaries\.kz/],
      ['an Ingress straight to a service', (o) => { ((spec(find(o, 'Ingress', 'primaries')).rules as unknown as { http: { paths: { backend: { service: { name: string } } }[] } }[])[1]!).http.paths[0]!.backend.service.name = 'results'; }, /^Ingress: primaries\.kz goes to results, not the gateway/],
      ['Postgres without a replica', (o) => { (spec(o.find((x) => x.kind === 'Cluster')) as Record<string, unknown>).instances = 1; }, /^Postgres: fewer than 2 instances/],
      ['Postgres without synchronous replication', (o) => { delete (spec(o.find((x) => x.kind === 'Cluster')).postgresql as unknown as Record<string, unknown>).synchronous; }, /^Postgres: no synchronous replica/],
      ['synchronous_commit off', (o) => { ((spec(o.find((x) => x.kind === 'Cluster')).postgresql as unknown as { parameters: Record<string, string> }).parameters).synchronous_commit = 'local'; }, /^Postgres: synchronous_commit is not on/],
      ['two services sharing database credentials', (o) => { envVar(container(o, 'Deployment', 'worker'), 'DATABASE_URL').valueFrom!.secretKeyRef!.name = 'primaries-db-vote'; }, /^worker: shares the database credentials primaries-db-vote with vote/],
      ['a service credential without a role', (o) => { envVar(container(o, 'Deployment', 'vote'), 'DATABASE_URL').valueFrom!.secretKeyRef!.name = 'primaries-db-owner'; }, /^vote: DATABASE_URL from Secret primaries-db-owner, which no managed role/],
      ['Redis without AOF', (o) => { const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('redis-config'))!; cm.data!['redis.conf'] = cm.data!['redis.conf']!.replace('appendonly yes', 'appendonly no'); }, /^redis: appendonly is no in Kubernetes but yes in infra\/redis\/redis\.conf/],
      ['Redis that evicts', (o) => { const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('redis-config'))!; cm.data!['redis.conf'] = cm.data!['redis.conf']!.replace('noeviction', 'allkeys-lru'); }, /^redis: maxmemory-policy is allkeys-lru/],
      ['Redis without sentinels', (o) => { podTemplate(find(o, 'StatefulSet', 'redis')!)!.spec.containers.pop(); }, /^redis: no sentinel container/],
      ['a sentinel address that is no pod', (o) => { const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('primaries-common'))!; cm.data!.REDIS_SENTINELS = 'redis-0.redis-headless:26379,redis-3.redis-headless:26379'; }, /^gateway: sentinel redis-3\.redis-headless:26379 is not a pod of the redis StatefulSet/],
      ['services without sentinels', (o) => { const cm = o.find((x) => x.kind === 'ConfigMap' && x.metadata.name.startsWith('primaries-common'))!; cm.data!.REDIS_SENTINELS = ''; }, /^vote: REDIS_SENTINELS is not set/],
      ['no migration Job', (o) => { o.splice(o.findIndex((x) => x.kind === 'Job'), 1); }, /^no migration Job/],
    ];
    it.each(cases)('%s', (_label, change, expected) => {
      const broken = copy(get('production'));
      change(broken);
      expect(check(broken)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });
  });
});
