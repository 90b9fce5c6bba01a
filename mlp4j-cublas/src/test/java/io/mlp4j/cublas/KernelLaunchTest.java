package io.mlp4j.cublas;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code cuLaunchKernel} receives, proven without a GPU: the {@code void** kernelParams} must be an array
 * whose entry i is the address of argument i's slot, handed over through the {@code PointerPointer} overload
 * (the {@code (Pointer, Pointer)} one is {@code @ByPtrPtr}: the driver would get the address of a JNI local).
 */
class KernelLaunchTest {

    private static final String LAUNCH_POINTER_POINTER = "(Lorg/bytedeco/cuda/cudart/CUfunc_st;IIIIIIILorg/bytedeco/"
            + "cuda/cudart/CUstream_st;Lorg/bytedeco/javacpp/PointerPointer;Lorg/bytedeco/javacpp/PointerPointer;)I";
    private static final String LAUNCH_BY_PTR_PTR = "(Lorg/bytedeco/cuda/cudart/CUfunc_st;IIIIIIILorg/bytedeco/"
            + "cuda/cudart/CUstream_st;Lorg/bytedeco/javacpp/Pointer;Lorg/bytedeco/javacpp/Pointer;)I";

    /** One recorded launch: the kernel's argument values, read through the array the driver would get. */
    private record Launch(int blocks, int threads, long[] entries, long[] values) {
        int i32(int i) {
            return (int) values[i];
        }

        float f32(int i) {
            return Float.intBitsToFloat((int) values[i]);
        }
    }

    private static final class Recorder implements CudaKernels.Launcher {
        final List<Launch> launches = new ArrayList<>();
        final int count;

        Recorder(int count) {
            this.count = count;
        }

        @Override
        public int launch(org.bytedeco.cuda.cudart.CUfunc_st f, int blocks, int threads, PointerPointer<?> params) {
            long[] entries = new long[count];
            long[] values = new long[count];
            for (int i = 0; i < count; i++) {
                Pointer entry = params.get(i);              // what the driver reads as kernelParams[i]
                entries[i] = entry.address();
                values[i] = new LongPointer(entry).get(0);  // *kernelParams[i], as 8 bytes
            }
            launches.add(new Launch(blocks, threads, entries, values));
            return 0;
        }
    }

    @Test
    void kernelParamsHoldExactlyTheSlotAddresses() {
        Recorder recorder = new Recorder(8);
        try (CudaKernels k = new CudaKernels(recorder)) {
            k.softmaxXent(0x7000_0000_1000L, 0x7000_0000_2000L, 0x7000_0000_3000L, 17, 127, 10,
                    0x7000_0000_4000L, 0x7000_0000_5000L);
            k.sgd(0x7100_0000_0000L, 0x7200_0000_0000L, 785 * 33, 0.125f);
            assertEquals(2, recorder.launches.size());
            KernelArgs args = k.args();
            for (Launch l : recorder.launches) {
                for (int i = 0; i < recorder.count; i++) {
                    assertEquals(args.slotAddress(i), l.entries[i], "kernelParams[" + i + "] must be slot " + i
                            + "'s address");
                }
                assertEquals(256, l.threads);
            }
            Launch softmax = recorder.launches.get(0);
            assertEquals(0x7000_0000_1000L, softmax.values[0]);
            assertEquals(0x7000_0000_2000L, softmax.values[1]);
            assertEquals(0x7000_0000_3000L, softmax.values[2]);
            assertEquals(17, softmax.i32(3));
            assertEquals(127, softmax.i32(4));
            assertEquals(10, softmax.i32(5));
            assertEquals(0x7000_0000_4000L, softmax.values[6]);
            assertEquals(0x7000_0000_5000L, softmax.values[7]);
            assertEquals(1, softmax.blocks);
            Launch sgd = recorder.launches.get(1);
            assertEquals(0x7100_0000_0000L, sgd.values[0]);
            assertEquals(0x7200_0000_0000L, sgd.values[1]);
            assertEquals(785 * 33, sgd.i32(2));
            assertEquals(0.125f, sgd.f32(3));
            assertEquals((785 * 33 + 255) / 256, sgd.blocks);
        }
    }

    @Test
    void slotsAreEightBytesApartAndIntsSitInTheLowHalf() {
        try (KernelArgs a = new KernelArgs(4)) {
            a.ptr(0, -1L);
            a.i32(1, 0x12345678);
            a.f32(2, -2.5f);
            LongPointer raw = new LongPointer(a.params().get(0));
            assertEquals(-1L, raw.get(0));
            assertEquals(a.slotAddress(1) - a.slotAddress(0), 8);
            assertEquals(0x12345678, new IntPointer(a.params().get(1)).get(0));
            assertEquals(-2.5f, new FloatPointer(a.params().get(2)).get(0));
            assertEquals(0L, new LongPointer(a.params().get(3)).get(0), "unused slots start at zero");
        }
    }

    /** Which overload the compiled launch calls: the one for {@code void**} arrays, never the {@code @ByPtrPtr} one. */
    @Test
    void launchCallsThePointerPointerOverload() throws IOException {
        byte[] bytes;
        try (InputStream in = CudaKernels.class.getResourceAsStream("CudaKernels.class")) {
            assertNotNull(in);
            bytes = in.readAllBytes();
        }
        String constants = new String(bytes, StandardCharsets.ISO_8859_1);
        assertTrue(constants.contains("cuLaunchKernel"));
        assertTrue(constants.contains(LAUNCH_POINTER_POINTER), "cuLaunchKernel(..., PointerPointer, PointerPointer)"
                + " is not called");
        assertFalse(constants.contains(LAUNCH_BY_PTR_PTR), "cuLaunchKernel(..., Pointer, Pointer) is @ByPtrPtr: the"
                + " driver would get the address of a JNI local, not the argument array");
    }
}
