// Test stand-in for `@raycast/api` (which ships types only): components render plain DOM that
// @testing-library can query, and everything a person would see or trigger outside the view (toasts, HUDs,
// alerts, clipboard, opened files and URLs, Finder, launched commands, the command's subtitle) is recorded
// on `__raycast`. Preference values are the defaults declared in package.json (brew's mock does the same),
// overridable per test. Values Raycast defines (Keyboard.Shortcut.Common) are Raycast's own.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createContext, useContext, useState, type ReactElement, type ReactNode } from "react";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface DeclaredPreference {
  name: string;
  type?: string;
  default?: unknown;
}

function declaredDefaults(): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    preferences?: DeclaredPreference[];
    commands?: { preferences?: DeclaredPreference[] }[];
  };
  const all = [...(manifest.preferences ?? []), ...(manifest.commands ?? []).flatMap((c) => c.preferences ?? [])];
  return Object.fromEntries(all.map((p) => [p.name, p.default ?? (p.type === "checkbox" ? false : "")]));
}

type ToastAction = { title: string; onAction: (toast: MockToast) => void | Promise<void> };

class MockToast {
  static Style = { Animated: "animated", Success: "success", Failure: "failure" } as const;
  style?: string;
  title = "";
  primaryAction?: ToastAction;
  secondaryAction?: ToastAction;
  hidden = false;
  /** Every message this toast held, in order. */
  readonly messages: string[] = [];
  private current?: string;

  constructor(options: Record<string, unknown> = {}) {
    Object.assign(this, options);
  }

  get message(): string | undefined {
    return this.current;
  }

  set message(value: string | undefined) {
    this.current = value;
    if (value !== undefined) this.messages.push(value);
  }

  async show(): Promise<void> {
    this.hidden = false;
    if (!__raycast.toasts.includes(this)) __raycast.toasts.push(this);
  }

  async hide(): Promise<void> {
    this.hidden = true;
  }
}

const cacheStore = new Map<string, string>();

export const __raycast = {
  preferences: {} as Record<string, unknown>,
  confirmAlertResponse: true,
  alerts: [] as { title: string; message?: string; primaryAction?: { title: string; style?: string } }[],
  toasts: [] as MockToast[],
  huds: [] as string[],
  clipboard: [] as string[],
  opened: [] as { target: string; application?: string }[],
  finder: [] as string[],
  launched: [] as { name: string; type: string; context?: Record<string, unknown> }[],
  /** Commands that are not enabled (launchCommand throws for them, as Raycast does). */
  disabledCommands: new Set<string>(),
  metadata: [] as { subtitle?: string | null }[],
  reset() {
    __raycast.preferences = {};
    __raycast.confirmAlertResponse = true;
    __raycast.disabledCommands.clear();
    environment.launchType = "userInitiated";
    cacheStore.clear();
    for (const list of [
      __raycast.alerts,
      __raycast.toasts,
      __raycast.huds,
      __raycast.clipboard,
      __raycast.opened,
      __raycast.finder,
      __raycast.launched,
      __raycast.metadata,
    ])
      list.length = 0;
  },
};

export const environment = {
  assetsPath: path.join(ROOT, "assets"),
  supportPath: path.join(ROOT, ".tmp/raycast-support"),
  commandName: "test",
  extensionName: "s3-smart-sync",
  isDevelopment: true,
  raycastVersion: "1.104.0",
  launchType: "userInitiated",
};

export const LaunchType = { UserInitiated: "userInitiated", Background: "background" } as const;

export async function launchCommand(options: {
  name: string;
  type: string;
  context?: Record<string, unknown>;
}): Promise<void> {
  if (__raycast.disabledCommands.has(options.name)) throw new Error(`Command "${options.name}" is not enabled`);
  __raycast.launched.push({ name: options.name, type: options.type, context: options.context ?? undefined });
}

export async function updateCommandMetadata(metadata: { subtitle?: string | null }): Promise<void> {
  __raycast.metadata.push(metadata);
}

/** Raycast's Cache: shared by the extension's commands; here one store per test. */
export class Cache {
  get(key: string): string | undefined {
    return cacheStore.get(key);
  }
  has(key: string): boolean {
    return cacheStore.has(key);
  }
  set(key: string, data: string): void {
    cacheStore.set(key, data);
  }
  remove(key: string): boolean {
    return cacheStore.delete(key);
  }
  clear(): void {
    cacheStore.clear();
  }
  get isEmpty(): boolean {
    return cacheStore.size === 0;
  }
  subscribe(): () => void {
    return () => undefined;
  }
}

