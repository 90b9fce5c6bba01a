package io.mlp4j.demo;

/** A failure whose message is meant for the user as it is. */
final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final boolean printed;

    CliException(String message) {
        this(message, false);
    }

    /** @param printed whether the command already printed the details (then only the exit status matters) */
    CliException(String message, boolean printed) {
        super(message);
        this.printed = printed;
    }

    boolean printed() {
        return printed;
    }
}
