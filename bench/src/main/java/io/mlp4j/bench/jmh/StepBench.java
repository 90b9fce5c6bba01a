package io.mlp4j.bench.jmh;

import io.mlp4j.training.Parameters;
import io.mlp4j.training.TrainingStep;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.Random;

/**
 * One whole training step (gather, forward, softmax + cross-entropy, backward, SGD): the trainer's own
 * {@link TrainingStep}, on random MNIST-shaped data. {@code net} is "sizes@batch". The step is internal to
 * io.mlp4j (applications reach it only through {@code Trainer}), so this one benchmark's fork opens that package
 * to the benchmarks; the others use the exported SPI alone.
 */
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xss4m",
        "--add-exports=io.mlp4j/io.mlp4j.training=ALL-UNNAMED"})
public class StepBench extends BackendBench {

    static final int REPEAT = 10;

    @Param({"784-32-10@128", "784-512-512-10@512"})
    public String net;

    private Backends.Data data;
    private int batch;
    private TrainingStep trainingStep;
    private int offset;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = net.split("@");
        batch = Integer.parseInt(p[1]);
        String[] s = p[0].split("-");
        int[] sizes = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            sizes[i] = Integer.parseInt(s[i]);
        }
        data = Backends.data(be, new Random(3), 50_000, sizes[0], sizes[sizes.length - 1]);
        trainingStep = new TrainingStep(be, sizes, batch);
        trainingStep.upload(Parameters.initial(sizes, 3));
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public float step() {
        for (int k = 0; k < REPEAT; k++) {
            if (offset + batch > data.count()) {
                offset = 0;
            }
            trainingStep.train(data.set(), data.order(), offset, batch, 0.01f);
            offset += batch;
        }
        return trainingStep.metrics()[0];
    }
}
