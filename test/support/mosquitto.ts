import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'].find((path) => existsSync(path));

/**
 * The `skip` option for tests that need a private broker: false when `mosquitto` is installed;
 * with `CI=true` its absence is an error (CI installs it, so a skip would be a gap).
 */
export function mosquittoSkip(): string | false {
  if (MOSQUITTO !== undefined) return false;
  const reason = "mosquitto not installed: install Debian's mosquitto to run the MQTT fault tests";
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: skipping is not allowed)`);
  console.error(`\n${'!'.repeat(100)}\n!! SKIPPING: ${reason}\n${'!'.repeat(100)}\n`);
  return reason;
}

async function listening(port: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A private Mosquitto on a free port, its configuration and persistence in a temporary folder,
 * so a test may stop and restart it: sessions and queued messages survive a restart (saved on
 * SIGTERM), as on a real edge.
 */
export async function startMosquitto() {
  const dir = mkdtempSync(join(tmpdir(), 'clima-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      // Started as root, mosquitto would run as user mosquitto, who cannot write its state here.
      `user ${userInfo().username}`,
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 0',
      'log_dest none',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  async function start(): Promise<void> {
    child = spawn(MOSQUITTO ?? 'mosquitto', ['-c', config], { stdio: 'ignore' });
    await listening(port, 10_000);
  }
  async function stop(): Promise<void> {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    await exited;
  }
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    /** Stops the broker (SIGTERM: it saves its sessions) and starts it again on the same port. */
    async restart(): Promise<void> {
      await stop();
      await start();
    },
    async close(): Promise<void> {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
