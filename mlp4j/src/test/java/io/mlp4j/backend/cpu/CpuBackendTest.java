package io.mlp4j.backend.cpu;

import io.mlp4j.backend.DeviceDataset;
import io.mlp4j.backend.IndexBuffer;
import io.mlp4j.backend.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cpu backend's paths for a gathered batch (sparse first-layer forward and weight gradient) against the same
 * values uploaded (dense kernels): identical results bit for bit, on any thread count, for shapes that the dense
 * path runs through gemmNT (32, 48 outputs) and through the packed GEMM (512).
 */
class CpuBackendTest {

    @ParameterizedTest
    @CsvSource({"1,true,32", "2,true,32", "2,true,512", "1,true,48", "1,false,32", "2,false,48", "2,true,40"})
    void aGatheredBatchGivesTheSameOutputsAndGradientsAsTheSameValuesUploaded(int threads, boolean vectorApi, int out) {
        int rows = 128, in = 784, count = 300;
        Random r = new Random(5);
        byte[] pixels = new byte[count * in];
        for (int s = 0; s < count; s++) { // a blob of ink per sample, background zero
            int from = r.nextInt(in - 200);
            for (int i = from; i < from + 150; i++) {
                pixels[s * in + i] = (byte) (r.nextInt(3) == 0 ? 0 : r.nextInt(256));
            }
        }
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = (i * 7) % count;
        }
        float[] dyValues = CpuKernelsTest.random(r, rows * out);
        try (CpuBackend be = new CpuBackend(threads, vectorApi)) {
            DeviceDataset data = be.upload(pixels, new byte[count], count, in);
            IndexBuffer idx = be.allocateIndices(count);
            be.upload(idx, order);
            Tensor gathered = be.allocate(rows * in), uploaded = be.allocate(rows * in);
            be.gather(data, idx, 17, rows, gathered);
            float[] x = new float[rows * in];
            be.download(gathered, x);
            be.upload(uploaded, x);
            float[][] dw = new float[2][out * in], db = new float[2][out], y = new float[2][rows * out];
            int zeros = 0;
            for (float v : x) {
                zeros += v == 0f ? 1 : 0;
            }
            assertTrue(zeros > x.length / 2, "the batch is mostly zeros, as MNIST's");
            float[] weights = CpuKernelsTest.random(r, out * in), bias = CpuKernelsTest.random(r, out);
            for (int t = 0; t < 2; t++) {
                Tensor w = be.allocate(out * in), b = be.allocate(out), yT = be.allocate(rows * out);
                be.upload(w, weights);
                be.upload(b, bias);
                be.linearForward(t == 0 ? gathered : uploaded, w, b, yT, rows, in, out, true);
                be.download(yT, y[t]);
                Tensor dy = be.allocate(rows * out);
                Tensor dwT = be.allocate(out * in), dbT = be.allocate(out);
                be.upload(dy, dyValues);
                be.linearBackward(t == 0 ? gathered : uploaded, w, null, dy, null, dwT, dbT, rows, in, out, false);
                be.download(dwT, dw[t]);
                be.download(dbT, db[t]);
            }
            assertArrayEquals(y[1], y[0]);
            assertArrayEquals(dw[1], dw[0]);
            assertArrayEquals(db[1], db[0]);
        }
    }
}
