/** A tiny app that uses mlp4j as a module: classify a picture of a digit. */
module io.mlp4j.example {
    requires io.mlp4j.picture; // and through it io.mlp4j and java.desktop
}
