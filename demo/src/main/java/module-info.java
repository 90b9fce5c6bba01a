/**
 * The mlp4j command line: {@code mlp4j train | eval | predict | export | devices | bench | selfcheck | serve}. Uses only
 * the public API of {@code io.mlp4j}; charts are drawn with plain Java2D.
 */
module io.mlp4j.demo {
    requires io.mlp4j;
    requires io.mlp4j.picture; // predict and serve: pictures to inputs, bounded decoding, blank
    requires info.picocli;
    requires java.desktop; // charts
    requires jdk.httpserver; // mlp4j serve: see docs/ARCHITECTURE.md for why the JDK's own server
    requires java.logging; // --verbose shows the library's System.Logger records

    // --version names the backends installed, without probing them.
    uses io.mlp4j.spi.BackendProvider;

    // picocli sets the annotated fields reflectively.
    opens io.mlp4j.demo to info.picocli;

}
