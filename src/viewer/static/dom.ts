/**
 * Building the page: every value from telemetry goes in as a text node or a checked attribute, never
 * as markup (LLM output and tool results are untrusted input). Nothing in the viewer uses innerHTML.
 */

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  title?: string;
  /** Only `#…` (this page) or http(s) URLs; anything else is dropped. */
  href?: string;
  target?: string;
  type?: string;
  value?: string;
  disabled?: boolean;
  hidden?: boolean;
  tabindex?: number;
  role?: string;
  'aria-label'?: string;
  data?: Record<string, string | number>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (e: HTMLElementEventMap[K]) => void }>;
}

/** A safe link target: an in-page route or an absolute http(s) URL. */
export function safeHref(href: string): string | undefined {
  if (href.startsWith('#')) return href;
  try {
    const u = new URL(href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.title !== undefined) el.title = props.title;
    if (props.href !== undefined) {
      const href = safeHref(props.href);
      if (href) el.setAttribute('href', href);
    }
    if (props.target) el.setAttribute('target', props.target);
    if (props.target === '_blank') el.setAttribute('rel', 'noopener noreferrer');
    if (props.type) el.setAttribute('type', props.type);
    if (props.value !== undefined) (el as HTMLInputElement).value = props.value;
    if (props.disabled) (el as HTMLButtonElement).disabled = true;
    if (props.hidden) el.hidden = true;
    if (props.tabindex !== undefined) el.tabIndex = props.tabindex;
    if (props.role) el.setAttribute('role', props.role);
    if (props['aria-label']) el.setAttribute('aria-label', props['aria-label']);
    for (const [k, v] of Object.entries(props.data ?? {})) el.dataset[k] = String(v);
    for (const [k, fn] of Object.entries(props.on ?? {})) el.addEventListener(k, fn as EventListener);
  }
  append(el, children);
  return el;
}

/** Replaces an element's content. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A `<select>` of options (value, label); `selected` picks one. */
export function select(name: string, label: string, options: Array<[string, string]>, selected: string | undefined,
  onChange: (v: string) => void): HTMLLabelElement {
  const sel = h('select', { data: { filter: name }, on: { change: () => onChange(sel.value) } });
  for (const [value, label] of options) {
    const opt = h('option', { value }, label);
    if (value === (selected ?? '')) opt.selected = true;
    sel.appendChild(opt);
  }
  return h('label', null, label, sel);
}
