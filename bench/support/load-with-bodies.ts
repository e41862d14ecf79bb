/**
 * autocannon in a process of its own whose every request carries a new body: `body(i)` of the
 * module named, for the i-th request. Run by `load()` as
 * `node --import tsx load-with-bodies.ts <JSON options>`; prints autocannon's result as JSON.
 */
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  url: string;
  connections: number;
  seconds: number;
  method: string;
  headers: Record<string, string>;
  bodyModule: string;
};
const { body } = (await import(options.bodyModule)) as { body: (index: number) => string };
let index = 0;
const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.seconds,
  requests: [
    {
      method: options.method,
      headers: options.headers,
      setupRequest: (request) => ({ ...request, body: body(index++) }),
    },
  ],
});
process.stdout.write(JSON.stringify(result));
