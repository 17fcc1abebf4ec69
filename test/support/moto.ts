// Starts moto's server (an independent AWS emulator, `python3 -m moto.server`) on a free loopback
// port for the conformance tests, and stops it with its whole process group. Also exposes moto's
// reset and request recorder, so a test can see the exact requests the product sent.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MotoServer {
  endpoint: string;
  /** Forgets every resource in every account (POST /moto-api/reset). */
  reset(): Promise<void>;
  /** Starts (afresh) recording every request moto receives. */
  startRecording(): Promise<void>;
  /** Stops recording and returns what was recorded since startRecording. */
  stopRecording(): Promise<RecordedRequest[]>;
  stop(): Promise<void>;
}

/** One request as moto's recorder saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const STARTUP_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL = 8_000;

/** A port nobody listens on right now: the OS picks it, we release it for moto to take. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

/** Fails with a clear message when python3 or moto's server is not installed. */
export function assertMotoInstalled(): void {
  const probe = spawnSync('python3', ['-c', 'import moto, moto.server; print(moto.__version__)'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(`moto conformance tests need python3 on the PATH (${probe.error.message})`);
  }
  if (probe.status !== 0) {
    throw new Error(`moto conformance tests need moto's server in python3 (pip install 'moto[server]'): ${probe.stderr.trim()}`);
  }
}

function headerRecord(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) out[name.toLowerCase()] = String(value);
  return out;
}

/** Starts moto on 127.0.0.1 and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  assertMotoInstalled();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const workDir = mkdtempSync(join(tmpdir(), 'kms-rotor-moto-'));
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    // Its own process group, so stop() ends moto and anything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: workDir,
    env: { ...process.env, MOTO_RECORDER_FILEPATH: join(workDir, 'recording.jsonl') },
  });
  // moto logs every request: keep only the tail (for error messages) and keep the pipes drained.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const stop = async () => {
    if (!hasExited && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (hasExited) {
      await stop();
      throw new Error(`moto.server exited before answering on ${endpoint}:\n${output}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto.server did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000}s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const call = async (path: string, method: 'GET' | 'POST'): Promise<string> => {
    const response = await fetch(`${endpoint}${path}`, { method });
    const text = await response.text();
    if (!response.ok) throw new Error(`moto ${method} ${path} answered ${response.status}: ${text}`);
    return text;
  };

  return {
    endpoint,
    reset: async () => void (await call('/moto-api/reset', 'POST')),
    startRecording: async () => {
      await call('/moto-api/recorder/reset-recording', 'POST');
      await call('/moto-api/recorder/start-recording', 'POST');
    },
    stopRecording: async () => {
      await call('/moto-api/recorder/stop-recording', 'POST');
      const text = await call('/moto-api/recorder/download-recording', 'GET');
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const entry = JSON.parse(line) as { method: string; url: string; headers: unknown; body?: string | null; body_encoded?: boolean };
          const body = entry.body ?? '';
          return {
            method: entry.method,
            url: entry.url,
            headers: headerRecord(entry.headers),
            body: entry.body_encoded ? Buffer.from(body, 'base64').toString('utf8') : body,
          };
        });
    },
    stop,
  };
}