export function getPreferenceValues<T>(): T {
  return { ...declaredDefaults(), ...__raycast.preferences } as T;
}

export const Icon = new Proxy({}, { get: (_target, key) => String(key) }) as Record<string, string>;
export const Color = new Proxy({}, { get: (_target, key) => String(key) }) as Record<string, string>;

const shortcut = (modifiers: string[], key: string) => ({ modifiers, key });
// Raycast's values on macOS, from its documentation (docs/api-reference/keyboard.md, "Keyboard.Shortcut.Common").
export const Keyboard = {
  Shortcut: {
    Common: {
      Copy: shortcut(["cmd", "shift"], "c"),
      CopyDeeplink: shortcut(["cmd", "shift"], "c"),
      CopyName: shortcut(["cmd", "shift"], "."),
      CopyPath: shortcut(["cmd", "shift"], ","),
      Save: shortcut(["cmd"], "s"),
      Duplicate: shortcut(["cmd"], "d"),
      Edit: shortcut(["cmd"], "e"),
      MoveDown: shortcut(["cmd", "shift"], "arrowDown"),
      MoveUp: shortcut(["cmd", "shift"], "arrowUp"),
      New: shortcut(["cmd"], "n"),
      Open: shortcut(["cmd"], "o"),
      OpenWith: shortcut(["cmd", "shift"], "o"),
      Pin: shortcut(["cmd", "shift"], "p"),
      Refresh: shortcut(["cmd"], "r"),
      Remove: shortcut(["ctrl"], "x"),
      RemoveAll: shortcut(["ctrl", "shift"], "x"),
      ToggleQuickLook: shortcut(["cmd"], "y"),
    },
  },
};

export { MockToast as Toast };

export async function showToast(options: Record<string, unknown>): Promise<MockToast> {
  const toast = new MockToast(options);
  await toast.show();
  return toast;
}

export async function showHUD(message: string): Promise<void> {
  __raycast.huds.push(message);
}

export const Alert = { ActionStyle: { Default: "default", Destructive: "destructive", Cancel: "cancel" } };

export async function confirmAlert(options: {
  title: string;
  message?: string;
  primaryAction?: { title: string; style?: string };
}): Promise<boolean> {
  __raycast.alerts.push({ title: options.title, message: options.message, primaryAction: options.primaryAction });
  return __raycast.confirmAlertResponse;
}

export const Clipboard = {
  async copy(content: unknown) {
    __raycast.clipboard.push(typeof content === "string" ? content : JSON.stringify(content));
  },
};

export async function open(target: string, application?: string): Promise<void> {
  __raycast.opened.push({ target, application });
}

export async function showInFinder(file: string): Promise<void> {
  __raycast.finder.push(file);
}

export async function closeMainWindow(): Promise<void> {}
export async function popToRoot(): Promise<void> {}

// ---------------------------------------------------------------------------------------------------------
// Navigation: a stack of views; Action.Push pushes, useNavigation().pop pops.

interface Navigation {
  push: (view: ReactElement) => void;
  pop: () => void;
}

const NavigationContext = createContext<Navigation>({ push: () => {}, pop: () => {} });

export function useNavigation(): Navigation {
  return useContext(NavigationContext);
}

/** Test-only: renders the top of the navigation stack, starting with the command's view. */
export function __NavigationRoot({ children }: { children: ReactElement }) {
  const [stack, setStack] = useState<ReactElement[]>([]);
  const navigation: Navigation = {
    push: (view) => setStack((s) => [...s, view]),
    pop: () => setStack((s) => s.slice(0, -1)),
  };
  const top = stack.length > 0 ? stack[stack.length - 1] : children;
  return (
    <NavigationContext.Provider value={navigation}>
      <div data-testid="view" data-depth={stack.length}>
        {top}
      </div>
    </NavigationContext.Provider>
  );
}

// ---------------------------------------------------------------------------------------------------------
// Actions: buttons named by their titles.

type ActionProps = { title?: string; shortcut?: { modifiers: string[]; key: string }; icon?: unknown; style?: string };

