import autocannon from "autocannon";
import { readFileSync } from "node:fs";
const [pid, url] = process.argv.slice(2);
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
await autocannon({ url, connections: 50, duration: 3 });
for (let i = 0; i < 3; i++) {
  const c0 = cpu();
  const r = await autocannon({ url, connections: 50, duration: 8 });
  const c1 = cpu();
  console.log(url, "rps", r.requests.average, "p50", r.latency.p50, "p99", r.latency.p99, "cpu ms/page", ((c1 - c0) / r.requests.total).toFixed(2), "non2xx", r.non2xx, "bytes/page", Math.round(r.throughput.total / r.requests.total));
}
