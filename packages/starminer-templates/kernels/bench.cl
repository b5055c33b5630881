// bench.v1: the registry's benchmark challenge. Deterministic 64-bit integer
// work seeded by the 32-byte challenge seed (s0..s3, little-endian words):
// word i of the output runs `rounds` rounds of a multiply/xorshift/rotate
// mix. Bit-exact everywhere; the result root is the Merkle root of the
// output.

inline ulong mix64(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

__kernel void bench(
    const ulong s0, const ulong s1, const ulong s2, const ulong s3,
    const uint first, const uint count, const uint rounds,
    __global uint* out)
{
    const uint g = get_global_id(0);
    if (g >= count) return;
    const ulong i = (ulong)(first + g);
    ulong x = mix64(s0 ^ mix64(i + s1));
    ulong y = mix64(s2 ^ i) | 1UL;
    for (uint r = 0; r < rounds; r++) {
        x = x * 0x5851F42D4C957F2DUL + y;
        x ^= x >> 33;
        y = ((y << 7) | (y >> 57)) ^ (x + s3);
    }
    out[g] = (uint)(x ^ (x >> 32)) ^ (uint)y;
}
