/**
 * Pictures of digits as mlp4j inputs: {@link io.mlp4j.picture.Pictures} turns a {@code BufferedImage} into the
 * 28x28 input MNIST was made of, decodes picture bytes with a bound checked from the header, and tells blank
 * inputs apart. A module of its own so that the core {@code io.mlp4j} needs only {@code java.base}.
 */
module io.mlp4j.picture {
    requires transitive io.mlp4j;
    // BufferedImage is in this module's API, so a module that reads this one reads java.desktop too.
    requires transitive java.desktop;

    exports io.mlp4j.picture;
}
