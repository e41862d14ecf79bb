import { z } from 'zod';

/** What a rule watches: a reading's value, or the age of a city's newest reading (seconds). */
export const RULE_METRICS = ['temperature', 'humidity', 'staleness'] as const;
export type RuleMetric = (typeof RULE_METRICS)[number];

const name = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/, 'letters, digits, space, _ . - (at most 64)');

const rule = z
  .strictObject({
    name,
    /** A city's name, `*` for every city, or (with stations) a station's name. */
    city: z.string().trim().min(1).max(100),
    metric: z.enum(RULE_METRICS),
    above: z.number().finite().optional(),
    below: z.number().finite().optional(),
    /** How long the condition holds (pending) before the alert fires. */
    forSeconds: z.number().int().min(0).max(604_800).default(0),
    /** How far back past the threshold a value must go before a firing alert resolves. */
    hysteresis: z.number().min(0).default(0),
  })
  .superRefine((r, ctx) => {
    if (r.metric === 'staleness') {
      if (r.above === undefined || r.below !== undefined || r.above <= 0) {
        ctx.addIssue({ code: 'custom', message: 'staleness takes "above": seconds without a reading' });
      }
    } else if ((r.above === undefined) === (r.below === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "above" or "below"' });
    }
  });

const webhook = z.strictObject({
  type: z.literal('webhook'),
  name: name.optional(),
  url: z.url({ protocol: /^https?$/ }),
  /** File holding the HMAC-SHA256 key the body is signed with (header `x-clima-signature`). */
  secretFile: z.string().min(1).optional(),
  /** `slack`: a Slack-compatible `{ "text": ... }` body instead of clima's JSON. */
  format: z.enum(['json', 'slack']).default('json'),
});

const email = z.strictObject({
  type: z.literal('email'),
  name: name.optional(),
  to: z.array(z.email()).min(1),
  from: z.email(),
  host: z.string().trim().min(1),
  port: z.number().int().min(1).max(65_535).default(587),
  /** Files holding the SMTP user name and password; both or neither. */
  userFile: z.string().min(1).optional(),
  passwordFile: z.string().min(1).optional(),
  /** A PEM file of the certificate authorities the server's STARTTLS certificate is checked against. */
  caFile: z.string().min(1).optional(),
  language: z.enum(['es', 'en']).default('es'),
});

/** Seconds each built-in rule waits before firing; `false` turns the rule off. */
const systemLimit = z.union([z.literal(false), z.number().int().min(1).max(31_536_000)]);

export const alertsFileSchema = z
  .strictObject({
    rules: z.array(rule).default([]),
    notify: z.array(z.discriminatedUnion('type', [webhook, email])).default([]),
    system: z
      .strictObject({
        cloudUnreachableSeconds: systemLimit.default(300),
        outboxOldestSeconds: systemLimit.default(900),
        storageFailingSeconds: systemLimit.default(60),
        /** Unset: three backup intervals. */
        backupAgeSeconds: systemLimit.optional(),
      })
      .default({ cloudUnreachableSeconds: 300, outboxOldestSeconds: 900, storageFailingSeconds: 60 }),
    /** Backoff between delivery attempts, and when an undelivered notification is given up. */
    retry: z
      .strictObject({
        firstSeconds: z.number().min(0.01).default(5),
        maxSeconds: z.number().min(0.01).default(300),
        giveUpSeconds: z.number().min(1).default(3600),
      })
      .default({ firstSeconds: 5, maxSeconds: 300, giveUpSeconds: 3600 }),
    evaluateEverySeconds: z.number().min(0.1).max(3600).default(10),
    /** The page's address, linked from notifications; unset: http://HOST:PORT/. */
    pageUrl: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: 'used twice' });
      seen.add(r.name);
    });
    const targets = new Set<string>();
    file.notify.forEach((target, i) => {
      const targetName = target.name ?? `${target.type}-${i + 1}`;
      if (targets.has(targetName)) {
        ctx.addIssue({ code: 'custom', path: ['notify', i, 'name'], message: 'used twice' });
      }
      targets.add(targetName);
      if (
        target.type === 'email' &&
        (target.userFile === undefined) !== (target.passwordFile === undefined)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['notify', i],
          message: 'give both userFile and passwordFile, or neither',
        });
      }
    });
  });

