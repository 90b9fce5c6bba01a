package com.example.countingbackend;

import io.mlp4j.spi.BackendProvider;
import io.mlp4j.spi.Settings;

import java.util.ServiceLoader;

/** {@code counting}: the cpu backend, found as a service and opened with the same settings, with calls counted. */
public final class CountingProvider implements BackendProvider {

    @Override
    public String name() {
        return "counting";
    }

    /** Below cpu's 100: {@code auto} never picks it, only {@code mlp4j.backend=counting} does. */
    @Override
    public int rank() {
        return 0;
    }

    @Override
    public Probe probe(Settings settings) {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals("cpu")) {
                Probe cpu = p.probe(settings);
                return cpu.available()
                        ? Probe.available("counting calls on " + cpu.device(), false,
                                () -> new CountingBackend(cpu.opener().get()))
                        : Probe.unavailable("the cpu backend it counts is unavailable: " + cpu.reason());
            }
        }
        return Probe.unavailable("no cpu backend provider found (is io.mlp4j on the module path?)");
    }
}
