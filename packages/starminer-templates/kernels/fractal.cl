// render.fractal: escape-time Mandelbrot / Julia sets in fixed-point integer
// arithmetic (signed Q37.26 in 64-bit longs), so every device produces the
// same bits. Signed right shifts are arithmetic on every OpenCL compiler in
// use (LLVM, NVIDIA, AMD), as they are in Rust.
//
// One work-item per pixel of a band of rows; out[row * width + x] is 0 for
// points that never escape, else 1 + (iterations mod 255).

#define FRAC 26

__kernel void fractal(
    const uint width,
    const uint first_row,
    const long left,      // real part of column 0
    const long top,       // imaginary part of row 0
    const long step,      // pixel size
    const uint max_iter,
    const uint julia,     // 0: Mandelbrot, 1: Julia with constant (jr, ji)
    const long jr,
    const long ji,
    __global uchar* out)
{
    const uint x = get_global_id(0);
    const uint band_row = get_global_id(1);
    if (x >= width) return;
    const long row = (long)(first_row + band_row);
    const long pr = left + (long)x * step;
    const long pi = top - row * step;
    long zr, zi, cr, ci;
    if (julia) { zr = pr; zi = pi; cr = jr; ci = ji; }
    else { zr = 0; zi = 0; cr = pr; ci = pi; }
    const long four = 4L << FRAC;
    uint it = 0;
    while (it < max_iter) {
        const long zr2 = (zr * zr) >> FRAC;
        const long zi2 = (zi * zi) >> FRAC;
        if (zr2 + zi2 > four) break;
        zi = ((2 * zr * zi) >> FRAC) + ci;
        zr = zr2 - zi2 + cr;
        it++;
    }
    out[(ulong)band_row * width + x] = (it >= max_iter) ? 0 : (uchar)(1 + it % 255);
}
