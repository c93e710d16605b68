/**
 * The bench's processes talk over Node's IPC channel: the parent calls a child's commands and hears its events.
 * The worker, the bridge and the emulators each run in their own process, as in production, so what the bench
 * process measures (acknowledgements, arrivals) is not slowed by the work it measures.
 */
import { fork, type ChildProcess } from 'node:child_process';

type Message =
  | { t: 'call'; id: number; cmd: string; args: unknown }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: string }
  | { t: 'event'; name: string; data: unknown };

export interface ChildHandle {
  readonly pid: number;
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  on(event: string, listener: (data: never) => void): void;
  /** Asks the child to stop (its `stop` command), then SIGKILLs it if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function forkChild(modulePath: string, opts: { env?: NodeJS.ProcessEnv; name: string }): ChildHandle {
  const child: ChildProcess = fork(modulePath, [], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; cmd: string }>();
  const listeners = new Map<string, ((data: never) => void)[]>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      for (const p of pending.values()) {
        p.reject(new Error(`${opts.name} exited (${signal ?? `code ${code}`}) during "${p.cmd}"`));
      }
      pending.clear();
      resolve();
    }),
  );
  child.on('message', (m: Message) => {
    if (m.t === 'reply') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(`${opts.name} ${p.cmd}: ${m.error}`));
    } else if (m.t === 'event') {
      for (const l of listeners.get(m.name) ?? []) l(m.data as never);
    }
  });
  return {
    pid: child.pid!,
    call<T>(cmd: string, args?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`${opts.name} is not running (calling "${cmd}")`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, cmd });
        child.send({ t: 'call', id, cmd, args } satisfies Message);
      });
    },
    on(event, listener) {
      const list = listeners.get(event) ?? [];
      list.push(listener);
      listeners.set(event, list);
    },
    async stop(graceMs = 15_000) {
      if (exited) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        await Promise.race([this.call('stop'), exit]);
      } catch {
        // exited while stopping: fine
      }
      await exit;
      clearTimeout(killer);
    },
  };
}

/** In a child: answers the parent's calls; `stop` runs `onStop` and exits. Returns `emit` for events. */
export function serveParent(
  handlers: Record<string, (args: never) => unknown>,
  onStop: () => Promise<void>,
): { emit(name: string, data: unknown): void } {
  if (!process.send) throw new Error('this module runs as a child of the bench (forked with an IPC channel)');
  const send = (m: Message): void => {
    process.send!(m);
  };
  process.on('message', (m: Message) => {
    if (m.t !== 'call') return;
    if (m.cmd === 'stop') {
      void onStop().finally(() => {
        send({ t: 'reply', id: m.id, ok: true, value: null });
        setTimeout(() => process.exit(0), 50);
      });
      return;
    }
    const handler = handlers[m.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command "${m.cmd}"`);
        return handler(m.args as never);
      })
      .then(
        (value) => send({ t: 'reply', id: m.id, ok: true, value: value ?? null }),
        (e: unknown) =>
          send({ t: 'reply', id: m.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
      );
  });
  // The parent died: do not linger.
  process.on('disconnect', () => process.exit(0));
  return { emit: (name, data) => send({ t: 'event', name, data }) };
}
