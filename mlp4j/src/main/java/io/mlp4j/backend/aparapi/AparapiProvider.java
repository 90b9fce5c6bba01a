package io.mlp4j.backend.aparapi;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendProvider;
import io.mlp4j.backend.Settings;

/** Placeholder until the Aparapi backend lands (issue 3). */
public final class AparapiProvider implements BackendProvider {
    @Override
    public String name() {
        return "aparapi";
    }

    @Override
    public Probe probe(Settings settings) {
        return Probe.unavailable("not built yet");
    }

    @Override
    public Backend open(Settings settings) {
        throw new IllegalStateException("the aparapi backend is not built yet");
    }
}
