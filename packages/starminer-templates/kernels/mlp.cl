// ai.inference.mlp: one dense layer of a multi-layer perceptron over a batch,
// Y = act(X·Wᵀ + b) with W stored row-major as [out][in]. The host chains
// the layers (ReLU between them, none after the last).
//
// One work-item per (output neuron, batch row); the weight row and the input
// row are read with float4 loads when the width allows.

__kernel void mlp_layer(
    const uint width,
    const uint relu,
    __global const float* W,
    __global const float* bias,
    __global const float* X,
    __global float* Y)
{
    const uint o = get_global_id(0);
    const uint row = get_global_id(1);
    if (o >= width) return;
    __global const float* w = W + (ulong)o * width;
    __global const float* x = X + (ulong)row * width;
    float acc = 0.0f;
    uint i = 0;
    if ((width & 3) == 0) {
        float4 acc4 = (float4)(0.0f);
        for (; i < width; i += 4) {
            acc4 = fma(vload4(0, w + i), vload4(0, x + i), acc4);
        }
        acc = (acc4.s0 + acc4.s1) + (acc4.s2 + acc4.s3);
    } else {
        for (; i < width; i++) acc = fma(w[i], x[i], acc);
    }
    acc += bias[o];
    if (relu && acc < 0.0f) acc = 0.0f;
    Y[(ulong)row * width + o] = acc;
}