export type AlertsFile = z.output<typeof alertsFileSchema>;
export type AlertRuleConfig = AlertsFile['rules'][number];
export type NotifyTarget = AlertsFile['notify'][number];

/**
 * Parses the alerts file's JSON, or says what is wrong with which entry (`rules[1].metric: ...`),
 * for the one-line start-up error.
 */
export function parseAlertsFile(text: string): AlertsFile | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  const result = alertsFileSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? [])
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  const entry = entryName(json, issue?.path ?? []);
  return { error: `${path || 'file'}${entry}: ${issue?.message ?? 'invalid'}` };
}

/** The `name` of the rule or target an issue is in, so the message says which one. */
function entryName(json: unknown, path: readonly PropertyKey[]): string {
  const [list, index] = path;
  if (typeof list !== 'string' || typeof index !== 'number') return '';
  const entry = (json as Record<string, unknown[]>)[list]?.[index] as { name?: unknown } | undefined;
  return typeof entry?.name === 'string' ? ` ("${entry.name}")` : '';
}

export interface WebhookTarget {
  readonly type: 'webhook';
  readonly name: string;
  readonly url: string;
  readonly secret: string | undefined;
  readonly format: 'json' | 'slack';
}

export interface EmailTarget {
  readonly type: 'email';
  readonly name: string;
  readonly to: readonly string[];
  readonly from: string;
  readonly host: string;
  readonly port: number;
  readonly auth: { readonly user: string; readonly pass: string } | undefined;
  readonly ca: string | undefined;
  readonly language: 'es' | 'en';
}

export type AlertTarget = WebhookTarget | EmailTarget;

/** The alerts configuration as the process uses it: secrets read, defaults filled in. */
export interface AlertsConfig {
  readonly rules: readonly AlertRuleConfig[];
  readonly targets: readonly AlertTarget[];
  readonly system: {
    readonly cloudUnreachableSeconds: number | false;
    readonly outboxOldestSeconds: number | false;
    readonly storageFailingSeconds: number | false;
    readonly backupAgeSeconds: number | false;
  };
  readonly retry: AlertsFile['retry'];
  readonly evaluateEverySeconds: number;
  readonly pageUrl: string;
}

/**
 * Reads the secrets the file names (`secretFile`, `userFile`, ...) and fills in what depends on the
 * rest of the configuration. Throws an Error naming the entry whose file cannot be read.
 */
export function resolveAlerts(
  file: AlertsFile,
  defaults: { readonly pageUrl: string; readonly backupIntervalS: number },
  readFile: (path: string) => string,
): AlertsConfig {
  const secret = (path: string | undefined, where: string): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFile(path).replace(/\r?\n$/, '');
    } catch (error) {
      throw new Error(`${where}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  };
  const targets = file.notify.map((target, i): AlertTarget => {
    const targetName = target.name ?? `${target.type}-${i + 1}`;
    const where = `notify[${i}] ("${targetName}")`;
    if (target.type === 'webhook') {
      return { ...target, name: targetName, secret: secret(target.secretFile, `${where}.secretFile`) };
    }
    const user = secret(target.userFile, `${where}.userFile`);
    const pass = secret(target.passwordFile, `${where}.passwordFile`);
    return {
      type: 'email',
      name: targetName,
      to: target.to,
      from: target.from,
      host: target.host,
      port: target.port,
      auth: user !== undefined && pass !== undefined ? { user, pass } : undefined,
      ca: secret(target.caFile, `${where}.caFile`),
      language: target.language,
    };
  });
  return {
    rules: file.rules,
    targets,
    system: {
      ...file.system,
      backupAgeSeconds: file.system.backupAgeSeconds ?? 3 * defaults.backupIntervalS,
    },
    retry: file.retry,
    evaluateEverySeconds: file.evaluateEverySeconds,
    pageUrl: file.pageUrl ?? defaults.pageUrl,
  };
}