function ActionButton({ title, shortcut: keys, onClick }: ActionProps & { onClick: () => unknown }) {
  return (
    <button
      type="button"
      data-action={title}
      data-shortcut={keys ? `${keys.modifiers.join("+")}+${keys.key}` : undefined}
      onClick={() => void onClick()}
    >
      {title}
    </button>
  );
}

function ActionBase(props: ActionProps & { onAction?: () => unknown }) {
  return <ActionButton {...props} onClick={() => props.onAction?.()} />;
}

function Push(props: ActionProps & { target: ReactElement; onPush?: () => void }) {
  const { push } = useNavigation();
  return <ActionButton {...props} onClick={() => (push(props.target), props.onPush?.())} />;
}

function CopyToClipboard(props: ActionProps & { content: unknown; onCopy?: () => void }) {
  return (
    <ActionButton
      {...props}
      title={props.title ?? "Copy to Clipboard"}
      onClick={async () => (await Clipboard.copy(props.content), props.onCopy?.())}
    />
  );
}

function ShowInFinder(props: ActionProps & { path: string }) {
  return <ActionButton {...props} title={props.title ?? "Show in Finder"} onClick={() => showInFinder(props.path)} />;
}

function OpenInBrowser(props: ActionProps & { url: string }) {
  return <ActionButton {...props} title={props.title ?? "Open in Browser"} onClick={() => open(props.url)} />;
}

function OpenAction(props: ActionProps & { target: string; application?: string }) {
  return <ActionButton {...props} onClick={() => open(props.target, props.application)} />;
}

function SubmitForm(props: ActionProps & { onSubmit: (values: Record<string, unknown>) => unknown }) {
  const form = useContext(FormContext);
  return <ActionButton {...props} title={props.title ?? "Submit"} onClick={() => props.onSubmit({ ...form.values })} />;
}

export const Action = Object.assign(ActionBase, {
  Push,
  CopyToClipboard,
  ShowInFinder,
  OpenInBrowser,
  Open: OpenAction,
  SubmitForm,
  Style: { Regular: "regular", Destructive: "destructive" },
});

export const ActionPanel = Object.assign(
  ({ children }: { children?: ReactNode }) => <div data-action-panel>{children}</div>,
  { Section: ({ children }: { children?: ReactNode; title?: string }) => <>{children}</> },
);

// ---------------------------------------------------------------------------------------------------------
// List and Detail

type Text = string | { value?: string | null; tooltip?: string | null } | null | undefined;
const textOf = (t: Text) => (t === null || t === undefined ? "" : typeof t === "string" ? t : (t.value ?? ""));

interface Accessory {
  text?: Text;
  tag?: Text | { value?: string; color?: string };
  date?: Date | { value?: Date };
  tooltip?: string | null;
  icon?: unknown;
}

function accessoryText(a: Accessory): string {
  if (a.tag !== undefined) return textOf(a.tag as Text);
  if (a.text !== undefined) return textOf(a.text);
  if (a.date) return (a.date instanceof Date ? a.date : a.date.value)?.toISOString() ?? "";
  return "";
}

function ListItem(props: {
  title: Text;
  subtitle?: Text;
  accessories?: Accessory[];
  actions?: ReactNode;
  detail?: ReactNode;
  icon?: unknown;
  id?: string;
  keywords?: string[];
}) {
  return (
    <div role="listitem" aria-label={textOf(props.title)}>
      <span data-title>{textOf(props.title)}</span>
      {props.subtitle ? <span data-subtitle>{textOf(props.subtitle)}</span> : null}
      {(props.accessories ?? []).map((a, i) => (
        <span key={i} data-accessory title={a.tooltip ?? undefined}>
          {accessoryText(a)}
        </span>
      ))}
      {props.actions}
    </div>
  );
}

function EmptyView(props: { title?: string; description?: string; actions?: ReactNode; icon?: unknown }) {
  return (
    <div data-empty-view>
      <h2>{props.title}</h2>
      {props.description ? <p>{props.description}</p> : null}
      {props.actions}
    </div>
  );
}

function Section(props: { title?: string; subtitle?: string; children?: ReactNode }) {
  return (
    <section aria-label={props.title}>
      <h3>{props.title}</h3>
      {props.subtitle ? <p data-section-subtitle>{props.subtitle}</p> : null}
      {props.children}
    </section>
  );
}

