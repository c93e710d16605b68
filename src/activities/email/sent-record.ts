/**
 * The emails this deployment has sent, in a file, so "don't send the same key twice" survives a worker restart and
 * holds for every worker that shares the file (same machine or volume). One JSON line per sent email:
 *
 *   {"messageId":"<66eebebc…@mql-handoff>","sentAt":"2026-11-24T15:02:11.000Z"}
 *
 * The Message-ID stands for the idempotency key (it is derived from it, email-sender.ts `messageIdForKey`), so the
 * file holds no key, no address and no content. Lines are appended after the SMTP server accepted the message
 * (one `appendFileSync` each, O_APPEND); a reader takes complete lines only, so a line torn by a killed worker is
 * skipped. A miss re-reads what other workers appended since the last look, so a live worker sees their sends.
 * When the file holds more than twice `keep` entries it is rewritten (temp file + rename) with the newest `keep`.
 */
import {
  appendFileSync,
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

export class SentRecordError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `email sent-record ${file}: cannot be written (${(cause as NodeJS.ErrnoException)?.code ?? String(cause)}): ` +
        'expected a writable file path (EMAIL_SENT_RECORD, or MQL_HANDOFF_DATA_DIR for the default)',
      { cause },
    );
    this.name = 'SentRecordError';
  }
}

export class SentRecord {
  /** Message-ID → when it was sent, oldest first. */
  private readonly sent = new Map<string, string>();
  /** Bytes of the file read so far (complete lines only), and the file they belong to. */
  private offset = 0;
  private inode = -1;
  /** Lines in the file as far as this process knows: what decides compaction. */
  private lines = 0;

  constructor(
    readonly file: string,
    private readonly keep: number,
  ) {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      appendFileSync(file, '', { mode: 0o600 });
    } catch (e) {
      throw new SentRecordError(file, e);
    }
    this.refresh();
  }

  /** Whether this Message-ID was sent, by this process or any other writing the same file. */
  has(messageId: string): boolean {
    if (this.sent.has(messageId)) return true;
    this.refresh();
    return this.sent.has(messageId);
  }

  /** Records a sent Message-ID. Throws when the file cannot be written (the caller decides what that means). */
  add(messageId: string, sentAt = new Date()): void {
    const at = sentAt.toISOString();
    // After a torn line (a worker killed mid-write, a full disk) start a new one, or this entry would be torn too.
    const separator = this.endsWithNewline() ? '' : '\n';
    appendFileSync(this.file, `${separator}${JSON.stringify({ messageId, sentAt: at })}\n`);
    this.sent.set(messageId, at);
    this.lines += 1;
    if (this.lines > 2 * this.keep) this.compact();
  }

  private endsWithNewline(): boolean {
    const fd = openSync(this.file, 'r');
    try {
      const { size } = fstatSync(fd);
      if (size === 0) return true;
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      return last[0] === 0x0a;
    } finally {
      closeSync(fd);
    }
  }

  /** Reads the complete lines appended since the last look; starts over when the file was replaced or shrank. */
  private refresh(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return; // gone (another worker is renaming it into place): what we know stays valid
    }
    try {
      const stat = fstatSync(fd);
      if (stat.ino !== this.inode || stat.size < this.offset) {
        this.inode = stat.ino;
        this.offset = 0;
        this.lines = 0;
      }
      if (stat.size === this.offset) return;
      const buffer = Buffer.alloc(stat.size - this.offset);
      const read = readSync(fd, buffer, 0, buffer.length, this.offset);
      const text = buffer.subarray(0, read).toString('utf8');
      const end = text.lastIndexOf('\n');
      if (end < 0) return;
      for (const line of text.slice(0, end).split('\n')) {
        const entry = parse(line);
        this.lines += 1;
        if (!entry) continue;
        this.sent.delete(entry.messageId);
        this.sent.set(entry.messageId, entry.sentAt);
      }
      this.offset += Buffer.byteLength(text.slice(0, end + 1));
      // Bounded like the file: other workers' compactions must not let this process's memory grow without end.
      while (this.sent.size > 2 * this.keep) this.sent.delete(this.sent.keys().next().value as string);
    } finally {
      closeSync(fd);
    }
  }

  /** Rewrites the file with the newest `keep` entries; what another worker appends meanwhile may be lost. */
  private compact(): void {
    this.refresh();
    while (this.sent.size > this.keep) this.sent.delete(this.sent.keys().next().value as string);
    const text = [...this.sent].map(([messageId, sentAt]) => `${JSON.stringify({ messageId, sentAt })}\n`).join('');
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, this.file);
    this.inode = -1;
    this.refresh();
  }
}

function parse(line: string): { messageId: string; sentAt: string } | null {
  try {
    const v = JSON.parse(line) as { messageId?: unknown; sentAt?: unknown };
    return typeof v.messageId === 'string' ? { messageId: v.messageId, sentAt: String(v.sentAt ?? '') } : null;
  } catch {
    return null; // torn or foreign line
  }
}
