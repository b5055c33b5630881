// Device memory bandwidth probe: each work-item copies 4 float4s, so one
// launch reads and writes the whole buffer once.
__kernel void copy4(__global const float4* src, __global float4* dst, const uint n)
{
    const uint i = get_global_id(0) * 4;
    if (i + 3 < n) {
        dst[i] = src[i];
        dst[i + 1] = src[i + 1];
        dst[i + 2] = src[i + 2];
        dst[i + 3] = src[i + 3];
    }
}
