module consumer.core {
    requires io.mlp4j;
}
