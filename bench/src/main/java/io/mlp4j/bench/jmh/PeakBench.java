package io.mlp4j.bench.jmh;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * This machine's FMA peak, the ceiling the GEMM kernels are measured against: FMAs on registers only (no loads or
 * stores in the loop), {@link #CHAINS} independent accumulators so that the FMA units' latency is hidden (a core
 * with two FMA pipes of 4 cycles' latency needs at least 8 in flight), at the species the kernels use
 * ({@code SPECIES_PREFERRED}). Run with {@code -t 1} and {@code -t 2}; {@link JmhMain} prints GFLOP/s for all the
 * threads together: {@code threads * FLOP_PER_CALL / time per call}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class PeakBench {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 16;
    static final int STEPS = 1 << 16;
    /** Each step: one FMA per chain, 2 FLOP per lane. */
    static final double FLOP_PER_CALL = 2.0 * CHAINS * STEPS * F.length();

    /** x <- x * m + c converges to c / (1 - m) = 1: no overflow, no denormals, nothing the JIT can fold. */
    public float m = 0.999f;
    public float c = 0.001f;

    @Benchmark
    public float fma() {
        FloatVector vm = FloatVector.broadcast(F, m);
        FloatVector vc = FloatVector.broadcast(F, c);
        FloatVector a0 = FloatVector.broadcast(F, 0.5f), a1 = a0.add(0.01f), a2 = a0.add(0.02f), a3 = a0.add(0.03f);
        FloatVector a4 = a0.add(0.04f), a5 = a0.add(0.05f), a6 = a0.add(0.06f), a7 = a0.add(0.07f);
        FloatVector a8 = a0.add(0.08f), a9 = a0.add(0.09f), a10 = a0.add(0.10f), a11 = a0.add(0.11f);
        FloatVector a12 = a0.add(0.12f), a13 = a0.add(0.13f), a14 = a0.add(0.14f), a15 = a0.add(0.15f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vm, vc); a1 = a1.fma(vm, vc); a2 = a2.fma(vm, vc); a3 = a3.fma(vm, vc);
            a4 = a4.fma(vm, vc); a5 = a5.fma(vm, vc); a6 = a6.fma(vm, vc); a7 = a7.fma(vm, vc);
            a8 = a8.fma(vm, vc); a9 = a9.fma(vm, vc); a10 = a10.fma(vm, vc); a11 = a11.fma(vm, vc);
            a12 = a12.fma(vm, vc); a13 = a13.fma(vm, vc); a14 = a14.fma(vm, vc); a15 = a15.fma(vm, vc);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7)
                .add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
        return s.reduceLanes(VectorOperators.ADD);
    }
}
