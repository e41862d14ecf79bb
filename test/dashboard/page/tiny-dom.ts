// Just enough of a DOM to check the rendered page and run the page's script against it, since
// the project has no HTML parser or browser among its dependencies. The parser is strict on
// purpose: a close tag that does not match the open one throws, so every test is also a
// well-formedness check. Setting markup (innerHTML and friends) throws: the script must not.

const VOID = new Set([
  'meta',
  'link',
  'input',
  'br',
  'img',
  'hr',
  'source',
  'area',
  'base',
  'col',
  'embed',
  'wbr',
]);
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  nbsp: '\u00a0',
};

function decode(text: string): string {
  return text.replace(/&(#?\w+);/g, (whole, name: string) => {
    if (name in ENTITIES) return ENTITIES[name] as string;
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    throw new Error(`unknown entity ${whole}`);
  });
}

const kebab = (camel: string) => camel.replace(/[A-Z]/g, (char) => `-${char.toLowerCase()}`);

export class TextNode {
  parent: TinyElement | undefined;
  constructor(public data: string) {}
  get textContent(): string {
    return this.data;
  }
}

type Child = TinyElement | TextNode;

export class TinyElement {
  parent: TinyElement | undefined;
  readonly children: Child[] = [];
  readonly attributes = new Map<string, string>();
  readonly dataset: Record<string, string | undefined>;

  constructor(readonly localName: string) {
    this.dataset = new Proxy({} as Record<string, string | undefined>, {
      get: (_, key) => (typeof key === 'string' ? this.getAttribute(`data-${kebab(key)}`) : undefined),
      set: (_, key, value) => {
        this.setAttribute(`data-${kebab(String(key))}`, String(value));
        return true;
      },
      deleteProperty: (_, key) => {
        this.attributes.delete(`data-${kebab(String(key))}`);
        return true;
      },
      has: (_, key) => this.attributes.has(`data-${kebab(String(key))}`),
    });
  }

