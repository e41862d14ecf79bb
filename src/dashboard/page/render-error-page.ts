import { html } from './escape-html.js';
import { fill, MESSAGES } from './messages.js';
import type { Lang } from './page-model.js';
import { documentHead } from './render-page.js';

/** Which error a browser is shown: a path with no page, or a request the dashboard failed. */
export type ErrorPageKind = 'not-found' | 'internal';

/**
 * The page a browser gets instead of a JSON error body: what happened in the visitor's language
 * and a way back. Like the dashboard, nothing inline and every string escaped.
 */
export function renderErrorPage(kind: ErrorPageKind, lang: Lang, path: string): string {
  const messages = MESSAGES[lang];
  const [title, text] =
    kind === 'not-found'
      ? [messages.errorNotFound, fill(messages.errorNotFoundText, { path })]
      : [messages.errorInternal, messages.errorInternalText];
  return html`${documentHead(lang, title, false)}</head>
<body class="error-page">
<main>
<h1>${title}</h1>
<p>${text}</p>
<p><a href="/?lang=${lang}">${messages.errorBack}</a></p>
</main>
</body>
</html>
`.toString();
}
