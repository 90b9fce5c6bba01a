/**
 * A backend from outside mlp4j: {@code -Dmlp4j.backend=counting} trains on the cpu backend and counts every call.
 * It needs nothing but the exported SPI: it provides a {@code BackendProvider}, and finds the cpu backend it
 * delegates to as a service too.
 */
module com.example.countingbackend {
    requires io.mlp4j;

    uses io.mlp4j.spi.BackendProvider;
    provides io.mlp4j.spi.BackendProvider with com.example.countingbackend.CountingProvider;
}
