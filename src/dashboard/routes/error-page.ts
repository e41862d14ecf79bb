import type { FastifyReply, FastifyRequest } from 'fastify';
import { pickLang } from '../page/messages.js';
import { type ErrorPageKind, renderErrorPage } from '../page/render-error-page.js';

// Machine endpoints answer JSON or text whatever the client accepts.
const MACHINE_PATHS = /^\/(api\/|metrics$|readyz$|healthz$)/;

/** True for a browser navigating to a page (GET, HTML accepted, not an API path): it gets HTML. */
export function browserPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (MACHINE_PATHS.test(pathOf(request))) return false;
  return /\btext\/html\b/.test(request.headers.accept ?? '');
}

/** Sends the error page for `kind` in the visitor's language, with the status already set on `reply`. */
export function sendErrorPage(reply: FastifyReply, kind: ErrorPageKind, request: FastifyRequest) {
  const lang = pickLang(undefined, request.headers['accept-language']);
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderErrorPage(kind, lang, pathOf(request)));
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? '/';
}
