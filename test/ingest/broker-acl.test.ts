// deploy/local/mosquitto/: the shipped ACL, run by a real Mosquitto with a password file made by
// mosquitto_passwd, lets each station reach its own topics only and clima ingest every station's.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import { freePort } from '../support/free-port.js';
import { mosquittoSkip } from '../support/mosquitto.js';

const SHIPPED = new URL('../../deploy/local/mosquitto/', import.meta.url).pathname;

describe("the edge broker's shipped users and ACL (deploy/local/mosquitto)", {
  skip: mosquittoSkip(),
}, () => {
  let dir: string;
  let broker: ChildProcess;
  let url: string;
  const clients: MqttClient[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-broker-acl-'));
    const port = await freePort();
    copyFileSync(join(SHIPPED, 'acl'), join(dir, 'acl'));
    const users: [string, string][] = [
      ['clima-ingest', 'ingest-pw'],
      ['finca-1', 'pw-1'],
      ['finca-2', 'pw-2'],
    ];
    for (const [user, password] of users) {
      execFileSync('mosquitto_passwd', [
        ...(user === 'clima-ingest' ? ['-c'] : []),
        '-b',
        join(dir, 'passwd'),
        user,
        password,
      ]);
    }
    // The shipped file with this test's paths and port; every other line as shipped.
    const config = readFileSync(join(SHIPPED, 'mosquitto.conf'), 'utf8')
      .replace(/^listener 1883$/m, `listener ${port} 127.0.0.1\nuser ${userInfo().username}`)
      .replaceAll('/mosquitto/config/', `${dir}/`)
      .replace('/mosquitto/data/', `${dir}/`)
      .replace('log_dest stdout', 'log_dest none');
    assert.notEqual(config, readFileSync(join(SHIPPED, 'mosquitto.conf'), 'utf8'));
    writeFileSync(join(dir, 'mosquitto.conf'), config);
    broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    url = `mqtt://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        clients.push(
          await connectAsync(url, { username: 'clima-ingest', password: 'ingest-pw', reconnectPeriod: 0 }),
        );
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  });
  after(async () => {
    for (const client of clients) await client.endAsync(true);
    // Mosquitto saves its persistence file on SIGTERM: the folder is removed once it has exited.
    if (broker !== undefined && broker.exitCode === null && broker.signalCode === null) {
      const exited = once(broker, 'exit');
      broker.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a client without a password, or with a wrong one', async () => {
    await assert.rejects(connectAsync(url, { reconnectPeriod: 0 }), /Not authorized|Bad username/i);
    await assert.rejects(
      connectAsync(url, { username: 'finca-1', password: 'wrong', reconnectPeriod: 0 }),
      /Not authorized|Bad username/i,
    );
  });

  it("delivers a station's readings on its own topic to clima ingest, never another station's name, and refusals back to the station only", async () => {
    const ingest = clients[0] as MqttClient;
    const seen: string[] = [];
    ingest.on('message', (topic, payload) => seen.push(`${topic} ${payload}`));
    await ingest.subscribeAsync('clima/+/readings', { qos: 1 });
    const station1 = await connectAsync(url, { username: 'finca-1', password: 'pw-1', reconnectPeriod: 0 });
    const station2 = await connectAsync(url, { username: 'finca-2', password: 'pw-2', reconnectPeriod: 0 });
    clients.push(station1, station2);
    const refusals: string[] = [];
    station1.on('message', (topic) => refusals.push(`finca-1 got ${topic}`));
    station2.on('message', (topic) => refusals.push(`finca-2 got ${topic}`));
    await station1.subscribeAsync('clima/+/rejected', { qos: 1 });
    await station2.subscribeAsync('clima/finca-2/rejected', { qos: 1 });
    // MQTT 3.1.1 gives no error for a publish the ACL denies: the broker drops it (and this
    // connection with it), after acknowledging it.
    const forger = await connectAsync(url, { username: 'finca-1', password: 'pw-1', reconnectPeriod: 0 });
    clients.push(forger);
    await forger.publishAsync('clima/finca-2/readings', 'forged', { qos: 1 });
    await station1.publishAsync('clima/finca-1/readings', 'own', { qos: 1 });
    await ingest.publishAsync('clima/finca-2/rejected', 'bad-json', { qos: 1 });
    await ingest.publishAsync('clima/finca-1/rejected', 'bad-json', { qos: 1 });
    const deadline = Date.now() + 5_000;
    while ((seen.length < 1 || refusals.length < 2) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The forged message was acknowledged, so routed, before the station's own was sent: had it
    // passed, it would be here first.
    assert.deepEqual(seen, ['clima/finca-1/readings own']);
    assert.deepEqual(refusals.sort(), [
      'finca-1 got clima/finca-1/rejected',
      'finca-2 got clima/finca-2/rejected',
    ]);
  });
});
