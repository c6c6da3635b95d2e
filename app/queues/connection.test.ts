import { describe, expect, it } from "vitest";
import { clusterNodes, isRedisUnavailable, queuePrefix } from "./connection.server.ts";

describe("Redis configuration", () => {
  it("reads the Redis Cluster's nodes from REDIS_CLUSTER_NODES", () => {
    expect(clusterNodes("10.0.0.1:7000, redis-b.internal:7001")).toEqual([
      { host: "10.0.0.1", port: 7000 },
      { host: "redis-b.internal", port: 7001 },
    ]);
    expect(clusterNodes("")).toBeNull();
  });

  it("gives each queue a prefix with a hash tag of its own on a cluster, and the prefix as given on one Redis", () => {
    expect(queuePrefix("mail", "topo", true)).toBe("{topo:mail}");
    expect(queuePrefix("invoicing", undefined, true)).toBe("{bull:invoicing}");
    expect(queuePrefix("mail", "app-1", false)).toBe("app-1");
    expect(queuePrefix("mail", undefined, false)).toBeUndefined();
  });

  it("counts a cluster that lost its slots or its nodes as Redis unavailable", () => {
    expect(isRedisUnavailable(new Error("CLUSTERDOWN The cluster is down"))).toBe(true);
    expect(isRedisUnavailable(Object.assign(new Error("Failed to refresh slots cache."), { name: "ClusterAllFailedError" }))).toBe(true);
    expect(isRedisUnavailable(new Error("WRONGTYPE Operation against a key holding the wrong kind of value"))).toBe(false);
  });
});
