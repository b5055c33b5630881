// hpc.sgemm: C = A·B for row-major f32 matrices whose sizes the host has
// padded to multiples of the tile (BM rows, BN columns, KT depth).
//
// Each work-group computes a BM×BN block of C. Per step of KT along k it
// copies (packs) the A panel transposed and the B panel into local memory,
// then every work-item accumulates a TM×16 register tile with float16 fmas:
// one broadcast of A per row against 16 contiguous columns of B. On CPU
// devices (PoCL) the local panels are the packing buffers of a BLAS
// micro-kernel and float16 maps to AVX/AVX-512 registers; on GPUs it is the
// classic shared-memory tiling.

#define TM 4
#define LI 8
#define LJ 4
#define KT 64
#define BM (TM * LI)
#define BN (16 * LJ)

__kernel __attribute__((reqd_work_group_size(LJ, LI, 1)))
void sgemm(const uint M, const uint N, const uint K,
           __global const float* A,
           __global const float* B,
           __global float* C)
{
    __local float As[KT * BM];
    __local float16 Bs[KT * LJ];
    const uint lj = get_local_id(0);
    const uint li = get_local_id(1);
    const uint lid = li * LJ + lj;
    const uint row0 = get_group_id(1) * BM;
    const uint col0 = get_group_id(0) * BN;
    float16 c0 = (float16)(0.0f);
    float16 c1 = (float16)(0.0f);
    float16 c2 = (float16)(0.0f);
    float16 c3 = (float16)(0.0f);
    for (uint kk = 0; kk < K; kk += KT) {
        for (uint t = lid; t < BM * KT; t += LI * LJ) {
            const uint r = t / KT;
            const uint k = t % KT;
            As[k * BM + r] = A[(row0 + r) * K + kk + k];
        }
        for (uint t = lid; t < KT * LJ; t += LI * LJ) {
            const uint k = t / LJ;
            const uint c = t % LJ;
            Bs[t] = vload16(0, B + (kk + k) * N + col0 + c * 16);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (uint k = 0; k < KT; k++) {
            const float16 b = Bs[k * LJ + lj];
            const float4 a = vload4(0, As + k * BM + li * TM);
            c0 = fma((float16)(a.s0), b, c0);
            c1 = fma((float16)(a.s1), b, c1);
            c2 = fma((float16)(a.s2), b, c2);
            c3 = fma((float16)(a.s3), b, c3);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const uint r = row0 + li * TM;
    const uint c = col0 + lj * 16;
    vstore16(c0, 0, C + (r + 0) * N + c);
    vstore16(c1, 0, C + (r + 1) * N + c);
    vstore16(c2, 0, C + (r + 2) * N + c);
    vstore16(c3, 0, C + (r + 3) * N + c);
}
