import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The processes of one topology, as pid files under `<stateDir>/run/`: `NAME.pid` holds the pid and,
 * on a second line, the process's start time (clock ticks after boot, from /proc). Down signals a
 * pid only while both still match, so a pid the kernel has since given to another program is safe.
 */
export interface StartOptions {
  readonly stateDir: string;
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  /** Runs the process inside this network namespace (`ip netns exec`, which keeps the pid). */
  readonly namespace?: string;
}

const runDir = (stateDir: string) => join(stateDir, 'run');
const pidFile = (stateDir: string, name: string) => join(runDir(stateDir), `${name}.pid`);

/** Starts a process that outlives this one (its own session, output to a file) and records it. */
export function startDetached(options: StartOptions): number {
  const [command, args] =
    options.namespace === undefined
      ? [options.command, options.args]
      : ['ip', ['netns', 'exec', options.namespace, options.command, ...options.args]];
  mkdirSync(runDir(options.stateDir), { recursive: true });
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.unref();
    const { pid } = child;
    if (pid === undefined) throw new Error(`${options.name}: ${command} could not be started`);
    writeFileSync(pidFile(options.stateDir, options.name), `${pid}\n${startTime(pid) ?? ''}\n`);
    return pid;
  } finally {
    closeSync(log);
  }
}

/** The recorded pid of `name` while that very process is still running. */
export function runningPid(stateDir: string, name: string): number | undefined {
  let lines: string[];
  try {
    lines = readFileSync(pidFile(stateDir, name), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const started = startTime(pid);
  return started !== undefined && started === lines[1] ? pid : undefined;
}

/**
 * Sends `signal` to the recorded process if it is still the one that was started, and to every
 * process of its group: a SIGKILLed nginx master would leave its workers serving the port, where
 * removing a container kills them all. True if sent.
 */
export function signalProcess(stateDir: string, name: string, signal: NodeJS.Signals): boolean {
  const pid = runningPid(stateDir, name);
  if (pid === undefined) return false;
  signalGroup(pid, signal);
  return true;
}

/** Each detached process leads its own process group (its own session, in fact). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    process.kill(pid, signal);
  }
}

/**
 * Stops the recorded process: `signal`, then SIGKILL if it is still there after `graceMs`. Waits
 * until it is gone and removes its pid file. Synchronous, so that an exit hook can use it too.
 */
export function stopProcess(stateDir: string, name: string, signal: NodeJS.Signals, graceMs: number): void {
  const pid = runningPid(stateDir, name);
  if (pid !== undefined) {
    signalGroup(pid, signal);
    if (!waitUntilGone(pid, graceMs)) {
      signalGroup(pid, 'SIGKILL');
      waitUntilGone(pid, 5_000);
    }
  }
  rmSync(pidFile(stateDir, name), { force: true });
}

function waitUntilGone(pid: number, ms: number): boolean {
  const deadline = Date.now() + ms;
  while (startTime(pid) !== undefined) {
    if (Date.now() > deadline) return false;
    sleepSync(20);
  }
  return true;
}

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Field 22 of /proc/PID/stat; undefined when there is no such process or it is a zombie. */
function startTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
}

/** The last lines of a log file, for an error message. */
export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}
