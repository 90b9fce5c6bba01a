module consumer.aparapi {
    requires io.mlp4j;
}
