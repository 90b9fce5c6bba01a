package io.mlp4j.spark;

/** Why one row cannot be classified; the row gets a null prediction and this message, and the job goes on. */
final class BadRow extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BadRow(String message) {
        super(message, null, false, false); // no stack trace: bad rows are data, not bugs
    }
}
