package io.mlp4j.bench.jmh;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.util.Collection;
import java.util.Locale;

/**
 * Runs JMH with the usual command line (e.g. {@code GemmBench -p backend=cpu,cublas -p threads=1,2}), then
 * prints a summary with GFLOP/s for the GEMM benchmarks and the FMA peak ({@link PeakBench}, all threads together),
 * and samples/s for whole training steps.
 */
public final class JmhMain {

    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        System.out.println();
        System.out.println("| benchmark | backend | threads | shape | µs/op | throughput |");
        System.out.println("|---|---|---|---|---:|---:|");
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            double us = r.getPrimaryResult().getScore();
            String shape = "";
            String rate = "";
            if (cls.equals("GemmBench")) {
                shape = r.getParams().getParam("shape");
                int[] s = Backends.shape(shape);
                double flops = 2.0 * s[0] * s[1] * s[2] * (method.equals("backward") ? 2 : 1);
                rate = String.format(Locale.ROOT, "%.1f GFLOP/s", flops / (us * 1e3));
            } else if (cls.equals("StepBench")) {
                shape = r.getParams().getParam("net");
                int batch = Integer.parseInt(shape.substring(shape.indexOf('@') + 1));
                rate = String.format(Locale.ROOT, "%,.0f samples/s", batch / (us * 1e-6));
            } else if (cls.equals("PeakBench")) {
                int t = r.getParams().getThreads();
                shape = t + " x " + PeakBench.CHAINS + " FMA chains, " + PeakBench.F.vectorBitSize() + "-bit";
                rate = String.format(Locale.ROOT, "%.1f GFLOP/s", t * PeakBench.FLOP_PER_CALL / (us * 1e3));
            } else if (r.getParams().getParam("rows") != null) {
                shape = "rows " + r.getParams().getParam("rows");
            }
            String backend = r.getParams().getParam("backend");
            String threads = r.getParams().getParam("threads");
            if (threads == null) { // not a backend benchmark: JMH's own thread count (-t)
                threads = String.valueOf(r.getParams().getThreads());
            }
            System.out.printf(Locale.ROOT, "| %s.%s | %s | %s | %s | %.2f | %s |%n", cls, method,
                    backend == null ? "-" : backend, threads, shape, us, rate);
        }
    }
}
