import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { down, up } from '../../scripts/hybrid/hybrid.js';
import type { Topology } from '../../scripts/hybrid/topology.js';
import { registerCleanup } from './cleanup-on-exit.js';

/**
 * The hybrid topology's cloud alone, on loopback: the database (TLS required, deploy/cloud/initdb
 * run) behind its nginx proxy, with no clima service of its own, for tests that bring their own
 * (the Kubernetes workloads as processes). Taken down by `stop`, or at exit.
 */
export async function startCloudOnly(): Promise<{ topology: Topology; stop(): void }> {
  // Named and owned as startHybrid's are, so that a later test run takes it down if this process
  // is killed before its exit hook runs.
  const stateDir = mkdtempSync(join(tmpdir(), 'clima-hybrid-'));
  writeFileSync(join(stateDir, 'owner.pid'), String(process.pid));
  const remove = () => {
    down(stateDir, { graceMs: 0 });
    rmSync(stateDir, { recursive: true, force: true });
  };
  const unregister = registerCleanup(remove);
  try {
    const topology = await up({
      stateDir,
      network: 'loopback',
      proxyPort: 0,
      dashboardPort: 0,
      services: [],
    });
    return {
      topology,
      stop() {
        remove();
        unregister();
      },
    };
  } catch (error) {
    remove();
    unregister();
    throw error;
  }
}
