module consumer.picture {
    requires io.mlp4j.picture; // and through it io.mlp4j and java.desktop
}