function Metadata({ children }: { children?: ReactNode }) {
  return <dl data-metadata>{children}</dl>;
}

const MetadataParts = {
  Label: ({ title, text }: { title: string; text?: Text }) => (
    <>
      <dt>{title}</dt>
      <dd aria-label={title}>{textOf(text)}</dd>
    </>
  ),
  Separator: () => <hr />,
  TagList: Object.assign(
    ({ title, children }: { title: string; children?: ReactNode }) => (
      <>
        <dt>{title}</dt>
        <dd aria-label={title}>{children}</dd>
      </>
    ),
    { Item: ({ text }: { text?: string }) => <span>{text}</span> },
  ),
  Link: ({ title, text }: { title: string; text: string; target: string }) => (
    <>
      <dt>{title}</dt>
      <dd aria-label={title}>{text}</dd>
    </>
  ),
};

function DetailView(props: {
  markdown?: string;
  metadata?: ReactNode;
  actions?: ReactNode;
  navigationTitle?: string;
  isLoading?: boolean;
}) {
  return (
    <article data-detail data-navigation-title={props.navigationTitle}>
      <pre data-markdown>{props.markdown}</pre>
      {props.metadata}
      {props.actions}
    </article>
  );
}

export const Detail = Object.assign(DetailView, { Metadata: Object.assign(Metadata, MetadataParts) });

function ListView(props: {
  children?: ReactNode;
  isLoading?: boolean;
  navigationTitle?: string;
  searchBarPlaceholder?: string;
  actions?: ReactNode;
}) {
  return (
    <div data-list data-loading={props.isLoading ? "true" : "false"} data-navigation-title={props.navigationTitle}>
      {props.children}
    </div>
  );
}

export const List = Object.assign(ListView, {
  Item: Object.assign(ListItem, {
    Detail: Object.assign(DetailView, { Metadata: Object.assign(Metadata, MetadataParts) }),
  }),
  Section,
  EmptyView,
});

// ---------------------------------------------------------------------------------------------------------
// Form: inputs labelled by their titles; SubmitForm hands the fields' current values to onSubmit.

const FormContext = createContext<{ values: Record<string, unknown> }>({ values: {} });

interface FieldProps<T> {
  id: string;
  title?: string;
  value?: T;
  defaultValue?: T;
  error?: string;
  onChange?: (value: T) => void;
  placeholder?: string;
  info?: string;
}

function useField<T>(props: FieldProps<T>, empty: T): [T, (value: T) => void] {
  const form = useContext(FormContext);
  const [own, setOwn] = useState<T>(props.defaultValue ?? empty);
  const value = props.value !== undefined ? props.value : own;
  form.values[props.id] = value;
  return [
    value,
    (next: T) => {
      setOwn(next);
      props.onChange?.(next);
    },
  ];
}

function FieldShell({ title, error, children }: { title?: string; error?: string; children: ReactNode }) {
  return (
    <label>
      {title}
      {children}
      {error ? <span role="alert">{error}</span> : null}
    </label>
  );
}

function TextField(props: FieldProps<string>) {
  const [value, set] = useField(props, "");
  return (
    <FieldShell title={props.title} error={props.error}>
      <input
        aria-label={props.title}
        name={props.id}
        placeholder={props.placeholder}
        value={value}
        onChange={(e) => set(e.target.value)}
      />
    </FieldShell>
  );
}

function TextArea(props: FieldProps<string>) {
  const [value, set] = useField(props, "");
  return (
    <FieldShell title={props.title} error={props.error}>
      <textarea aria-label={props.title} name={props.id} value={value} onChange={(e) => set(e.target.value)} />
    </FieldShell>
  );
}

/** A file picker as a text input holding one path (what a test would pick). */
function FilePicker(
  props: FieldProps<string[]> & {
    canChooseDirectories?: boolean;
    canChooseFiles?: boolean;
    allowMultipleSelection?: boolean;
  },
) {
  const [value, set] = useField(props, [] as string[]);
  return (
    <FieldShell title={props.title} error={props.error}>
      <input
        aria-label={props.title}
        name={props.id}
        value={value[0] ?? ""}
        onChange={(e) => set(e.target.value ? [e.target.value] : [])}
      />
    </FieldShell>
  );
}

