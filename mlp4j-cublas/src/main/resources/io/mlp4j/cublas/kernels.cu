// mlp4j cuBLAS backend: the element-wise and reduction kernels (the GEMMs are cuBLAS calls).
// Compiled once per process by NVRTC (see CublasBackend); every kernel is launched on the backend's one stream.
// Conventions as in io.mlp4j.backend.Backend: row-major matrices, weights [out, in], `rows` samples per batch.
// Each kernel mirrors a method of the cpu backend (CpuBackend / CpuKernels), which is the reference.

#define MLP4J_BLOCK 256

// x[r, f] = pixels[idx[offset + r], f] * (1/255), for r < rows, f < features. Same factor as the cpu backend.
extern "C" __global__ void gather_u8(const unsigned char* __restrict__ pixels, const int* __restrict__ idx,
                                     int offset, int rows, int features, float* __restrict__ x) {
    long long n = (long long) rows * features;
    const float scale = 1.0f / 255.0f;
    for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < n;
         i += (long long) gridDim.x * blockDim.x) {
        int r = (int) (i / features);
        int f = (int) (i - (long long) r * features);
        long long src = (long long) idx[offset + r] * features + f;
        x[i] = (float) pixels[src] * scale;
    }
}

// y[r, o] += b[o], then ReLU if relu != 0.
extern "C" __global__ void bias_act(float* __restrict__ y, const float* __restrict__ b, int rows, int out,
                                    int relu) {
    int n = rows * out;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        float v = y[i] + b[i % out];
        y[i] = (relu != 0 && v < 0.0f) ? 0.0f : v;
    }
}

// dy[i] = 0 where y[i] <= 0 (backward of ReLU, in place).
extern "C" __global__ void relu_mask(const float* __restrict__ y, float* __restrict__ dy, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        if (y[i] <= 0.0f) {
            dy[i] = 0.0f;
        }
    }
}

// db[o] = sum over r of dy[r, o]: one thread per column, rows summed in order (neighbouring threads read
// neighbouring addresses, so each row is one coalesced read).
extern "C" __global__ void column_sums(const float* __restrict__ dy, float* __restrict__ db, int rows, int out) {
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o < out) {
        float s = 0.0f;
        for (int r = 0; r < rows; r++) {
            s += dy[(long long) r * out + o];
        }
        db[o] = s;
    }
}

// Softmax + cross-entropy, one thread per row. Adds the block's loss sum to metrics[0] and its count of correct
// arg-max predictions to metrics[1] (one atomicAdd each per block). If dz != 0, dz = (softmax - onehot) / rows.
// Arg-max ties go to the first class, like the cpu backend.
extern "C" __global__ void softmax_xent(const float* __restrict__ z, const unsigned char* __restrict__ labels,
                                        const int* __restrict__ idx, int offset, int rows, int classes,
                                        float* __restrict__ dz, float* __restrict__ metrics) {
    __shared__ float lossPart[MLP4J_BLOCK];
    __shared__ float correctPart[MLP4J_BLOCK];
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    float loss = 0.0f;
    float correct = 0.0f;
    if (r < rows) {
        const float* zr = z + (long long) r * classes;
        int label = labels[idx[offset + r]];
        int best = 0;
        float mx = zr[0];
        for (int c = 1; c < classes; c++) {
            if (zr[c] > mx) {
                mx = zr[c];
                best = c;
            }
        }
        float sum = 0.0f;
        for (int c = 0; c < classes; c++) {
            sum += expf(zr[c] - mx);
        }
        loss = logf(sum) - (zr[label] - mx);
        correct = best == label ? 1.0f : 0.0f;
        if (dz != 0) {
            float inv = 1.0f / sum;
            float invRows = 1.0f / (float) rows;
            float* dzr = dz + (long long) r * classes;
            for (int c = 0; c < classes; c++) {
                float p = expf(zr[c] - mx) * inv;
                dzr[c] = (p - (c == label ? 1.0f : 0.0f)) * invRows;
            }
        }
    }
    lossPart[threadIdx.x] = loss;
    correctPart[threadIdx.x] = correct;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride) {
            lossPart[threadIdx.x] += lossPart[threadIdx.x + stride];
            correctPart[threadIdx.x] += correctPart[threadIdx.x + stride];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        atomicAdd(&metrics[0], lossPart[0]);
        atomicAdd(&metrics[1], correctPart[0]);
    }
}

// p[i] -= lr * g[i] for i < n.
extern "C" __global__ void sgd(float* __restrict__ p, const float* __restrict__ g, int n, float lr) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
        p[i] -= lr * g[i];
    }
}
