package io.mlp4j.backend.cublas;

import io.mlp4j.backend.Backend;
import io.mlp4j.backend.BackendProvider;
import io.mlp4j.backend.Settings;

/** Placeholder until the cuBLAS backend lands (issue 5). */
public final class CublasProvider implements BackendProvider {
    @Override
    public String name() {
        return "cublas";
    }

    @Override
    public Probe probe(Settings settings) {
        return Probe.unavailable("not built yet");
    }

    @Override
    public Backend open(Settings settings) {
        throw new IllegalStateException("the cublas backend is not built yet");
    }
}
