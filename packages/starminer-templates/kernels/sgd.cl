// ai.training.sgd: minibatch SGD for multinomial logistic (softmax)
// regression. W is [classes][features + 1] (last column: bias); X rows carry
// a trailing 1.0 so the bias is one more weight. The minibatch of global
// step s is rows (s·batch + j) mod n, j < batch, so any step can be replayed
// from the weights before it.
//
// Per step the host enqueues sgd_delta (one work-item per batch row:
// softmax probabilities minus the one-hot label, and the row's loss), then
// sgd_update (one work-item per weight: gradient over the batch, update).

#define MAX_CLASSES 16

__kernel void sgd_delta(
    const uint n, const uint d1, const uint classes, const uint batch,
    const ulong first,
    __global const float* X,
    __global const uint* labels,
    __global const float* W,
    __global float* delta,
    __global float* loss)
{
    const uint j = get_global_id(0);
    if (j >= batch) return;
    const ulong idx = (first + j) % n;
    __global const float* x = X + idx * d1;
    float z[MAX_CLASSES];
    float m = -INFINITY;
    for (uint k = 0; k < classes; k++) {
        float acc = 0.0f;
        for (uint i = 0; i < d1; i++) acc += W[k * d1 + i] * x[i];
        z[k] = acc;
        m = fmax(m, acc);
    }
    float s = 0.0f;
    for (uint k = 0; k < classes; k++) s += exp(z[k] - m);
    const uint y = labels[idx];
    for (uint k = 0; k < classes; k++) {
        delta[j * classes + k] = exp(z[k] - m) / s - (k == y ? 1.0f : 0.0f);
    }
    loss[j] = log(s) - (z[y] - m);
}

__kernel void sgd_update(
    const uint n, const uint d1, const uint classes, const uint batch,
    const ulong first, const float lr,
    __global const float* X,
    __global float* W,
    __global const float* delta)
{
    const uint g = get_global_id(0);
    if (g >= classes * d1) return;
    const uint k = g / d1;
    const uint i = g % d1;
    float acc = 0.0f;
    for (uint j = 0; j < batch; j++) {
        acc += delta[j * classes + k] * X[((first + j) % n) * d1 + i];
    }
    W[g] -= lr * (acc / (float)batch);
}
