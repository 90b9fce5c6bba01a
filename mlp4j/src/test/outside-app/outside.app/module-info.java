/** An application outside the project that uses only the core's exported API (see OutsideAppTest). */
module outside.app {
    requires io.mlp4j;
}
