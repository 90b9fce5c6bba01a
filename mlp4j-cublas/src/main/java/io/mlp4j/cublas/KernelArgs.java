package io.mlp4j.cublas;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The {@code void** kernelParams} of {@code cuLaunchKernel}: an array whose entry i is the address of a slot
 * holding argument i. One native block of 8-byte slots, written in place before each launch (the driver copies
 * the values at launch time), so a launch creates no Java or native object.
 *
 * <p>It must reach the driver as a {@link PointerPointer}: JavaCPP's other overload, {@code (Pointer, Pointer)},
 * is annotated {@code @ByPtrPtr} and would hand the driver the address of a JNI local holding our pointer.
 */
final class KernelArgs implements AutoCloseable {

    private final int count;
    private final LongPointer slots;
    private final IntPointer intSlots;
    private final FloatPointer floatSlots;
    private final PointerPointer<?> params;

    KernelArgs(int count) {
        this.count = count;
        slots = new LongPointer(count);
        slots.zero();
        intSlots = new IntPointer(slots);
        floatSlots = new FloatPointer(slots);
        params = new PointerPointer<>(count);
        // Raw entries through a 64-bit view (void* is 8 bytes on linux-x86_64, the only platform of the natives).
        // A view, not closed: closing it must not free the array (only params owns it).
        LongPointer entries = new LongPointer(params);
        for (int i = 0; i < count; i++) {
            entries.put(i, slotAddress(i));
        }
    }

    int count() {
        return count;
    }

    /** The native address of slot i: what entry i of {@link #params()} holds. */
    long slotAddress(int i) {
        return slots.address() + 8L * i;
    }

    /** A device pointer argument. */
    void ptr(int i, long address) {
        slots.put(i, address);
    }

    /** An {@code int} argument: the slot's first 4 bytes (little-endian), as the driver reads an int parameter. */
    void i32(int i, int v) {
        intSlots.put(2L * i, v);
    }

    /** A {@code float} argument, in the slot's first 4 bytes. */
    void f32(int i, float v) {
        floatSlots.put(2L * i, v);
    }

    /** The array handed to {@code cuLaunchKernel}. */
    PointerPointer<?> params() {
        return params;
    }

    @Override
    public void close() {
        params.close();
        slots.close();
    }
}
