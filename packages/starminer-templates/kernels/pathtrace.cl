// render.pathtrace: a small Monte Carlo path tracer of a scene of spheres
// with diffuse, metal and emissive materials. Output: linear f32 RGB per
// pixel (the mean of `samples` paths).
//
// Determinism: the random numbers come from an integer hash of (seed, pixel,
// sample, draw), and the arithmetic uses only + - * / and sqrt, correctly
// rounded (the host adds -cl-fp32-correctly-rounded-divide-sqrt where the
// device needs it). Compilers fuse a*b+c into fma even across statements
// (PoCL does, ignoring FP_CONTRACT OFF), which changes rounding; every
// product that feeds an addition therefore goes through MUL, which passes it
// through an integer XOR with the kernel argument `fence` (always 0) that no
// compiler can see through. The CPU reference performs the same operations in
// the same order.

#pragma OPENCL FP_CONTRACT OFF

#define MUL(a, b) as_float(as_uint((a) * (b)) ^ fence)

#define SPHERE_FLOATS 12
#define MAT_DIFFUSE 0
#define MAT_METAL 1
#define MAT_EMISSIVE 2

typedef struct { float x, y, z; } v3;

inline v3 mk(float x, float y, float z) { v3 r; r.x = x; r.y = y; r.z = z; return r; }
inline v3 add(v3 a, v3 b) { return mk(a.x + b.x, a.y + b.y, a.z + b.z); }
inline v3 sub(v3 a, v3 b) { return mk(a.x - b.x, a.y - b.y, a.z - b.z); }
inline v3 mul(v3 a, v3 b, uint fence) { return mk(MUL(a.x, b.x), MUL(a.y, b.y), MUL(a.z, b.z)); }
inline v3 scale(v3 a, float s, uint fence) { return mk(MUL(a.x, s), MUL(a.y, s), MUL(a.z, s)); }
inline float dot3(v3 a, v3 b, uint fence) { return MUL(a.x, b.x) + MUL(a.y, b.y) + MUL(a.z, b.z); }
inline v3 unit(v3 a, uint fence) { float l = sqrt(dot3(a, a, fence)); return mk(a.x / l, a.y / l, a.z / l); }

inline ulong mix64(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

// Uniform in [0, 1) with 24 bits, advancing the per-path state.
inline float rnd(ulong* s) {
    *s += 0x9E3779B97F4A7C15UL;
    return (float)(uint)(mix64(*s) >> 40) * (1.0f / 16777216.0f);
}

// Rejection sampling inside the unit ball; gives up (returns 0) after 64 tries
// so that the loop is bounded on every device.
inline v3 in_unit_ball(ulong* s, uint fence) {
    for (int i = 0; i < 64; i++) {
        float x = rnd(s) * 2.0f - 1.0f;
        float y = rnd(s) * 2.0f - 1.0f;
        float z = rnd(s) * 2.0f - 1.0f;
        v3 p = mk(x, y, z);
        float l2 = dot3(p, p, fence);
        if (l2 < 1.0f && l2 > 1e-6f) return p;
    }
    return mk(0.0f, 0.0f, 0.0f);
}

__kernel void pathtrace(
    const uint width,
    const uint height,
    const uint first_row,
    const uint samples,
    const uint max_depth,
    const ulong seed,
    const uint n_spheres,
    __global const float* spheres,
    __global const float* cam,      // origin, lower_left, horizontal, vertical
    const uint fence,               // always 0, see MUL
    __global float* out)
{
    const uint x = get_global_id(0);
    const uint band_row = get_global_id(1);
    if (x >= width) return;
    const uint row = first_row + band_row;
    const v3 origin = mk(cam[0], cam[1], cam[2]);
    const v3 lower_left = mk(cam[3], cam[4], cam[5]);
    const v3 horizontal = mk(cam[6], cam[7], cam[8]);
    const v3 vertical = mk(cam[9], cam[10], cam[11]);
    const ulong pixel = (ulong)row * width + x;
    v3 sum = mk(0.0f, 0.0f, 0.0f);
    for (uint s = 0; s < samples; s++) {
        ulong st = mix64(seed ^ mix64(pixel * 0x100000001B3UL + s));
        float u = ((float)x + rnd(&st)) / (float)width;
        float v = ((float)(height - 1 - row) + rnd(&st)) / (float)height;
        v3 ro = origin;
        v3 rd = sub(add(add(lower_left, scale(horizontal, u, fence)), scale(vertical, v, fence)), origin);
        v3 throughput = mk(1.0f, 1.0f, 1.0f);
        v3 light = mk(0.0f, 0.0f, 0.0f);
        for (uint depth = 0; depth < max_depth; depth++) {
            float best = 1e30f;
            int hit = -1;
            for (uint i = 0; i < n_spheres; i++) {
                __global const float* sp = spheres + i * SPHERE_FLOATS;
                v3 oc = sub(ro, mk(sp[0], sp[1], sp[2]));
                float a = dot3(rd, rd, fence);
                float b = dot3(oc, rd, fence);
                float c = dot3(oc, oc, fence) - MUL(sp[3], sp[3]);
                float disc = MUL(b, b) - MUL(a, c);
                if (disc > 0.0f) {
                    float sq = sqrt(disc);
                    float t = (-b - sq) / a;
                    if (t < 1e-3f) t = (-b + sq) / a;
                    if (t >= 1e-3f && t < best) { best = t; hit = (int)i; }
                }
            }
            if (hit < 0) {
                v3 d = unit(rd, fence);
                float k = 0.5f * (d.y + 1.0f);
                v3 sky = add(scale(mk(0.10f, 0.10f, 0.12f), 1.0f - k, fence), scale(mk(0.15f, 0.25f, 0.45f), k, fence));
                light = add(light, mul(throughput, sky, fence));
                break;
            }
            __global const float* sp = spheres + hit * SPHERE_FLOATS;
            const int mat = (int)sp[10];
            const v3 albedo = mk(sp[4], sp[5], sp[6]);
            if (mat == MAT_EMISSIVE) {
                light = add(light, mul(throughput, mk(sp[7], sp[8], sp[9]), fence));
                break;
            }
            v3 p = add(ro, scale(rd, best, fence));
            v3 n = sub(p, mk(sp[0], sp[1], sp[2]));
            n = mk(n.x / sp[3], n.y / sp[3], n.z / sp[3]);
            v3 dir;
            if (mat == MAT_METAL) {
                v3 d = unit(rd, fence);
                v3 refl = sub(d, scale(n, 2.0f * dot3(d, n, fence), fence));
                dir = add(refl, scale(in_unit_ball(&st, fence), sp[11], fence));
                if (dot3(dir, n, fence) <= 0.0f) break;
            } else {
                dir = add(n, in_unit_ball(&st, fence));
                if (dot3(dir, dir, fence) < 1e-8f) dir = n;
            }
            throughput = mul(throughput, albedo, fence);
            ro = p;
            rd = dir;
        }
        sum = add(sum, light);
    }
    const float inv = (float)samples;
    const ulong o = ((ulong)band_row * width + x) * 3;
    out[o] = sum.x / inv;
    out[o + 1] = sum.y / inv;
    out[o + 2] = sum.z / inv;
}
