const server = await import('@news-forum/server');
const { parseEtcdUrl } = await import('@news-forum/server/etcd-access');
console.log(
  JSON.stringify({
    exports: Object.keys(server).sort(),
    etcd: parseEtcdUrl('ETCD_URL', 'http://node:pw@127.0.0.1:2379'),
  }),
);
