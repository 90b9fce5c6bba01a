/**
 * Holds no code: it puts the backend modules in the test's module graph, where the core finds them as services,
 * as an application's would.
 */
module io.mlp4j.conformance {
    requires io.mlp4j;
    requires io.mlp4j.aparapi;
    requires io.mlp4j.cublas;

    uses io.mlp4j.spi.BackendProvider;
}