function Checkbox(props: FieldProps<boolean> & { label?: string }) {
  const [value, set] = useField(props, false);
  return (
    <FieldShell title={props.title} error={props.error}>
      <input
        type="checkbox"
        aria-label={props.title ?? props.label}
        checked={value}
        onChange={(e) => set(e.target.checked)}
      />
    </FieldShell>
  );
}

/** A dropdown; with onSearchTextChange, its search field is an input labelled "<title> Search". */
function Dropdown(props: FieldProps<string> & { children?: ReactNode; onSearchTextChange?: (text: string) => void }) {
  const [value, set] = useField(props, "");
  return (
    <FieldShell title={props.title} error={props.error}>
      {props.onSearchTextChange ? (
        <input aria-label={`${props.title} Search`} onChange={(e) => props.onSearchTextChange!(e.target.value)} />
      ) : null}
      <select aria-label={props.title} value={value} onChange={(e) => set(e.target.value)}>
        {props.children}
      </select>
    </FieldShell>
  );
}

function FormView(props: { children?: ReactNode; actions?: ReactNode; navigationTitle?: string; isLoading?: boolean }) {
  const [values] = useState<Record<string, unknown>>({});
  return (
    <FormContext.Provider value={{ values }}>
      <form data-navigation-title={props.navigationTitle} onSubmit={(e) => e.preventDefault()}>
        {props.children}
        {props.actions}
      </form>
    </FormContext.Provider>
  );
}

export const Form = Object.assign(FormView, {
  TextField,
  TextArea,
  FilePicker,
  Checkbox,
  Dropdown: Object.assign(Dropdown, {
    Item: ({ value, title }: { value: string; title: string }) => <option value={value}>{title}</option>,
  }),
  Separator: () => <hr />,
  Description: ({ title, text }: { title?: string; text: string }) => (
    <p>
      {title} {text}
    </p>
  ),
});

// ---------------------------------------------------------------------------------------------------------
// MenuBarExtra: the menu as nested groups; an item with onAction is a button, one without is disabled text
// (as Raycast renders it). The extra's icon, title and tooltip are data attributes.

type ImageLike = string | { source: string; tintColor?: string } | undefined;

export function iconName(icon: unknown): string {
  if (!icon) return "";
  if (typeof icon === "string") return icon;
  const { source, tintColor } = icon as { source: string; tintColor?: string };
  return tintColor ? `${source}:${tintColor}` : source;
}

function MenuBarExtraView(props: {
  icon?: ImageLike;
  title?: string;
  tooltip?: string;
  isLoading?: boolean;
  children?: ReactNode;
}) {
  return (
    <div
      data-menubar
      data-icon={iconName(props.icon)}
      data-title={props.title ?? ""}
      data-tooltip={props.tooltip ?? ""}
      data-loading={props.isLoading ? "true" : "false"}
    >
      {props.children}
    </div>
  );
}

function MenuBarItem(props: {
  title: string;
  subtitle?: string;
  icon?: ImageLike;
  tooltip?: string;
  shortcut?: { modifiers: string[]; key: string };
  onAction?: (event: { type: "left-click" }) => void;
}) {
  const text = (
    <>
      <span data-title>{props.title}</span>
      {props.subtitle ? <span data-subtitle>{props.subtitle}</span> : null}
    </>
  );
  return props.onAction ? (
    <button
      type="button"
      role="menuitem"
      aria-label={props.title}
      data-icon={iconName(props.icon)}
      title={props.tooltip}
      onClick={() => void props.onAction!({ type: "left-click" })}
    >
      {text}
    </button>
  ) : (
    <div
      role="menuitem"
      aria-label={props.title}
      aria-disabled="true"
      data-icon={iconName(props.icon)}
      title={props.tooltip}
    >
      {text}
    </div>
  );
}

function MenuBarSubmenu(props: { title: string; icon?: ImageLike; children?: ReactNode }) {
  return (
    <div role="menu" aria-label={props.title} data-icon={iconName(props.icon)}>
      {props.children}
    </div>
  );
}

function MenuBarSection(props: { title?: string; children?: ReactNode }) {
  return (
    <div role="group" aria-label={props.title ?? ""}>
      {props.children}
    </div>
  );
}

export const MenuBarExtra = Object.assign(MenuBarExtraView, {
  Item: MenuBarItem,
  Submenu: MenuBarSubmenu,
  Section: MenuBarSection,
  Separator: () => <hr />,
});
