import { createTransport, type Transporter } from 'nodemailer';
import type { EmailTarget } from '../config/alerts-file.js';
import { type AlertPayload, alertSummary } from './alert-message.js';

const LINK = { en: 'Dashboard', es: 'Panel' } as const;

/**
 * Sends notifications to one e-mail target over SMTP, upgraded with STARTTLS (required: the
 * credentials never travel in clear), in the target's language.
 */
export function createEmailSender(target: EmailTarget) {
  const transport: Transporter = createTransport({
    host: target.host,
    port: target.port,
    secure: false,
    requireTLS: true,
    auth: target.auth,
    tls: target.ca === undefined ? undefined : { ca: target.ca },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(payload: AlertPayload): Promise<void> {
      const summary = alertSummary(payload, target.language);
      await transport.sendMail({
        from: target.from,
        to: [...target.to],
        subject: summary,
        text: `${summary}\n\n${LINK[target.language]}: ${payload.url}\n`,
      });
    },
    close: (): void => transport.close(),
  };
}
