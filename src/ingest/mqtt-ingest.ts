import { connect, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { sleep } from '../core/sleep.js';
import { createStateChangeLog } from '../core/state-change-log.js';
import type { NewReading } from '../db/reading.js';
import type { ReadingStore } from '../sensor/reading-store.js';
import { deviceReadings, type Rejection } from './device-readings.js';
import type { RejectionLog } from './rejection-log.js';
import type { Station } from './station.js';

/** The first level of every topic: `clima/<station>/readings`, `clima/<station>/rejected`. */
export const TOPIC_PREFIX = 'clima';

/**
 * Messages the broker may send before we acknowledge any: all of them are committed to the outbox
 * in one transaction, so the commit's fsync is paid once per batch rather than once per message.
 */
const RECEIVE_MAXIMUM = 1_000;
/** The broker keeps the session (its subscription and unacknowledged messages) this long offline. */
const SESSION_EXPIRY_S = 0xffff_ffff;
const RETRY_COMMIT_MS = 1_000;

/** One message waiting for its readings to be committed, from the connection `generation`. */
interface Pending {
  readonly packet: IPublishPacket;
  readonly generation: number;
  readonly receivedAt: Date;
}

/** The part of MQTT.js's client not in its typings: sending a packet as it is. */
interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }): void;
}

/**
 * Subscribes to every station's readings (`clima/<station>/readings`) with QoS 1 on a persistent
 * session, and acknowledges a message only once its readings are committed to `store` (the edge
 * outbox): a crash before the commit leaves the message unacknowledged, so the broker delivers
 * it again, and a reading delivered twice has one key (station and second), so it is stored once.
 *
 * MQTT.js acknowledges a QoS 1 message when its `handleMessage` calls back, and reads no further
 * packet until then: one commit per message. Instead each message is taken at once and left
 * unacknowledged, the messages that arrive meanwhile are committed together, and then each is
 * acknowledged. A message received on a connection that has since dropped is not acknowledged
 * (its id belongs to a dead session state): the broker sends it again and the repeat is skipped.
 */
export function createMqttIngest(deps: {
  url: string;
  clientId: string;
  stations: readonly Station[];
  store: ReadingStore;
  rejections: RejectionLog;
  clock: Clock;
  logger: Logger;
  /** Instead of `clima`: brokers shared by several tests keep each one's topics apart. */
  topicPrefix?: string;
}) {
  const { logger, rejections, clock } = deps;
  const prefix = deps.topicPrefix ?? TOPIC_PREFIX;
  // `+` is the station's name.
  const readingsTopic = `${prefix}/+/readings`;
  const rejectedTopic = (station: string) => `${prefix}/${station}/rejected`;
  const stations = new Map(deps.stations.map((station) => [station.name, station]));
  const connection = createStateChangeLog(logger, 'MQTT broker connection');
  const commits = createStateChangeLog(logger, 'committing MQTT readings to the outbox');
  let client: MqttClient | undefined;
  let generation = 0;
  let connected = false;
  let subscribed = false;
  let pending: Pending[] = [];
  let flushing: Promise<void> | undefined;
  let stopping = false;
  const stopSignal = new AbortController();

  function acknowledge(message: Pending): void {
    if (client === undefined || message.generation !== generation || !connected) return;
    if (message.packet.qos === 0 || message.packet.messageId === undefined) return;
    (client as unknown as PacketSender)._sendPacket({
      cmd: 'puback',
      messageId: message.packet.messageId,
      reasonCode: 0,
    });
  }

  /** The readings of one message, or why it is refused. */
  function read(
    message: Pending,
  ): { station: Station; readings: NewReading[] } | { name: string; rejection: Rejection } {
    const name = message.packet.topic.slice(prefix.length + 1).split('/')[0] ?? '';
    const station = stations.get(name);
    if (station === undefined) {
      return { name, rejection: { reason: 'unknown-station', detail: `no station "${name}" in STATIONS` } };
    }
    let body: unknown;
    try {
      body = JSON.parse(message.packet.payload.toString());
    } catch (error) {
      return { name, rejection: { reason: 'bad-json', detail: (error as Error).message } };
    }
    const result = deviceReadings(body, station, message.receivedAt);
    return 'rejection' in result
      ? { name, rejection: result.rejection }
      : { station, readings: result.readings };
  }

  async function flush(): Promise<void> {
    while (pending.length > 0 && !stopping) {
      const batch = pending;
      pending = [];
      const outcomes = batch.map((message) => ({ message, outcome: read(message) }));
      const readings = outcomes.flatMap(({ outcome }) => ('readings' in outcome ? outcome.readings : []));
      // Retried until it commits or the messages' connection is gone (the broker then sends them again).
      while (readings.length > 0) {
        try {
          await deps.store.insertBatch(readings);
          commits.succeeded();
          rejections.accepted('mqtt', readings.length);
          break;
        } catch (error) {
          commits.failed(error);
          if (stopping || batch.every((message) => message.generation !== generation)) return;
          await sleep(RETRY_COMMIT_MS, stopSignal.signal).catch(() => {});
        }
      }
      for (const { message, outcome } of outcomes) {
        if ('rejection' in outcome) {
          rejections.rejected(
            'mqtt',
            stations.has(outcome.name) ? outcome.name : undefined,
            outcome.rejection,
          );
          client?.publish(
            rejectedTopic(outcome.name),
            JSON.stringify({
              ...outcome.rejection,
              topic: message.packet.topic,
              receivedAt: message.receivedAt,
            }),
            { qos: 1 },
            () => {},
          );
        }
        acknowledge(message);
      }
    }
  }

  /** Flushes on the next turn, so that the messages already read from the socket join the batch. */
  function schedule(): void {
    flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(flush).finally(() => {
      flushing = undefined;
      if (pending.length > 0 && !stopping) schedule();
    });
  }

  function take(packet: IPublishPacket): void {
    pending.push({ packet, generation, receivedAt: new Date(clock.now()) });
    schedule();
  }

  return {
    name: 'mqtt ingest',
    async start(): Promise<void> {
      const mqtt = connect(deps.url, {
        clientId: deps.clientId,
        clean: false,
        protocolVersion: 5,
        properties: { sessionExpiryInterval: SESSION_EXPIRY_S, receiveMaximum: RECEIVE_MAXIMUM },
        reconnectPeriod: 1_000,
        connectTimeout: 10_000,
      });
      client = mqtt;
      mqtt.handleMessage = (packet, callback) => {
        take(packet);
        // An error makes MQTT.js skip its own acknowledgement (and it only moves on to the next packet).
        callback(packet.qos === 0 ? undefined : new Error('acknowledged once committed'));
      };
      mqtt.on('connect', (connack) => {
        generation++;
        connected = true;
        connection.succeeded();
        mqtt.subscribe(readingsTopic, { qos: 1 }, (error) => {
          subscribed = !error;
          if (error) logger.error({ err: error }, `cannot subscribe to ${readingsTopic}`);
          else logger.info({ sessionPresent: connack.sessionPresent }, `subscribed to ${readingsTopic}`);
        });
      });
      mqtt.on('close', () => {
        connected = false;
        subscribed = false;
      });
      mqtt.on('error', (error) => connection.failed(error));
      mqtt.on('offline', () => connection.failed(new Error('broker unreachable')));
    },
    async stop(): Promise<void> {
      stopping = true;
      stopSignal.abort();
      await flushing;
      await client?.endAsync();
    },
    status: () => ({ connected: connected && subscribed, waiting: pending.length }),
  };
}

export type MqttIngest = ReturnType<typeof createMqttIngest>;
