// hpc.sgemm: C = A·B for row-major f32 matrices whose sizes the host has
// padded to multiples of the kernel's tile. Two kernels, one per kind of
// device (the host picks; both give the same result within the template's
// tolerance):
//
// sgemm_local (GPUs): each work-group computes a BM×BN block of C. Per step
// of KT along k it copies the A panel (transposed) and the B panel into local
// memory, then every work-item accumulates a TM×16 register tile with
// float16 fmas: the classic shared-memory tiling.
//
// sgemm_regs (CPUs, e.g. PoCL): local memory is ordinary cached memory there,
// and a barrier makes PoCL spill the accumulators and split the loop, which
// measured 3-4x slower. Each work-item is a BLAS-style micro-kernel instead:
// a 6×16 register tile (12 AVX2 registers of accumulators) fed by one float16
// row of B and six broadcasts of A per k; B's 16-column panel stays in L1/L2.

#define TM 4
#define LI 8
#define LJ 4
#define KT 64
#define BM (TM * LI)
#define BN (16 * LJ)

__kernel __attribute__((reqd_work_group_size(LJ, LI, 1)))
void sgemm_local(const uint M, const uint N, const uint K,
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

#define RM 6

__kernel void sgemm_regs(const uint M, const uint N, const uint K,
                         __global const float* A,
                         __global const float* B,
                         __global float* C)
{
    const uint col = get_global_id(0) * 16;
    const uint row = get_global_id(1) * RM;
    float16 c0 = (float16)(0.0f);
    float16 c1 = (float16)(0.0f);
    float16 c2 = (float16)(0.0f);
    float16 c3 = (float16)(0.0f);
    float16 c4 = (float16)(0.0f);
    float16 c5 = (float16)(0.0f);
    __global const float* a = A + row * K;
    for (uint k = 0; k < K; k++) {
        const float16 b = vload16(0, B + k * N + col);
        c0 = fma((float16)(a[k]), b, c0);
        c1 = fma((float16)(a[K + k]), b, c1);
        c2 = fma((float16)(a[2 * K + k]), b, c2);
        c3 = fma((float16)(a[3 * K + k]), b, c3);
        c4 = fma((float16)(a[4 * K + k]), b, c4);
        c5 = fma((float16)(a[5 * K + k]), b, c5);
    }
    vstore16(c0, 0, C + row * N + col);
    vstore16(c1, 0, C + (row + 1) * N + col);
    vstore16(c2, 0, C + (row + 2) * N + col);
    vstore16(c3, 0, C + (row + 3) * N + col);
    vstore16(c4, 0, C + (row + 4) * N + col);
    vstore16(c5, 0, C + (row + 5) * N + col);
}
