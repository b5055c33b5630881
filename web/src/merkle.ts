// The Merkle commitment of a job's output, as packages/starminer-merkle
// builds it: fixed-size chunks (the last may be shorter; an empty output is
// one empty chunk), leaf = SHA-256(0x00 ‖ chunk), node = SHA-256(0x01 ‖ left
// ‖ right), and an odd node at the end of a level promoted unchanged. Used
// to check in the browser that a provider's output is what the chain holds.

async function sha256(parts: Uint8Array[]): Promise<Uint8Array> {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

export const leafHash = (chunk: Uint8Array) => sha256([Uint8Array.of(0x00), chunk]);
export const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256([Uint8Array.of(0x01), left, right]);

/** The root over already-hashed leaves (at least one). */
export async function rootOfLeaves(leaves: Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 0) throw new Error("a tree needs a leaf");
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? await nodeHash(level[i], level[i + 1]) : level[i]);
    }
    level = next;
  }
  return level[0];
}

/** The root of `data` chunked at `chunkSize` bytes. */
export async function rootOf(data: Uint8Array, chunkSize: number): Promise<Uint8Array> {
  if (chunkSize <= 0) throw new Error("chunk size must be positive");
  const leaves: Uint8Array[] = [];
  if (data.length === 0) leaves.push(await leafHash(new Uint8Array()));
  for (let i = 0; i < data.length; i += chunkSize) leaves.push(await leafHash(data.subarray(i, i + chunkSize)));
  return rootOfLeaves(leaves);
}

export const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