  get tagName(): string {
    return this.localName.toUpperCase();
  }
  private readonly listeners = new Map<string, ((event: { type: string; target: TinyElement }) => void)[]>();
  addEventListener(type: string, listener: (event: { type: string; target: TinyElement }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  /** Runs the listeners for `type` here, then on each ancestor, as a bubbling event does. */
  dispatch(type: string): void {
    for (let node: TinyElement | undefined = this; node; node = node.parent) {
      for (const listener of node.listeners.get(type) ?? []) listener({ type, target: this });
    }
  }
  get checked(): boolean {
    return this.hasAttribute('checked');
  }
  set checked(value: boolean) {
    if (value) this.setAttribute('checked', '');
    else this.attributes.delete('checked');
  }
  /** A control's value; a select's is its selected option's, else its first option's. */
  get value(): string {
    if (this.localName !== 'select') return this.getAttribute('value') ?? '';
    const options = this.querySelectorAll('option');
    const option = options.find((o) => o.hasAttribute('selected')) ?? options[0];
    return option?.getAttribute('value') ?? '';
  }
  set value(value: string) {
    if (this.localName !== 'select') {
      this.setAttribute('value', value);
      return;
    }
    for (const option of this.querySelectorAll('option')) {
      if (option.getAttribute('value') === value) option.setAttribute('selected', '');
      else option.attributes.delete('selected');
    }
  }
  getAttribute(name: string): string | undefined {
    return this.attributes.get(name);
  }
  hasAttribute(name: string): boolean {
    return this.attributes.has(name);
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  get disabled(): boolean {
    return this.hasAttribute('disabled');
  }
  set disabled(value: boolean) {
    if (value) this.setAttribute('disabled', '');
    else this.attributes.delete('disabled');
  }
  get id(): string {
    return this.getAttribute('id') ?? '';
  }
  set className(value: string) {
    this.setAttribute('class', value);
  }
  get classList(): string[] {
    return (this.getAttribute('class') ?? '').split(/\s+/).filter(Boolean);
  }
  set scope(value: string) {
    this.setAttribute('scope', value);
  }
  set dateTime(value: string) {
    this.setAttribute('datetime', value);
  }
  get hidden(): boolean {
    return this.hasAttribute('hidden');
  }
  set hidden(value: boolean) {
    if (value) this.setAttribute('hidden', '');
    else this.attributes.delete('hidden');
  }
  /** Hidden itself or inside something hidden. */
  get isHidden(): boolean {
    return this.hidden || (this.parent?.isHidden ?? false);
  }
  get textContent(): string {
    return this.children.map((child) => child.textContent).join('');
  }
  set textContent(value: string) {
    for (const child of this.children) child.parent = undefined;
    this.children.length = 0;
    this.appendChild(new TextNode(String(value)));
  }
  /** Text with runs of white space collapsed, as a reader would see it. */
  get text(): string {
    return this.textContent.replace(/\s+/g, ' ').trim();
  }
  set innerHTML(_: string) {
    throw new Error('innerHTML set: the script must build no markup from strings');
  }
  set outerHTML(_: string) {
    throw new Error('outerHTML set: the script must build no markup from strings');
  }
  insertAdjacentHTML(): never {
    throw new Error('insertAdjacentHTML: the script must build no markup from strings');
  }
  get elements(): TinyElement[] {
    return this.children.filter((child): child is TinyElement => child instanceof TinyElement);
  }
  get rows(): TinyElement[] {
    return this.elements.filter((child) => child.localName === 'tr');
  }
  appendChild<T extends Child>(child: T): T {
    child.parent = this;
    this.children.push(child);
    return child;
  }
  append(...children: Child[]): void {
    for (const child of children) this.appendChild(child);
  }
  prepend(...children: Child[]): void {
    for (const child of [...children].reverse()) {
      if (child instanceof TinyElement) child.remove();
      child.parent = this;
      this.children.unshift(child);
    }
  }
  remove(): void {
    if (!this.parent) return;
    const siblings = this.parent.children;
    siblings.splice(siblings.indexOf(this), 1);
    this.parent = undefined;
  }
  descendants(): TinyElement[] {
    return this.elements.flatMap((child) => [child, ...child.descendants()]);
  }
  querySelectorAll(selector: string): TinyElement[] {
    const steps = selector.trim().split(/\s+/).map(parseCompound);
    return this.descendants().filter((element) => matchesChain(element, steps, this));
  }
  querySelector(selector: string): TinyElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }
}

type Test = (element: TinyElement) => boolean;

function parseCompound(compound: string): Test {
  const tests: Test[] = [];
  const pattern = /([a-z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:="([^"]*)")?\]/gy;
  while (pattern.lastIndex < compound.length) {
    const match = pattern.exec(compound);
    if (!match) throw new Error(`unsupported selector: ${compound}`);
    const [, tag, id, cls, attr, value] = match;
    if (tag) tests.push((e) => e.localName === tag);
    else if (id) tests.push((e) => e.id === id);
    else if (cls) tests.push((e) => e.classList.includes(cls));
    else if (attr && value === undefined) tests.push((e) => e.hasAttribute(attr));
    else if (attr) tests.push((e) => e.getAttribute(attr) === value);
  }
  return (element) => tests.every((test) => test(element));
}

function matchesChain(element: TinyElement, steps: Test[], root: TinyElement): boolean {
  const last = steps.at(-1);
  if (!last?.(element)) return false;
  let rest = steps.slice(0, -1);
  let ancestor = element.parent;
  while (rest.length > 0 && ancestor && ancestor !== root) {
    if (rest.at(-1)?.(ancestor)) rest = rest.slice(0, -1);
    ancestor = ancestor.parent;
  }
  return rest.length === 0;
}

export interface TinyDocument {
  readonly doctype: string;
  readonly documentElement: TinyElement;
  readonly body: TinyElement;
  readonly all: TinyElement[];
  getElementById(id: string): TinyElement | null;
  querySelector(selector: string): TinyElement | null;
  querySelectorAll(selector: string): TinyElement[];
  createElement(tag: string): TinyElement;
}

/** Parses `html` strictly (see the file comment) into a document. */
export function parseDocument(html: string): TinyDocument {
  const root = new TinyElement('#document');
  const stack: TinyElement[] = [root];
  let doctype = '';
  const token =
    /<!--[\s\S]*?-->|<!doctype\s+([^>]*)>|<\/([a-z][\w-]*)\s*>|<([a-z][\w-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>|([^<]+)|</giy;
  let match = token.exec(html);
  while (match) {
    const [whole, doctypeValue, closing, opening, attributes, text] = match;
    const top = stack.at(-1) as TinyElement;
    if (doctypeValue !== undefined) doctype = doctypeValue.trim();
    else if (closing) {
      if (top.localName !== closing.toLowerCase()) throw new Error(`</${closing}> closes <${top.localName}>`);
      stack.pop();
    } else if (opening) {
      const element = new TinyElement(opening.toLowerCase());
      for (const attribute of (attributes ?? '').matchAll(
        /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g,
      )) {
        const [, name, double, single, bare] = attribute;
        const key = (name as string).toLowerCase();
        if (element.hasAttribute(key))
          throw new Error(`duplicate attribute ${key} on <${element.localName}>`);
        element.setAttribute(key, decode(double ?? single ?? bare ?? ''));
      }
      top.appendChild(element);
      if (!VOID.has(element.localName)) stack.push(element);
    } else if (text !== undefined) top.appendChild(new TextNode(decode(text)));
    else if (whole === '<') throw new Error(`stray < at ${match.index}`);
    match = token.exec(html);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)?.localName}>`);
  const documentElement = root.elements[0];
  if (!documentElement || root.elements.length !== 1) throw new Error('expected exactly one root element');
  const body = documentElement.querySelector('body');
  if (!body) throw new Error('no <body>');
  return {
    doctype,
    documentElement,
    body,
    get all() {
      return root.descendants();
    },
    getElementById: (id) => root.descendants().find((element) => element.id === id) ?? null,
    querySelector: (selector) => root.querySelector(selector),
    querySelectorAll: (selector) => root.querySelectorAll(selector),
    createElement: (tag) => new TinyElement(tag.toLowerCase()),
  };
}
